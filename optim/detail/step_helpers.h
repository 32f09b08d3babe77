#pragma once
// Pieces the update rules of several optimizers share (internal to optim/).
#include <algorithm>
#include <initializer_list>
#include <string>

#include <accel/optim/optimizer.h>
#include <accel/tensor/factories.h>

namespace accel::optim::detail {

// The gradient an update follows: the parameter's gradient, negated to maximize, plus
// weight_decay * param (L2 regularisation folded into the gradient, as PyTorch does). Allocates only
// when it differs from the stored gradient.
inline Tensor effective_gradient(const Tensor& param, bool maximize, double weight_decay) {
  Tensor grad = maximize ? param.grad().neg() : param.grad();
  if (weight_decay != 0) grad = grad.add(param, weight_decay);
  return grad;
}

// True when the backend's fused update (Backend::sgd_step / adam_step) can do the step: the
// parameter is float32 or float64 and it, its gradient and its (defined) state tensors are
// contiguous with its dtype. Anything else takes the tensor-op form of the same update.
inline bool fused_update_applies(const Tensor& param, std::initializer_list<Tensor> state) {
  const auto same_layout = [&](const Tensor& t) {
    return t.dtype() == param.dtype() && t.is_contiguous() && t.device() == param.device();
  };
  if ((param.dtype() != kFloat32 && param.dtype() != kFloat64) || !param.is_contiguous()) return false;
  if (!same_layout(param.grad())) return false;
  return std::all_of(state.begin(), state.end(), [&](const Tensor& t) { return !t.defined() || same_layout(t); });
}

// The state tensor `name`, created with the parameter's shape, dtype and device, filled with `value`,
// when absent. Returned by value: inserting another entry may move the dict's storage.
inline Tensor state_buffer(ParamState& state, const std::string& name, const Tensor& param, double value = 0) {
  if (const Tensor* buffer = state.tensors.find(name)) return *buffer;
  return state.tensors.insert(name, full_like(param, value));
}

}  // namespace accel::optim::detail
