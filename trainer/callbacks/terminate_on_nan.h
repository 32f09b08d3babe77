#pragma once
// TerminateOnNaNCallback: stops the run at the first loss with a NaN or an infinity, in training
// (the loss of on_train_step_end, before backward) or evaluation, by throwing StopTrainingError
// ("Stopping training due to NaN loss in training step" / "... validation step"). After a training
// run stopped this way, on_training_run_end prints "Exiting due to NaN loss" to stderr and ends the
// process with exit status 1 (the original's sys.exit), so that scripts and schedulers see the
// failure; callbacks after this one get no on_training_run_end. An evaluate() run just stops.
#include <accel/trainer/callback.h>

namespace accel::trainer {

class TerminateOnNaNCallback : public TrainerCallback {
 public:
  void on_train_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output,
                         int64_t step) override;
  void on_eval_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output) override;
  void on_training_run_end(Trainer& trainer) override;

  // Whether a non-finite loss was seen.
  bool triggered() const { return triggered_; }

 private:
  void check_for_nan_after_batch(const BatchOutput& batch_output, const char* step);
  bool triggered_ = false;
};

}  // namespace accel::trainer
