#include <accel/trainer/model_ema.h>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/error.h>

namespace accel::trainer {

ModelEma::ModelEma(const nn::Module& model, double decay) : module_(model.clone()), decay_(decay) {
  ACCEL_CHECK(decay >= 0.0 && decay <= 1.0, "ModelEma: decay must be in [0, 1] (got ", decay, ")");
  module_->eval();
  for (const Tensor& parameter : module_->parameters()) parameter.requires_grad_(false);
}

Tensor ModelEma::update_fn(const Tensor& ema_value, const Tensor& model_value) const {
  return ema_value * decay_ + model_value * (1.0 - decay_);
}

void ModelEma::update(const nn::Module& model) {
  apply(model, [this](const Tensor& ema_value, const Tensor& model_value) { return update_fn(ema_value, model_value); });
}

void ModelEma::set(const nn::Module& model) {
  apply(model, [](const Tensor&, const Tensor& model_value) { return model_value; });
}

template <typename Combine>
void ModelEma::apply(const nn::Module& model, Combine combine) {
  NoGradGuard no_grad;
  StateDict ema_state = module_->state_dict();
  StateDict model_state = model.state_dict();
  ACCEL_CHECK(ema_state.size() == model_state.size(), "ModelEma: the model has ", model_state.size(),
              " state entries but the average has ", ema_state.size(), "; is it the model the average was made from?");
  for (const auto& [name, ema_value] : ema_state) {
    const Tensor* model_value = model_state.find(name);
    ACCEL_CHECK(model_value != nullptr, "ModelEma: the model has no state entry '", name, "'");
    // The live model may sit on another device (the average is moved separately).
    ema_value.copy_(combine(ema_value, model_value->to(ema_value.device())));
  }
}

}  // namespace accel::trainer
