#include <accel/trainer/callbacks/save_best_model.h>

#include <accel/trainer/callbacks/log_metrics.h>
#include <accel/trainer/trainer.h>

namespace accel::trainer {

double watched_metric_value(const Trainer& trainer, const char* callback, const std::string& metric) {
  ACCEL_CHECK(!trainer.run_history->get_metric_values(metric).empty(), callback, ": the watched metric '", metric,
              "' has not been recorded (without an eval_dataset there is no eval_loss_epoch; watch "
              "train_loss_epoch or record the metric in a callback)");
  return trainer.run_history->get_latest_metric(metric);
}

SaveBestModelCallback::SaveBestModelCallback(SaveBestModelCallbackOptions options) : options_(std::move(options)) {
  ACCEL_CHECK(!options_.save_path.empty(), "SaveBestModelCallback: save_path is empty");
}

void SaveBestModelCallback::on_training_run_start(Trainer&) {
  if (options_.reset_on_train) {
    best_metric_.reset();
    best_metric_epoch_.reset();
  }
}

void SaveBestModelCallback::on_training_run_epoch_end(Trainer& trainer) {
  const double current = watched_metric_value(trainer, "SaveBestModelCallback", options_.watch_metric);
  const bool is_improvement = !best_metric_ || (options_.greater_is_better ? current > *best_metric_
                                                                           : current < *best_metric_);
  if (!is_improvement) return;
  best_metric_ = current;
  best_metric_epoch_ = trainer.run_history->current_epoch();
  Metadata kwargs;
  kwargs.insert(options_.watch_metric, current);
  trainer.save_checkpoint(options_.save_path, {.checkpoint_kwargs = kwargs,
                                               .save_optimizer = options_.save_optimizer,
                                               .save_scheduler = options_.save_scheduler});
}

void SaveBestModelCallback::on_training_run_end(Trainer& trainer) {
  // Nothing was saved when the run stopped before its first epoch ended.
  if (!options_.load_saved_checkpoint || !best_metric_) return;
  trainer.print("Loading checkpoint with ", options_.watch_metric, ": ", format_metric_value(*best_metric_),
                " from epoch ", *best_metric_epoch_);
  trainer.load_checkpoint(options_.save_path);
}

}  // namespace accel::trainer
