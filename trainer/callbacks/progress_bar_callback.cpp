#include <accel/trainer/callbacks/progress_bar_callback.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

ProgressBarCallback::ProgressBarCallback(ProgressBarOptions bar_options) : bar_options_(std::move(bar_options)) {}

std::unique_ptr<ProgressBar> ProgressBarCallback::open_bar(Trainer& trainer, const char* description,
                                                           int64_t total) {
  ProgressBarOptions options = bar_options_;
  options.description = description;
  options.enabled = bar_options_.enabled && trainer.accelerator.is_local_main_process();
  return std::make_unique<ProgressBar>(total, std::move(options));
}

void ProgressBarCallback::on_train_epoch_start(Trainer& trainer) {
  train_bar_ = open_bar(trainer, "train", trainer.train_dataloader ? trainer.train_dataloader->size() : 0);
}

void ProgressBarCallback::on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput&, int64_t) {
  if (train_bar_) train_bar_->update(1, trainer.loss_tracker.average());
}

void ProgressBarCallback::on_train_epoch_end(Trainer&) { train_bar_.reset(); }

void ProgressBarCallback::on_eval_epoch_start(Trainer& trainer, bool) {
  eval_bar_ = open_bar(trainer, "eval", trainer.eval_dataloader ? trainer.eval_dataloader->size() : 0);
}

void ProgressBarCallback::on_eval_step_end(Trainer& trainer, const data::Batch&, const BatchOutput&) {
  if (eval_bar_) eval_bar_->update(1, trainer.loss_tracker.average());
}

void ProgressBarCallback::on_eval_epoch_end(Trainer&, bool) { eval_bar_.reset(); }

void ProgressBarCallback::on_training_run_end(Trainer&) {
  eval_bar_.reset();
  train_bar_.reset();
}

void ProgressBarCallback::on_evaluation_run_end(Trainer&) { eval_bar_.reset(); }

}  // namespace accel::trainer
