#pragma once
// SaveBestModelCallback: after every epoch (on_training_run_epoch_end), saves a checkpoint when the
// watched metric beats the best so far (strictly: < by default, > with greater_is_better; the first
// epoch always saves), and at the end of training loads the best checkpoint back into the model
// (and optimizer and scheduler, when saved). The checkpoint's custom key is {watch_metric: value}.
//
//   SaveBestModelCallback({.save_path = "best.safetensors", .watch_metric = "accuracy",
//                          .greater_is_better = true})
#include <cstdint>
#include <optional>
#include <string>

#include <accel/trainer/callback.h>

namespace accel::trainer {

struct SaveBestModelCallbackOptions {
  std::string save_path = "best_model.safetensors";
  std::string watch_metric = "eval_loss_epoch";
  bool greater_is_better = false;
  bool reset_on_train = true;  // forget the best value at the start of each training run
  bool save_optimizer = true;
  bool save_scheduler = true;
  bool load_saved_checkpoint = true;  // load the best checkpoint at the end of training
};

class SaveBestModelCallback : public TrainerCallback {
 public:
  explicit SaveBestModelCallback(SaveBestModelCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_training_run_epoch_end(Trainer& trainer) override;
  void on_training_run_end(Trainer& trainer) override;

  std::optional<double> best_metric() const { return best_metric_; }
  std::optional<int64_t> best_metric_epoch() const { return best_metric_epoch_; }
  const SaveBestModelCallbackOptions& options() const { return options_; }

 private:
  SaveBestModelCallbackOptions options_;
  std::optional<double> best_metric_;
  std::optional<int64_t> best_metric_epoch_;
};

// The latest value of a watched metric; a metric never recorded is an accel::Error that names the
// callback and suggests the usual cause.
double watched_metric_value(const Trainer& trainer, const char* callback, const std::string& metric);

}  // namespace accel::trainer
