#pragma once
// ProgressBarCallback: one ProgressBar (trainer/progress_bar.h) per train epoch and per eval epoch,
// sized by the loader's batches and advanced once per micro-batch, showing the epoch's running
// mean loss (the value that becomes train_loss_epoch / eval_loss_epoch). Only the local main
// process draws. In a terminal the bar redraws in place; in a log it prints plain lines.
#include <memory>

#include <accel/trainer/callback.h>
#include <accel/trainer/progress_bar.h>

namespace accel::trainer {

class ProgressBarCallback : public TrainerCallback {
 public:
  // `bar_options` is the template of every bar (stream, ascii, intervals); the description and
  // `enabled` are set per epoch.
  explicit ProgressBarCallback(ProgressBarOptions bar_options = {});

  void on_train_epoch_start(Trainer& trainer) override;
  void on_train_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output,
                         int64_t step) override;
  void on_train_epoch_end(Trainer& trainer) override;
  void on_eval_epoch_start(Trainer& trainer, bool is_intermediate) override;
  void on_eval_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output) override;
  void on_eval_epoch_end(Trainer& trainer, bool is_intermediate) override;
  // A run stopped inside an epoch (StopTrainingError) skips the epoch's end: close its bars here.
  void on_training_run_end(Trainer& trainer) override;
  void on_evaluation_run_end(Trainer& trainer) override;

 private:
  std::unique_ptr<ProgressBar> open_bar(Trainer& trainer, const char* description, int64_t total);

  ProgressBarOptions bar_options_;
  // Separate bars, because a step-based evaluation runs inside a training epoch.
  std::unique_ptr<ProgressBar> train_bar_;
  std::unique_ptr<ProgressBar> eval_bar_;
};

}  // namespace accel::trainer
