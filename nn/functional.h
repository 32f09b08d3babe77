#pragma once
// nn::functional: the stateless functions behind the layers, with PyTorch's names and argument
// order (torch.nn.functional). Optional arguments come in option structs:
//
//   namespace F = accel::nn::functional;
//   Tensor y = F::conv2d(x, weight, {.bias = b, .padding = 1});
//   Tensor loss = F::cross_entropy(logits, target, {.label_smoothing = 0.1});
//
// They forward to the differentiable ops of tensor/ops.h.
#include <cstdint>
#include <optional>
#include <string>

#include <accel/nn/expanding_array.h>
#include <accel/tensor/ops.h>
#include <accel/tensor/tensor.h>

namespace accel::nn::functional {

using accel::Reduction;

// ---- linear and convolution ----
inline Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {}) {
  return accel::linear(input, weight, bias);
}

template <size_t D>
struct ConvFuncOptions {
  Tensor bias = {};
  ExpandingArray<D> stride = 1;
  ExpandingArray<D> padding = 0;
  ExpandingArray<D> dilation = 1;
  int64_t groups = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;

inline Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o = {}) {
  return accel::conv1d(input, weight, o.bias, o.stride, o.padding, o.dilation, o.groups);
}
inline Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o = {}) {
  return accel::conv2d(input, weight, o.bias, o.stride, o.padding, o.dilation, o.groups);
}

// ---- pooling ----
struct MaxPool2dFuncOptions {
  std::optional<ExpandingArray<2>> stride = std::nullopt;  // default: kernel_size
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> dilation = 1;
  bool ceil_mode = false;
};
inline Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, const MaxPool2dFuncOptions& o = {}) {
  return accel::max_pool2d(input, kernel_size, o.stride.value_or(kernel_size), o.padding, o.dilation, o.ceil_mode);
}

struct AvgPool2dFuncOptions {
  std::optional<ExpandingArray<2>> stride = std::nullopt;  // default: kernel_size
  ExpandingArray<2> padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;
};
inline Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, const AvgPool2dFuncOptions& o = {}) {
  return accel::avg_pool2d(input, kernel_size, o.stride.value_or(kernel_size), o.padding, o.ceil_mode,
                           o.count_include_pad, o.divisor_override);
}
inline Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size) {
  return accel::adaptive_avg_pool2d(input, output_size);
}

// ---- activations ----
inline Tensor relu(const Tensor& input) { return accel::relu(input); }
// approximate: "none" (erf) or "tanh".
inline Tensor gelu(const Tensor& input, const std::string& approximate = "none") {
  return accel::gelu(input, approximate);
}
inline Tensor silu(const Tensor& input) { return accel::silu(input); }
inline Tensor tanh(const Tensor& input) { return accel::tanh(input); }
inline Tensor sigmoid(const Tensor& input) { return accel::sigmoid(input); }
inline Tensor leaky_relu(const Tensor& input, double negative_slope = 0.01) {
  return accel::leaky_relu(input, negative_slope);
}
inline Tensor elu(const Tensor& input, double alpha = 1.0) { return accel::elu(input, alpha); }
inline Tensor softplus(const Tensor& input, double beta = 1.0, double threshold = 20.0) {
  return accel::softplus(input, beta, threshold);
}
inline Tensor softmax(const Tensor& input, int64_t dim) { return accel::softmax(input, dim); }
inline Tensor log_softmax(const Tensor& input, int64_t dim) { return accel::log_softmax(input, dim); }

// ---- dropout and normalisation ----
struct DropoutFuncOptions {
  double p = 0.5;
  bool training = true;
};
inline Tensor dropout(const Tensor& input, const DropoutFuncOptions& o = {}) {
  return accel::dropout(input, o.p, o.training);
}

struct BatchNormFuncOptions {
  Tensor weight = {};
  Tensor bias = {};
  bool training = false;
  double momentum = 0.1;
  double eps = 1e-5;
};
// running_mean / running_var may be undefined (then training must be true); in training they are
// updated in place.
inline Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                         const BatchNormFuncOptions& o = {}) {
  return accel::batch_norm(input, o.weight, o.bias, running_mean, running_var, o.training, o.momentum, o.eps);
}

struct NormFuncOptions {
  Tensor weight = {};
  Tensor bias = {};
  double eps = 1e-5;
};
inline Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const NormFuncOptions& o = {}) {
  return accel::layer_norm(input, normalized_shape, o.weight, o.bias, o.eps);
}
inline Tensor group_norm(const Tensor& input, int64_t num_groups, const NormFuncOptions& o = {}) {
  return accel::group_norm(input, num_groups, o.weight, o.bias, o.eps);
}

// ---- embedding and shapes ----
struct EmbeddingFuncOptions {
  std::optional<int64_t> padding_idx = std::nullopt;  // that row gets no gradient
};
// PyTorch's argument order: indices first.
inline Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& o = {}) {
  return accel::embedding(weight, input, o.padding_idx);
}
inline Tensor one_hot(const Tensor& indices, int64_t num_classes = -1) { return accel::one_hot(indices, num_classes); }
// Constant padding; pads[0], pads[1] pad the last dim (before, after), pads[2], pads[3] the one before, ...
inline Tensor pad(const Tensor& input, IntArrayRef pads, double value = 0) { return accel::pad(input, pads, value); }

// ---- losses ----
using CrossEntropyFuncOptions = accel::CrossEntropyOptions;  // weight, ignore_index, reduction, label_smoothing
using NLLLossFuncOptions = accel::CrossEntropyOptions;       // label_smoothing unused
inline Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& o = {}) {
  return accel::cross_entropy(input, target, o);
}
inline Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& o = {}) {
  return accel::nll_loss(input, target, o);
}

struct MSELossFuncOptions {
  Reduction reduction = Reduction::Mean;
};
using L1LossFuncOptions = MSELossFuncOptions;
inline Tensor mse_loss(const Tensor& input, const Tensor& target, const MSELossFuncOptions& o = {}) {
  return accel::mse_loss(input, target, o.reduction);
}
inline Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& o = {}) {
  return accel::l1_loss(input, target, o.reduction);
}

struct SmoothL1LossFuncOptions {
  Reduction reduction = Reduction::Mean;
  double beta = 1.0;
};
inline Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& o = {}) {
  return accel::smooth_l1_loss(input, target, o.reduction, o.beta);
}

struct HuberLossFuncOptions {
  Reduction reduction = Reduction::Mean;
  double delta = 1.0;
};
inline Tensor huber_loss(const Tensor& input, const Tensor& target, const HuberLossFuncOptions& o = {}) {
  return accel::huber_loss(input, target, o.reduction, o.delta);
}

struct BinaryCrossEntropyFuncOptions {
  Tensor weight = {};
  Reduction reduction = Reduction::Mean;
};
inline Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                                   const BinaryCrossEntropyFuncOptions& o = {}) {
  return accel::binary_cross_entropy(input, target, o.weight, o.reduction);
}

struct BinaryCrossEntropyWithLogitsFuncOptions {
  Tensor weight = {};
  Reduction reduction = Reduction::Mean;
  Tensor pos_weight = {};
};
inline Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                               const BinaryCrossEntropyWithLogitsFuncOptions& o = {}) {
  return accel::binary_cross_entropy_with_logits(input, target, o.weight, o.reduction, o.pos_weight);
}

// ---- attention ----
struct ScaledDotProductAttentionOptions {
  Tensor attn_mask = {};  // bool (true = attend) or additive float
  double dropout_p = 0.0;
  bool is_causal = false;
  std::optional<double> scale = std::nullopt;  // default 1/sqrt(head dim)
};
inline Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                           const ScaledDotProductAttentionOptions& o = {}) {
  return accel::scaled_dot_product_attention(query, key, value, o.attn_mask, o.dropout_p, o.is_causal, o.scale);
}

}  // namespace accel::nn::functional
