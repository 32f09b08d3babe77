#pragma once
// ModelEmaCallback: keeps an exponential moving average of the model's weights (ModelEma), updated
// at the end of every train epoch (once per epoch, as the original), and saves it.
//  - evaluate_during_training (default): after each end-of-epoch evaluation, the average is
//    evaluated too, with only `callbacks` as the callbacks and its metrics prefixed "ema_model_"
//    (so "ema_model_eval_loss_epoch"); the best average by watch_metric is saved to save_path
//    (SaveBestModelCallback's logic, without optimizer state).
//  - otherwise the average is saved every epoch.
// The average is never loaded back into the model. Place this callback after callbacks that
// record metrics and before those that read them (loggers).
#include <functional>
#include <memory>
#include <vector>

#include <accel/trainer/callbacks/save_best_model.h>
#include <accel/trainer/model_ema.h>

namespace accel::trainer {

// Creates the average of a model (the original's model_ema class argument).
using ModelEmaFactory = std::function<std::unique_ptr<ModelEma>(const nn::Module& model, double decay)>;

struct ModelEmaCallbackOptions {
  double decay = 0.99;
  bool evaluate_during_training = true;
  std::string save_path = "ema_model.safetensors";
  std::string watch_metric = "ema_model_eval_loss_epoch";
  bool greater_is_better = false;
  ModelEmaFactory model_ema = nullptr;  // default: ModelEma
  // The callbacks of the average's evaluation (e.g. one that computes accuracy).
  std::vector<std::shared_ptr<TrainerCallback>> callbacks = {};
};

class ModelEmaCallback : public SaveBestModelCallback {
 public:
  explicit ModelEmaCallback(ModelEmaCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_train_epoch_end(Trainer& trainer) override;
  void on_eval_epoch_end(Trainer& trainer, bool is_intermediate) override;
  void on_training_run_epoch_end(Trainer& trainer) override;
  // The average is not loaded into the model.
  void on_training_run_end(Trainer&) override {}

  // The average (null before the first training run).
  const std::unique_ptr<ModelEma>& ema_model() const { return ema_model_; }

 private:
  double decay_;
  bool evaluate_during_training_;
  ModelEmaFactory model_ema_;
  std::shared_ptr<CallbackHandler> callback_handler_;
  std::unique_ptr<ModelEma> ema_model_;
};

}  // namespace accel::trainer
