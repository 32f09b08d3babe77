#include <accel/nn/normalization.h>

#include <ostream>

#include <accel/nn/repr.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

// ---- BatchNorm ------------------------------------------------------------------------------

template <typename Derived>
BatchNormBase<Derived>::BatchNormBase(int64_t num_features, const BatchNormOptions& options)
    : num_features(num_features), options(options) {
  reset();
}

template <typename Derived>
void BatchNormBase<Derived>::reset() {
  const std::string name = this->type_name();
  ACCEL_CHECK(num_features > 0, name, ": num_features must be positive, got ", num_features);
  ACCEL_CHECK(options.eps > 0, name, ": eps must be positive, got ", options.eps);
  ACCEL_CHECK(!options.momentum || (*options.momentum >= 0 && *options.momentum <= 1), name,
              ": momentum must be in [0, 1], got ", options.momentum.value_or(0));
  weight = this->register_parameter("weight", options.affine ? ones({num_features}) : Tensor());
  bias = this->register_parameter("bias", options.affine ? zeros({num_features}) : Tensor());
  const bool track = options.track_running_stats;
  running_mean = this->register_buffer("running_mean", track ? zeros({num_features}) : Tensor());
  running_var = this->register_buffer("running_var", track ? ones({num_features}) : Tensor());
  num_batches_tracked = this->register_buffer("num_batches_tracked", track ? zeros({}, {.dtype = kInt64}) : Tensor());
}

template <typename Derived>
void BatchNormBase<Derived>::reset_running_stats() {
  if (!options.track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

template <typename Derived>
Tensor BatchNormBase<Derived>::forward(const Tensor& input) {
  ACCEL_CHECK(input.defined(), this->type_name(), ": undefined input");
  check_input_dim(input);
  ACCEL_CHECK(input.size(1) == num_features, this->type_name(), ": expected ", num_features,
              " channels (dim 1), got input of shape ", input.sizes());
  const bool training = this->is_training();
  double momentum = 0;  // unused unless the running statistics are updated
  if (training && options.track_running_stats) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    momentum = options.momentum ? *options.momentum : 1.0 / num_batches_tracked.template item<int64_t>();
  }
  // Without running statistics there is nothing else to normalize with than the batch's own.
  const bool use_batch_stats = training || !options.track_running_stats;
  return batch_norm(input, weight, bias, running_mean, running_var, use_batch_stats, momentum, options.eps);
}

template <typename Derived>
void BatchNormBase<Derived>::pretty_print(std::ostream& os) const {
  os << this->type_name() << "(" << num_features << ", eps=" << python_repr(options.eps)
     << ", momentum=" << (options.momentum ? python_repr(*options.momentum) : "None");
  os << ", affine=" << python_repr(options.affine)
     << ", track_running_stats=" << python_repr(options.track_running_stats) << ")";
}

template class BatchNormBase<BatchNorm1d>;
template class BatchNormBase<BatchNorm2d>;

void BatchNorm1d::check_input_dim(const Tensor& input) const {
  ACCEL_CHECK(input.dim() == 2 || input.dim() == 3,
              "BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got shape ", input.sizes());
}

void BatchNorm2d::check_input_dim(const Tensor& input) const {
  ACCEL_CHECK(input.dim() == 4, "BatchNorm2d: expected a 4-D [N, C, H, W] input, got shape ", input.sizes());
}

// ---- LayerNorm ------------------------------------------------------------------------------

LayerNorm::LayerNorm(std::vector<int64_t> normalized_shape, const LayerNormOptions& options)
    : normalized_shape(std::move(normalized_shape)), options(options) {
  reset();
}

void LayerNorm::reset() {
  ACCEL_CHECK(!normalized_shape.empty(), "LayerNorm: normalized_shape must not be empty");
  for (int64_t size : normalized_shape)
    ACCEL_CHECK(size > 0, "LayerNorm: normalized_shape must be positive, got ", IntArrayRef(normalized_shape));
  ACCEL_CHECK(options.eps > 0, "LayerNorm: eps must be positive, got ", options.eps);
  const bool affine = options.elementwise_affine;
  weight = register_parameter("weight", affine ? ones(normalized_shape) : Tensor());
  bias = register_parameter("bias", affine && options.bias ? zeros(normalized_shape) : Tensor());
}

Tensor LayerNorm::forward(const Tensor& input) {
  return layer_norm(input, normalized_shape, weight, bias, options.eps);
}

void LayerNorm::pretty_print(std::ostream& os) const {
  os << "LayerNorm(" << python_tuple(normalized_shape) << ", eps=" << python_repr(options.eps)
     << ", elementwise_affine=" << python_repr(options.elementwise_affine);
  if (options.elementwise_affine && !options.bias) os << ", bias=False";
  os << ")";
}

// ---- GroupNorm ------------------------------------------------------------------------------

GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, const GroupNormOptions& options)
    : num_groups(num_groups), num_channels(num_channels), options(options) {
  reset();
}

void GroupNorm::reset() {
  ACCEL_CHECK(num_groups > 0 && num_channels > 0 && num_channels % num_groups == 0, "GroupNorm: num_channels (",
              num_channels, ") must be a positive multiple of num_groups (", num_groups, ")");
  ACCEL_CHECK(options.eps > 0, "GroupNorm: eps must be positive, got ", options.eps);
  weight = register_parameter("weight", options.affine ? ones({num_channels}) : Tensor());
  bias = register_parameter("bias", options.affine ? zeros({num_channels}) : Tensor());
}

Tensor GroupNorm::forward(const Tensor& input) {
  ACCEL_CHECK(input.defined() && input.dim() >= 2 && input.size(1) == num_channels, "GroupNorm: expected an input [N, ",
              num_channels, ", *], got shape ", input.defined() ? input.sizes() : IntArrayRef{});
  return group_norm(input, num_groups, weight, bias, options.eps);
}

void GroupNorm::pretty_print(std::ostream& os) const {
  os << "GroupNorm(" << num_groups << ", " << num_channels << ", eps=" << python_repr(options.eps)
     << ", affine=" << python_repr(options.affine) << ")";
}

}  // namespace accel::nn
