#include <accel/trainer/callbacks/early_stopping.h>

#include <cmath>

#include <accel/trainer/callbacks/log_metrics.h>
#include <accel/trainer/callbacks/save_best_model.h>
#include <accel/trainer/trainer.h>

namespace accel::trainer {

EarlyStoppingCallback::EarlyStoppingCallback(EarlyStoppingCallbackOptions options) : options_(std::move(options)) {
  ACCEL_CHECK(options_.early_stopping_patience >= 0, "EarlyStoppingCallback: early_stopping_patience must be >= 0, got ",
              options_.early_stopping_patience);
  ACCEL_CHECK(options_.early_stopping_threshold >= 0,
              "EarlyStoppingCallback: early_stopping_threshold must be >= 0, got ", options_.early_stopping_threshold);
}

void EarlyStoppingCallback::on_training_run_start(Trainer&) {
  if (options_.reset_on_train) {
    best_metric_.reset();
    counter_ = 0;
  }
}

void EarlyStoppingCallback::on_training_run_epoch_end(Trainer& trainer) {
  const double current = watched_metric_value(trainer, "EarlyStoppingCallback", options_.watch_metric);
  if (!best_metric_) {
    best_metric_ = current;
  } else {
    const bool is_improvement = options_.greater_is_better ? current > *best_metric_ : current < *best_metric_;
    const double improvement = std::abs(current - *best_metric_);
    if (is_improvement && improvement > options_.early_stopping_threshold) {
      trainer.print("\nImprovement of ", format_metric_value(improvement), " observed, resetting counter. ");
      best_metric_ = current;
      counter_ = 0;
    } else {
      trainer.print("No improvement above threshold observed, incrementing counter. ");
      ++counter_;
    }
    trainer.print("Early stopping counter: ", counter_, "/", options_.early_stopping_patience);
  }
  if (counter_ >= options_.early_stopping_patience) {
    throw StopTrainingError("Stopping training due to no improvement after " +
                            std::to_string(options_.early_stopping_patience) + " epochs");
  }
}

}  // namespace accel::trainer
