#pragma once
// trainer::ModelEma: an exponential moving average of a model's weights (pytorch-accelerated's
// utils.ModelEma, itself timm's ModelEmaV2). The average is a deep copy of the model, in eval mode,
// that never requires grad; update() moves every state-dict entry (parameters and buffers, e.g.
// batch norm's running statistics) towards the live model's:
//
//   ema = decay * ema + (1 - decay) * current
//
//   trainer::ModelEma ema(*model, /*decay=*/0.999);
//   ... after some training: ema.update(*model);
//   evaluate(ema.module());
//
// The model must support nn::Module::clone() (derive it from nn::Cloneable).
#include <memory>

#include <accel/nn/module.h>

namespace accel::trainer {

class ModelEma {
 public:
  explicit ModelEma(const nn::Module& model, double decay = 0.9999);
  virtual ~ModelEma() = default;

  // ema = update_fn(ema, current) for every entry, under no-grad.
  void update(const nn::Module& model);
  // Copies the model's weights into the average.
  void set(const nn::Module& model);

  // The averaged model (what to evaluate or save).
  const std::shared_ptr<nn::Module>& module() const { return module_; }
  double decay() const { return decay_; }

 protected:
  // The new value of one entry; the default is the moving average above. Integer entries (e.g.
  // num_batches_tracked) receive the result converted to their dtype, as PyTorch's copy_ does.
  virtual Tensor update_fn(const Tensor& ema_value, const Tensor& model_value) const;

 private:
  // Writes combine(ema, current) into every entry of the average.
  template <typename Combine>
  void apply(const nn::Module& model, Combine combine);

  std::shared_ptr<nn::Module> module_;
  double decay_;
};

}  // namespace accel::trainer
