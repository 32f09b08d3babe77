#pragma once
// LossFunction: the Trainer's loss_func, a loss module (nn::CrossEntropyLoss(), by value or as a
// shared_ptr), any callable (input, target) -> Tensor, or none (for models that compute their own
// loss in an overridden calculate_*_batch_loss).
//
//   accel::Trainer trainer(model, accel::nn::CrossEntropyLoss(), optimizer);
//   auto l1 = [](const Tensor& out, const Tensor& y) { return (out - y).abs().mean(); };
//   accel::Trainer trainer(model, l1, optimizer);
#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <accel/nn/module.h>
#include <accel/tensor/tensor.h>

namespace accel::trainer {

class LossFunction {
 public:
  LossFunction() = default;
  LossFunction(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)

  // A loss module by shared_ptr: kept, so that MoveModulesToDeviceCallback can move its buffers.
  template <typename M>
    requires std::derived_from<M, nn::Module> && std::invocable<M&, const Tensor&, const Tensor&>
  LossFunction(std::shared_ptr<M> module)  // NOLINT(google-explicit-constructor)
      : module_(module), function_([module](const Tensor& input, const Tensor& target) {
          return (*module)(input, target);
        }) {}
  // A loss module by value.
  template <typename M>
    requires std::derived_from<std::remove_cvref_t<M>, nn::Module> &&
             std::invocable<std::remove_cvref_t<M>&, const Tensor&, const Tensor&>
  LossFunction(M&& module)  // NOLINT(google-explicit-constructor)
      : LossFunction(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module))) {}
  // Any other callable (input, target) -> Tensor.
  template <typename F>
    requires(!std::derived_from<std::remove_cvref_t<F>, nn::Module>) &&
            (!std::is_same_v<std::remove_cvref_t<F>, LossFunction>) &&
            std::is_invocable_r_v<Tensor, F&, const Tensor&, const Tensor&>
  LossFunction(F&& function)  // NOLINT(google-explicit-constructor)
      : function_(std::forward<F>(function)) {}

  explicit operator bool() const { return static_cast<bool>(function_); }
  // Calling an empty LossFunction is an accel::Error.
  Tensor operator()(const Tensor& input, const Tensor& target) const;
  // The loss module, or nullptr for a plain callable.
  const std::shared_ptr<nn::Module>& module() const { return module_; }

 private:
  std::shared_ptr<nn::Module> module_;
  std::function<Tensor(const Tensor&, const Tensor&)> function_;
};

}  // namespace accel::trainer
