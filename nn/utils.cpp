#include <accel/nn/utils.h>

#include <cmath>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/error.h>
#include <accel/tensor/ops.h>

namespace accel::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.defined() && p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;

  // Each gradient's norm in its own dtype, then the norm of those norms (PyTorch's order).
  const Device device = grads.front().device();
  DType dtype = grads.front().dtype();
  for (const Tensor& g : grads) dtype = promote_types(dtype, g.dtype());
  std::vector<Tensor> norms;
  for (const Tensor& g : grads) norms.push_back(norm(g, norm_type).to(device, dtype));
  const Tensor total = norm(stack(norms), norm_type);
  const double total_value = total.item<double>();
  ACCEL_CHECK(!error_if_nonfinite || std::isfinite(total_value), "clip_grad_norm_: the total norm of order ",
              norm_type, " of the gradients is non-finite (", total_value,
              "), so it cannot be clipped; pass error_if_nonfinite = false to clip anyway");

  const Tensor coef = clamp(max_norm / (total + 1e-6), std::nullopt, 1.0);
  for (const Tensor& g : grads) g.mul_(coef.to(g.device(), g.dtype()));
  return total_value;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters)
    if (p.defined() && p.grad().defined()) p.grad().clamp_(-clip_value, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> flat;
  for (const Tensor& p : parameters) flat.push_back(p.reshape({-1}));
  ACCEL_CHECK(!flat.empty(), "parameters_to_vector: no parameters");
  return cat(flat);
}

void vector_to_parameters(const Tensor& vector, const std::vector<Tensor>& parameters) {
  const int64_t total = num_parameters(parameters);
  ACCEL_CHECK(vector.dim() == 1 && vector.numel() == total, "vector_to_parameters: expected a 1-d tensor of ", total,
              " elements (the parameters' total), got ", vector.numel(), " elements in ", vector.dim(), " dims");
  NoGradGuard no_grad;
  int64_t offset = 0;
  for (const Tensor& p : parameters) {
    p.copy_(vector.narrow(0, offset, p.numel()).view(p.sizes()));
    offset += p.numel();
  }
}

int64_t num_parameters(const std::vector<Tensor>& parameters, bool only_trainable) {
  int64_t count = 0;
  for (const Tensor& p : parameters)
    if (!only_trainable || p.requires_grad()) count += p.numel();
  return count;
}

}  // namespace accel::nn::utils
