#pragma once
// EarlyStoppingCallback: after every epoch (on_training_run_epoch_end), compares the watched metric
// with the best so far. An improvement (strictly better by more than early_stopping_threshold)
// resets the counter; anything else increments it, and once the counter reaches
// early_stopping_patience the run stops with StopTrainingError. The first epoch only records the
// best value (so patience 0 stops after the first epoch). Callbacks listed after this one get no
// on_training_run_epoch_end in the epoch where it stops the run.
#include <cstdint>
#include <optional>
#include <string>

#include <accel/trainer/callback.h>

namespace accel::trainer {

struct EarlyStoppingCallbackOptions {
  int64_t early_stopping_patience = 1;
  double early_stopping_threshold = 0.01;
  std::string watch_metric = "eval_loss_epoch";
  bool greater_is_better = false;
  bool reset_on_train = true;  // forget the best value and the counter at each training run start
};

class EarlyStoppingCallback : public TrainerCallback {
 public:
  explicit EarlyStoppingCallback(EarlyStoppingCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_training_run_epoch_end(Trainer& trainer) override;

  std::optional<double> best_metric() const { return best_metric_; }
  int64_t early_stopping_patience_counter() const { return counter_; }

 private:
  EarlyStoppingCallbackOptions options_;
  std::optional<double> best_metric_;
  int64_t counter_ = 0;
};

}  // namespace accel::trainer
