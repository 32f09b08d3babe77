// The neural-network ops of torch.nn.functional: softmax, convolution, pooling, normalisation.
// Each validates its arguments, computes the output shape exactly as PyTorch does, allocates the
// outputs and runs the device's kernel. Unbatched inputs (no N dim) run as a batch of one.
// Outputs are allocated in their final shape and the kernels write through 4-D views of them, so
// that an output is never a view (an in-place op on it must reach this op's node).
#include <algorithm>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::SavedTensor;
using autograd::TensorList;
using ops::check_defined;

// ---- backward nodes --------------------------------------------------------------------------

// Written with differentiable ops on the saved output, so double backward works.
struct SoftmaxBackward final : Node {
  SoftmaxBackward(int64_t dim, bool log) : dim(dim), log(log) {}
  const char* name() const override { return log ? "LogSoftmaxBackward" : "SoftmaxBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor y = out.unpack(this);
    if (log) return {g[0] - exp(y) * g[0].sum({dim}, true)};
    return {y * (g[0] - (g[0] * y).sum({dim}, true))};
  }
  void release_saved() override { out.reset(); }
  int64_t dim;
  bool log;
  SavedTensor out;
};

// A gradient for a kernel to overwrite: contiguous, in the shape of what it is the gradient of.
Tensor grad_buffer(IntArrayRef sizes, const Tensor& like) {
  return empty(sizes, {.dtype = like.dtype(), .device = like.device()});
}

// The conv1d / unbatched shapes are viewed as the 4-D ones conv2d's kernels take.
struct ConvolutionBackward final : Node {
  const char* name() const override { return "ConvolutionBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor dy = g[0].reshape(out_4d);
    Backend& kernels = backend(dy.device());
    Tensor gi, gw, gb;
    if (needs_input_grad(0)) {
      gi = grad_buffer(input_sizes, dy);
      kernels.conv2d_backward_input(gi.view(input_4d), dy, weight.unpack(this).reshape(weight_4d), stride, padding,
                                    dilation, groups);
    }
    if (needs_input_grad(1)) {
      gw = grad_buffer(weight_sizes, dy);
      kernels.conv2d_backward_weight(gw.view(weight_4d), dy, input.unpack(this).reshape(input_4d), stride, padding,
                                     dilation, groups);
    }
    if (needs_input_grad(2)) gb = dy.sum({0, 2, 3});
    return {gi, gw, gb};
  }
  void release_saved() override {
    input.reset();
    weight.reset();
  }
  SavedTensor input, weight;  // each only when the other one needs a gradient
  DimVector input_sizes, weight_sizes, input_4d, weight_4d, out_4d;
  DimVector stride, padding, dilation;
  int64_t groups = 1;
};

struct MaxPool2dBackward final : Node {
  const char* name() const override { return "MaxPool2DWithIndicesBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor gi = grad_buffer(input_sizes, g[0]);
    backend(gi.device()).max_pool2d_backward(gi.view(input_4d), g[0].reshape(out_4d), indices.unpack(this).reshape(out_4d));
    return {gi};
  }
  void release_saved() override { indices.reset(); }
  SavedTensor indices;
  DimVector input_sizes, input_4d, out_4d;
};

struct AvgPool2dBackward final : Node {
  const char* name() const override { return "AvgPool2DBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor gi = grad_buffer(input_sizes, g[0]);
    backend(gi.device()).avg_pool2d_backward(gi.view(input_4d), g[0].reshape(out_4d), kernel, stride, padding,
                                             count_include_pad, divisor);
    return {gi};
  }
  DimVector input_sizes, input_4d, out_4d, kernel, stride, padding;
  bool count_include_pad = true;
  std::optional<int64_t> divisor;
};

struct AdaptiveAvgPool2dBackward final : Node {
  const char* name() const override { return "AdaptiveAvgPool2DBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor gi = grad_buffer(input_sizes, g[0]);
    backend(gi.device()).adaptive_avg_pool2d_backward(gi.view(input_4d), g[0].reshape(out_4d));
    return {gi};
  }
  DimVector input_sizes, input_4d, out_4d;
};

// Gradients of input, weight and bias of a normalisation; weight and bias may be undefined.
struct NormGrads {
  Tensor input, weight, bias;
  NormGrads(const Node& node, const Tensor& like, IntArrayRef input_sizes, IntArrayRef param_sizes) {
    if (node.needs_input_grad(0)) input = grad_buffer(input_sizes, like);
    if (node.needs_input_grad(1)) weight = grad_buffer(param_sizes, like);
    if (node.needs_input_grad(2)) bias = grad_buffer(param_sizes, like);
  }
  TensorList list() const { return {input, weight, bias}; }
};

// The running statistics are not differentiable: in training they are not used by the gradient,
// in evaluation they are constants.
struct BatchNormBackward final : Node {
  const char* name() const override { return "NativeBatchNormBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = input.unpack(this);
    const NormGrads grads(*this, g[0], x.sizes(), {x.size(1)});
    backend(x.device()).batch_norm_backward(grads.input, grads.weight, grads.bias, g[0], x, weight.unpack(this),
                                            mean.unpack(this), invstd.unpack(this), training, eps,
                                            running_mean.unpack(this), running_var.unpack(this));
    return grads.list();
  }
  void release_saved() override {
    for (SavedTensor* t : {&input, &weight, &mean, &invstd, &running_mean, &running_var}) t->reset();
  }
  SavedTensor input, weight, mean, invstd;  // weight only for the input's gradient; mean / invstd in training
  SavedTensor running_mean, running_var;    // in evaluation
  bool training = true;
  double eps = 0;
};

struct LayerNormBackward final : Node {
  const char* name() const override { return "NativeLayerNormBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = input.unpack(this);
    const NormGrads grads(*this, g[0], x.sizes(), normalized_shape);
    backend(x.device()).layer_norm_backward(grads.input, grads.weight, grads.bias, g[0], x, mean.unpack(this),
                                            rstd.unpack(this), weight.unpack(this));
    return grads.list();
  }
  void release_saved() override {
    for (SavedTensor* t : {&input, &weight, &mean, &rstd}) t->reset();
  }
  SavedTensor input, weight, mean, rstd;
  DimVector normalized_shape;
};

struct GroupNormBackward final : Node {
  const char* name() const override { return "NativeGroupNormBackward"; }
  bool supports_double_backward() const override { return false; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = input.unpack(this);
    const NormGrads grads(*this, g[0], x.sizes(), {x.size(1)});
    backend(x.device()).group_norm_backward(grads.input, grads.weight, grads.bias, g[0], x, mean.unpack(this),
                                            rstd.unpack(this), weight.unpack(this), groups);
    return grads.list();
  }
  void release_saved() override {
    for (SavedTensor* t : {&input, &weight, &mean, &rstd}) t->reset();
  }
  SavedTensor input, weight, mean, rstd;
  int64_t groups = 1;
};

// ---- forward ---------------------------------------------------------------------------------

void check_floating_input(const char* op, const Tensor& input) {
  check_defined(input, op);
  ACCEL_CHECK(input.is_floating_point(), op, ": expected a floating-point input, got ", name(input.dtype()));
}

// An optional parameter (weight, bias, running stats) must live with the input and share its dtype.
void check_parameter(const char* op, const char* what, const Tensor& param, const Tensor& input) {
  if (!param.defined()) return;
  ACCEL_CHECK(param.device() == input.device(), op, ": expected ", what, " on the input's device ", input.device(),
              ", got ", param.device());
  ACCEL_CHECK(param.dtype() == input.dtype(), op, ": ", what, " dtype ", name(param.dtype()),
              " differs from the input dtype ", name(input.dtype()));
}

void check_channel_parameter(const char* op, const char* what, const Tensor& param, const Tensor& input,
                             int64_t channels) {
  if (!param.defined()) return;
  check_parameter(op, what, param, input);
  ACCEL_CHECK(param.dim() == 1 && param.size(0) == channels, op, ": expected ", what, " of shape [", channels,
              "] for input of shape ", input.sizes(), ", got ", param.sizes());
}

// A size argument of 1 or n values as n values (PyTorch's _single / _pair).
DimVector expand_arg(const char* op, const char* what, IntArrayRef values, size_t n, int64_t min_value) {
  ACCEL_CHECK(values.size() == 1 || values.size() == n, op, ": expected ", what, " to have 1 or ", n,
              " values, got ", values);
  DimVector out(n, values[0]);
  if (values.size() == n) out = DimVector(values);
  for (int64_t v : out)
    ACCEL_CHECK(v >= min_value, op, ": ", what, " must be ", min_value == 0 ? "non-negative" : "positive", ", got ",
                values);
  return out;
}

Tensor softmax_impl(const Tensor& x, int64_t dim, bool log) {
  const char* op = log ? "log_softmax" : "softmax";
  check_floating_input(op, x);
  const int64_t d = wrap_dim(dim, x.dim(), op);
  Tensor out = empty(x.sizes(), x.options());
  backend(x.device()).softmax(out, x, d, log);
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<SoftmaxBackward>({&x}, d, log);
    autograd::set_history(out, *node);
    node->out = SavedTensor(out, /*is_output=*/true);
  }
  return out;
}

// ---- convolution ---------------------------------------------------------------------------

// conv1d and conv2d: validated in their own terms, then run as 2-D (conv1d with H = 1).
Tensor convolution(const char* op, size_t spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                   IntArrayRef stride_arg, IntArrayRef padding_arg, IntArrayRef dilation_arg, int64_t groups) {
  check_floating_input(op, input);
  check_defined(weight, op);
  const bool record = autograd::should_record(input, weight, bias);
  NoGradGuard no_grad;  // the 4-D views below are the kernel's, not part of the graph
  const auto s = static_cast<int64_t>(spatial);
  ACCEL_CHECK(input.dim() == s + 1 || input.dim() == s + 2, op, ": expected a ", s + 1, "-D (unbatched) or ", s + 2,
              "-D (batched) input, got shape ", input.sizes());
  ACCEL_CHECK(weight.dim() == s + 2, op, ": expected a ", s + 2, "-D weight [out_channels, in_channels / groups",
              spatial == 1 ? ", kW" : ", kH, kW", "], got shape ", weight.sizes());
  check_parameter(op, "weight", weight, input);
  ACCEL_CHECK(groups > 0, op, ": groups must be positive, got ", groups);
  const bool batched = input.dim() == s + 2;
  const int64_t in_channels = input.size(batched ? 1 : 0), out_channels = weight.size(0);
  ACCEL_CHECK(out_channels % groups == 0, op, ": out_channels ", out_channels, " (weight shape ", weight.sizes(),
              ") is not divisible by groups = ", groups);
  ACCEL_CHECK(in_channels == weight.size(1) * groups, op, ": input shape ", input.sizes(), " has ", in_channels,
              " channels, but weight shape ", weight.sizes(), " with groups = ", groups, " expects ",
              weight.size(1) * groups);
  if (bias.defined()) {
    check_parameter(op, "bias", bias, input);
    ACCEL_CHECK(bias.dim() == 1 && bias.size(0) == out_channels, op, ": expected bias of shape [", out_channels,
                "], got ", bias.sizes());
  }
  DimVector stride = expand_arg(op, "stride", stride_arg, spatial, 1);
  DimVector padding = expand_arg(op, "padding", padding_arg, spatial, 0);
  DimVector dilation = expand_arg(op, "dilation", dilation_arg, spatial, 1);
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t size = input.size(input.dim() - s + static_cast<int64_t>(i));
    const int64_t kernel = weight.size(2 + static_cast<int64_t>(i));
    const int64_t extent = (kernel - 1) * dilation[i] + 1;
    ACCEL_CHECK(extent <= size + 2 * padding[i], op, ": kernel of shape ", weight.sizes(), " (dilation ", dilation,
                ") is larger than the padded input: input shape ", input.sizes(), ", padding ", padding);
  }

  Tensor x = batched ? input : input.unsqueeze(0);
  Tensor w = weight;
  if (spatial == 1) {
    x = x.unsqueeze(2);
    w = w.unsqueeze(2);
    stride.insert(0, 1);
    padding.insert(0, 0);
    dilation.insert(0, 1);
  }
  const auto out_size = [&](int64_t i) {
    return (x.size(2 + i) + 2 * padding[i] - dilation[i] * (w.size(2 + i) - 1) - 1) / stride[i] + 1;
  };
  const DimVector out_4d{x.size(0), out_channels, out_size(0), out_size(1)};
  DimVector out_shape = out_4d;
  if (spatial == 1) out_shape.erase(2);
  if (!batched) out_shape.erase(0);
  Tensor out = empty(out_shape, input.options());
  backend(input.device()).conv2d(out.view(out_4d), x, w, bias, stride, padding, dilation, groups);
  if (record) {
    auto node = autograd::make_node<ConvolutionBackward>({&input, &weight, &bias});
    if (node->needs_input_grad(1)) node->input = SavedTensor(input);
    if (node->needs_input_grad(0)) node->weight = SavedTensor(weight);
    node->input_sizes = DimVector(input.sizes());
    node->weight_sizes = DimVector(weight.sizes());
    node->input_4d = DimVector(x.sizes());
    node->weight_4d = DimVector(w.sizes());
    node->out_4d = out_4d;
    node->stride = stride;
    node->padding = padding;
    node->dilation = dilation;
    node->groups = groups;
    autograd::set_history(out, *node);
  }
  return out;
}

// ---- pooling -------------------------------------------------------------------------------

// PyTorch's pooling_output_shape: with ceil_mode the last window may run past the input but must
// start inside it or in the left padding.
int64_t pooled_size(int64_t size, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation, bool ceil_mode) {
  const int64_t span = size + 2 * pad - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  int64_t out = (span >= 0 ? span / stride : -((-span + stride - 1) / stride)) + 1;  // floor division
  if (ceil_mode && (out - 1) * stride >= size + pad) --out;
  return out;
}

struct Pool2d {
  Tensor input;  // 4-D
  bool batched;
  DimVector kernel, stride, padding, dilation;
  DimVector out_shape;  // 4-D

  // An output in the final shape (no N dim when unbatched); the kernel writes to view_4d of it.
  Tensor output(const TensorOptions& options) const {
    DimVector shape = out_shape;
    if (!batched) shape.erase(0);
    return empty(shape, options);
  }
  Tensor view_4d(const Tensor& out) const { return out.view(out_shape); }
};

Pool2d pool2d_geometry(const char* op, const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride_arg,
                       IntArrayRef padding_arg, IntArrayRef dilation_arg, bool ceil_mode) {
  check_floating_input(op, input);
  ACCEL_CHECK((input.dim() == 3 || input.dim() == 4) && input.size(-1) > 0 && input.size(-2) > 0 &&
                  input.size(-3) > 0,
              op, ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input with non-zero C, H and W, got shape ",
              input.sizes());
  const Tensor x = input.dim() == 4 ? input : input.unsqueeze(0);
  const DimVector kernel = expand_arg(op, "kernel_size", kernel_size, 2, 1);
  Pool2d p{.input = x,
           .batched = input.dim() == 4,
           .kernel = kernel,
           .stride = stride_arg.empty() ? kernel : expand_arg(op, "stride", stride_arg, 2, 1),
           .padding = expand_arg(op, "padding", padding_arg, 2, 0),
           .dilation = expand_arg(op, "dilation", dilation_arg, 2, 1),
           .out_shape = {x.size(0), x.size(1), 0, 0}};
  for (size_t i = 0; i < 2; ++i) {
    ACCEL_CHECK(p.padding[i] <= p.kernel[i] / 2, op, ": padding should be at most half of the kernel size, got padding ",
                p.padding, " and kernel_size ", p.kernel);
    p.out_shape[2 + i] = pooled_size(p.input.size(2 + static_cast<int64_t>(i)), p.kernel[i], p.stride[i],
                                     p.padding[i], p.dilation[i], ceil_mode);
  }
  ACCEL_CHECK(p.out_shape[2] >= 1 && p.out_shape[3] >= 1, op, ": input of shape ", input.sizes(),
              " is too small for kernel_size ", p.kernel, " (dilation ", p.dilation, ", padding ", p.padding,
              "): the output would be ", p.out_shape[2], "x", p.out_shape[3]);
  return p;
}

template <typename N>
IntrusivePtr<N> make_pool_node(const Pool2d& p, const Tensor& input) {
  auto node = autograd::make_node<N>({&input});
  node->input_sizes = DimVector(input.sizes());
  node->input_4d = DimVector(p.input.sizes());
  node->out_4d = p.out_shape;
  return node;
}

std::tuple<Tensor, Tensor> max_pool(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                    IntArrayRef padding, IntArrayRef dilation, bool ceil_mode, bool with_indices) {
  const bool record = autograd::should_record(input);
  NoGradGuard no_grad;
  const Pool2d p = pool2d_geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode);
  Tensor out = p.output(input.options());
  Tensor indices = with_indices || record ? p.output({.dtype = kInt64, .device = input.device()}) : Tensor();
  backend(input.device())
      .max_pool2d(p.view_4d(out), indices.defined() ? p.view_4d(indices) : Tensor(), p.input, p.kernel, p.stride,
                  p.padding, p.dilation);
  if (record) {
    auto node = make_pool_node<MaxPool2dBackward>(p, input);
    node->indices = SavedTensor(indices);
    autograd::set_history(out, *node);
  }
  return {out, indices};
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_impl(x, dim, true); }
Tensor Tensor::softmax(int64_t dim) const { return accel::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return accel::log_softmax(*this, dim); }

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  return convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding,
              IntArrayRef dilation, int64_t groups) {
  return convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride,
                                                   IntArrayRef padding, IntArrayRef dilation, bool ceil_mode) {
  return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, /*with_indices=*/true);
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  return std::get<0>(max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, /*with_indices=*/false));
}

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  ACCEL_CHECK(!divisor_override || *divisor_override != 0, "avg_pool2d: divisor_override must be non-zero");
  const bool record = autograd::should_record(input);
  NoGradGuard no_grad;
  const Pool2d p = pool2d_geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode);
  Tensor out = p.output(input.options());
  backend(input.device())
      .avg_pool2d(p.view_4d(out), p.input, p.kernel, p.stride, p.padding, count_include_pad, divisor_override);
  if (record) {
    auto node = make_pool_node<AvgPool2dBackward>(p, input);
    node->kernel = p.kernel;
    node->stride = p.stride;
    node->padding = p.padding;
    node->count_include_pad = count_include_pad;
    node->divisor = divisor_override;
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  const char* op = "adaptive_avg_pool2d";
  const bool record = autograd::should_record(input);
  NoGradGuard no_grad;
  check_floating_input(op, input);
  ACCEL_CHECK((input.dim() == 3 || input.dim() == 4) && input.size(-1) > 0 && input.size(-2) > 0 &&
                  input.size(-3) > 0,
              op, ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input with non-zero C, H and W, got shape ",
              input.sizes());
  const DimVector size = expand_arg(op, "output_size", output_size, 2, 0);
  const Pool2d p{.input = input.dim() == 4 ? input : input.unsqueeze(0),
                 .batched = input.dim() == 4,
                 .out_shape = {input.dim() == 4 ? input.size(0) : 1, input.size(-3), size[0], size[1]}};
  Tensor out = p.output(input.options());
  backend(input.device()).adaptive_avg_pool2d(p.view_4d(out), p.input);
  if (record) autograd::set_history(out, *make_pool_node<AdaptiveAvgPool2dBackward>(p, input));
  return out;
}

// ---- normalisation -------------------------------------------------------------------------

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  check_floating_input(op, input);
  ACCEL_CHECK(input.dim() >= 2, op, ": expected an input of shape [N, C, *], got ", input.sizes());
  const int64_t channels = input.size(1);
  check_channel_parameter(op, "weight", weight, input, channels);
  check_channel_parameter(op, "bias", bias, input, channels);
  check_channel_parameter(op, "running_mean", running_mean, input, channels);
  check_channel_parameter(op, "running_var", running_var, input, channels);
  if (training) {
    ACCEL_CHECK(input.numel() / std::max<int64_t>(channels, 1) > 1, op,
                ": expected more than 1 value per channel when training, got input shape ", input.sizes());
    if (running_mean.defined()) ops::check_writable(running_mean, op);
    if (running_var.defined()) ops::check_writable(running_var, op);
  } else {
    ACCEL_CHECK(running_mean.defined() && running_var.defined(), op,
                ": running_mean and running_var must be defined in evaluation mode");
  }
  Tensor out = empty(input.sizes(), input.options());
  const Tensor save_mean = empty({channels}, input.options()), save_invstd = empty({channels}, input.options());
  backend(input.device())
      .batch_norm(out, save_mean, save_invstd, input, weight, bias, running_mean, running_var, training, momentum, eps);
  if (training && running_mean.defined()) running_mean.bump_version();
  if (training && running_var.defined()) running_var.bump_version();
  if (autograd::should_record(input, weight, bias)) {
    auto node = autograd::make_node<BatchNormBackward>({&input, &weight, &bias});
    node->input = SavedTensor(input);
    if (node->needs_input_grad(0)) node->weight = SavedTensor(weight);
    if (training) {
      node->mean = SavedTensor(save_mean);
      node->invstd = SavedTensor(save_invstd);
    } else {
      node->running_mean = SavedTensor(running_mean);
      node->running_var = SavedTensor(running_var);
    }
    node->training = training;
    node->eps = eps;
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  const char* op = "layer_norm";
  check_floating_input(op, input);
  const auto k = static_cast<int64_t>(normalized_shape.size());
  ACCEL_CHECK(k >= 1, op, ": expected normalized_shape to have at least one dim");
  const bool matches = input.dim() >= k &&
                       IntArrayRef(input.sizes().data() + input.dim() - k, normalized_shape.size()) == normalized_shape;
  ACCEL_CHECK(matches, op, ": given normalized_shape ", normalized_shape,
              ", expected an input whose trailing dims are ", normalized_shape, ", got shape ", input.sizes());
  for (const auto& [param, what] : {std::pair{&weight, "weight"}, {&bias, "bias"}}) {
    if (!param->defined()) continue;
    check_parameter(op, what, *param, input);
    ACCEL_CHECK(param->sizes() == normalized_shape, op, ": expected ", what, " of shape ", normalized_shape,
                ", got ", param->sizes());
  }
  const int64_t rows = numel_of(IntArrayRef(input.sizes().data(), static_cast<size_t>(input.dim() - k)));
  Tensor out = empty(input.sizes(), input.options());
  const Tensor mean = empty({rows}, input.options()), rstd = empty({rows}, input.options());
  backend(input.device()).layer_norm(out, mean, rstd, input, weight, bias, eps);
  if (autograd::should_record(input, weight, bias)) {
    auto node = autograd::make_node<LayerNormBackward>({&input, &weight, &bias});
    node->input = SavedTensor(input);
    if (node->needs_input_grad(0)) node->weight = SavedTensor(weight);
    node->mean = SavedTensor(mean);
    node->rstd = SavedTensor(rstd);
    node->normalized_shape = DimVector(normalized_shape);
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  const char* op = "group_norm";
  check_floating_input(op, input);
  ACCEL_CHECK(input.dim() >= 2, op, ": expected an input of shape [N, C, *], got ", input.sizes());
  const int64_t channels = input.size(1);
  ACCEL_CHECK(num_groups > 0 && channels % num_groups == 0, op, ": expected the number of channels of input shape ",
              input.sizes(), " to be divisible by num_groups = ", num_groups);
  check_channel_parameter(op, "weight", weight, input, channels);
  check_channel_parameter(op, "bias", bias, input, channels);
  Tensor out = empty(input.sizes(), input.options());
  const Tensor mean = empty({input.size(0), num_groups}, input.options());
  const Tensor rstd = empty({input.size(0), num_groups}, input.options());
  backend(input.device()).group_norm(out, mean, rstd, input, weight, bias, num_groups, eps);
  if (autograd::should_record(input, weight, bias)) {
    auto node = autograd::make_node<GroupNormBackward>({&input, &weight, &bias});
    node->input = SavedTensor(input);
    if (node->needs_input_grad(0)) node->weight = SavedTensor(weight);
    node->mean = SavedTensor(mean);
    node->rstd = SavedTensor(rstd);
    node->groups = num_groups;
    autograd::set_history(out, *node);
  }
  return out;
}

}  // namespace accel
