// The neural-network ops of torch.nn.functional: softmax, convolution, pooling, normalisation.
// Each validates its arguments, computes the output shape exactly as PyTorch does, allocates the
// outputs and runs the device's kernel. Unbatched inputs (no N dim) run as a batch of one.
#include <algorithm>

#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using ops::check_defined;

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
  return out;
}

// ---- convolution ---------------------------------------------------------------------------

// conv1d and conv2d: validated in their own terms, then run as 2-D (conv1d with H = 1).
Tensor convolution(const char* op, size_t spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                   IntArrayRef stride_arg, IntArrayRef padding_arg, IntArrayRef dilation_arg, int64_t groups) {
  check_floating_input(op, input);
  check_defined(weight, op);
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
  Tensor out = empty({x.size(0), out_channels, out_size(0), out_size(1)}, input.options());
  backend(input.device()).conv2d(out, x, w, bias, stride, padding, dilation, groups);
  if (spatial == 1) out = out.squeeze(2);
  return batched ? out : out.squeeze(0);
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
  DimVector out_shape;

  Tensor result(const Tensor& out) const { return batched ? out : out.squeeze(0); }
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
  const Pool2d p = pool2d_geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode);
  Tensor out = empty(p.out_shape, input.options());
  Tensor indices = empty(p.out_shape, {.dtype = kInt64, .device = input.device()});
  backend(input.device()).max_pool2d(out, indices, p.input, p.kernel, p.stride, p.padding, p.dilation);
  return {p.result(out), p.result(indices)};
}

Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  IntArrayRef dilation, bool ceil_mode) {
  const Pool2d p = pool2d_geometry("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode);
  Tensor out = empty(p.out_shape, input.options());
  backend(input.device()).max_pool2d(out, Tensor(), p.input, p.kernel, p.stride, p.padding, p.dilation);
  return p.result(out);
}

Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride, IntArrayRef padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  ACCEL_CHECK(!divisor_override || *divisor_override != 0, "avg_pool2d: divisor_override must be non-zero");
  const Pool2d p = pool2d_geometry("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode);
  Tensor out = empty(p.out_shape, input.options());
  backend(input.device()).avg_pool2d(out, p.input, p.kernel, p.stride, p.padding, count_include_pad, divisor_override);
  return p.result(out);
}

Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size) {
  const char* op = "adaptive_avg_pool2d";
  check_floating_input(op, input);
  ACCEL_CHECK((input.dim() == 3 || input.dim() == 4) && input.size(-1) > 0 && input.size(-2) > 0 &&
                  input.size(-3) > 0,
              op, ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input with non-zero C, H and W, got shape ",
              input.sizes());
  const DimVector size = expand_arg(op, "output_size", output_size, 2, 0);
  const bool batched = input.dim() == 4;
  const Tensor x = batched ? input : input.unsqueeze(0);
  Tensor out = empty({x.size(0), x.size(1), size[0], size[1]}, input.options());
  backend(input.device()).adaptive_avg_pool2d(out, x);
  return batched ? out : out.squeeze(0);
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
  return out;
}

}  // namespace accel
