#pragma once
// Gradient clipping and parameter helpers (torch.nn.utils).
//
//   double norm = nn::utils::clip_grad_norm_(model->parameters(), 1.0);
#include <cstdint>
#include <limits>
#include <vector>

#include <accel/tensor/tensor.h>

namespace accel::nn::utils {

// Scales the gradients of `parameters` together so that their total norm (the norm of all
// gradients as one vector; norm_type may be infinity) is at most max_norm, and returns the total
// norm before clipping. As PyTorch: every gradient is multiplied by min(1, max_norm / (total + 1e-6)),
// so a non-finite total turns the gradients into zeros or NaNs, unless error_if_nonfinite, which
// throws instead and leaves them untouched. Parameters without a gradient are skipped; none gives 0.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
// Clamps every gradient into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);

// All parameters flattened into one 1-d tensor, and the reverse (copies values into the parameters).
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
void vector_to_parameters(const Tensor& vector, const std::vector<Tensor>& parameters);

// The number of elements of `parameters` (only those that require grad when only_trainable).
int64_t num_parameters(const std::vector<Tensor>& parameters, bool only_trainable = false);

}  // namespace accel::nn::utils
