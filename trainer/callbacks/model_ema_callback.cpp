#include <accel/trainer/callbacks/model_ema_callback.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

namespace {

constexpr const char* kEmaMetricPrefix = "ema_model_";

// Puts the average in place of the trainer's model (and, for its evaluation, its own callbacks
// and metric prefix) for the guard's lifetime, also when the evaluation throws.
class SwapInEma {
 public:
  SwapInEma(Trainer& trainer, std::shared_ptr<nn::Module> ema_module) : trainer_(trainer), model_(trainer.model) {
    trainer_.model = std::move(ema_module);
  }
  void with_handler_and_prefix(std::shared_ptr<CallbackHandler> handler, const std::string& prefix) {
    handler_ = trainer_.callback_handler;
    prefix_ = trainer_.run_history->metric_name_prefix();
    trainer_.callback_handler = std::move(handler);
    trainer_.run_history->set_metric_name_prefix(prefix);
  }
  ~SwapInEma() {
    trainer_.model = model_;
    if (handler_) {
      trainer_.callback_handler = handler_;
      trainer_.run_history->set_metric_name_prefix(prefix_);
    }
  }
  SwapInEma(const SwapInEma&) = delete;
  SwapInEma& operator=(const SwapInEma&) = delete;

 private:
  Trainer& trainer_;
  std::shared_ptr<nn::Module> model_;
  std::shared_ptr<CallbackHandler> handler_;
  std::string prefix_;
};

SaveBestModelCallbackOptions save_best_options(const ModelEmaCallbackOptions& options) {
  return {.save_path = options.save_path,
          .watch_metric = options.watch_metric,
          .greater_is_better = options.greater_is_better,
          .reset_on_train = false,
          .save_optimizer = false};
}

}  // namespace

ModelEmaCallback::ModelEmaCallback(ModelEmaCallbackOptions options)
    : SaveBestModelCallback(save_best_options(options)),
      decay_(options.decay),
      evaluate_during_training_(options.evaluate_during_training),
      model_ema_(options.model_ema ? std::move(options.model_ema)
                                   : [](const nn::Module& model, double decay) {
                                       return std::make_unique<ModelEma>(model, decay);
                                     }),
      callback_handler_(std::make_shared<CallbackHandler>(std::move(options.callbacks))) {
  ACCEL_CHECK(decay_ >= 0.0 && decay_ <= 1.0, "ModelEmaCallback: decay must be in [0, 1], got ", decay_);
}

void ModelEmaCallback::on_training_run_start(Trainer& trainer) {
  SaveBestModelCallback::on_training_run_start(trainer);
  ema_model_ = model_ema_(*trainer.get_model(), decay_);
  ACCEL_CHECK(ema_model_, "ModelEmaCallback: the model_ema factory returned null");
  if (evaluate_during_training_) ema_model_->module()->to(trainer.device());
}

void ModelEmaCallback::on_train_epoch_end(Trainer& trainer) { ema_model_->update(*trainer.get_model()); }

void ModelEmaCallback::on_eval_epoch_end(Trainer& trainer, bool is_intermediate) {
  // A step-based evaluation inside an epoch is not mirrored: the average changes once per epoch.
  if (!evaluate_during_training_ || is_intermediate) return;
  SwapInEma swap(trainer, ema_model_->module());
  trainer.print("Running evaluation on EMA model");
  swap.with_handler_and_prefix(callback_handler_, kEmaMetricPrefix);
  trainer.run_eval_epoch();
}

void ModelEmaCallback::on_training_run_epoch_end(Trainer& trainer) {
  SwapInEma swap(trainer, ema_model_->module());
  if (evaluate_during_training_) {
    SaveBestModelCallback::on_training_run_epoch_end(trainer);
  } else {
    trainer.save_checkpoint(options().save_path, {.save_optimizer = false});
  }
}

}  // namespace accel::trainer
