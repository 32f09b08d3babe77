#pragma once
// The compute interface each device implements (kernels/cpu, kernels/cuda): a small set of
// primitives. Every public op is built from them in autograd/ops/. The caller (the op front end)
// has already checked shapes, dtypes and devices, computed the output shape and dtype, and
// allocated the outputs; a primitive only computes. Inputs may be strided, broadcast (stride 0)
// and of any layout; outputs are freshly allocated contiguous tensors unless stated otherwise.
#include <cstdint>
#include <optional>

#include <accel/tensor/allocator.h>
#include <accel/tensor/device.h>
#include <accel/tensor/scalar.h>
#include <accel/tensor/tensor.h>

namespace accel {

class Generator;

enum class UnaryOp : uint8_t {
  Neg, Abs, Sign, Exp, Exp2, Log, Log2, Log1p, Expm1, Sqrt, Rsqrt, Reciprocal, Sin, Cos, Tan, Tanh,
  Sigmoid, Relu, Gelu, GeluTanh, Silu, LeakyRelu, Elu, Softplus, Erf, Floor, Ceil, Round, Trunc,
  Square, Pow, Clamp,
};
const char* name(UnaryOp op);

// Parameters of the parameterised unary ops:
//   LeakyRelu: a = negative slope; Elu: a = alpha; Softplus: a = beta, b = threshold;
//   Pow: a = exponent; Clamp: a = min, b = max (NaN = no bound).
struct UnaryParams {
  double a = 0;
  double b = 0;
};

enum class BinaryOp : uint8_t {
  Add, Sub, Mul, Div, FloorDiv, TruncDiv, Pow, Maximum, Minimum, Fmod, Remainder, Atan2,
  Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor,
};
const char* name(BinaryOp op);

// out = op(x, y, z) elementwise.
//   Where: x ? y : z (x bool);  Lerp: x + z * (y - x);
//   Addcmul: x + value * y * z;  Addcdiv: x + value * y / z.
enum class TernaryOp : uint8_t { Where, Lerp, Addcmul, Addcdiv };

enum class ReduceOp : uint8_t { Sum, Mean, Prod, Max, Min, All, Any };
const char* name(ReduceOp op);

// The hyper-parameters of one fused optimizer update (Backend::sgd_step / adam_step).
struct SgdStep {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
  bool first;  // the momentum buffer (zeros) holds nothing yet: it starts as the direction
};
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  int64_t step;  // 1 on the first update (bias corrections)
  bool decoupled_weight_decay, amsgrad, maximize;  // decoupled: AdamW
};

// Softmax + cross-entropy over class-index targets in one pass (Backend::cross_entropy).
struct CrossEntropyTargets {
  const Tensor& target;  // int64 [N] class indices
  const Tensor& weight;  // [C] per-class weights, or undefined
  int64_t ignore_index;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual DeviceType type() const = 0;
  virtual Allocator& allocator(int device_index) = 0;

  // ---- memory and elementwise ----
  // dst = src converted to dst's dtype. src has dst's shape (possibly via stride-0 broadcast);
  // dst may be strided. Both on this backend's device.
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  // Copies between this device and the CPU (or two devices of this type); same dtype and shape.
  virtual void copy_across_devices(const Tensor& dst, const Tensor& src);
  virtual void fill(const Tensor& dst, Scalar value) = 0;  // dst may be strided
  // dst[i] = start + i * step over the flat (contiguous) dst.
  virtual void arange(const Tensor& dst, double start, double step) = 0;

  // Elementwise: inputs have out's shape (broadcast views) and out's dtype, except comparison
  // and logical binary ops (inputs share a dtype, out is bool) and Where's bool condition.
  // out may be one of the inputs (in-place ops) but does not otherwise overlap them.
  virtual void unary(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams params) = 0;
  virtual void binary(BinaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, Scalar alpha) = 0;
  virtual void ternary(TernaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& z,
                       Scalar value) = 0;

  // ---- random (counter-based: the stream depends only on the seed and offset) ----
  virtual void uniform(const Tensor& dst, double from, double to, Generator& gen) = 0;
  virtual void normal(const Tensor& dst, double mean, double std, Generator& gen) = 0;
  // Integers uniform in [low, high).
  virtual void random_int(const Tensor& dst, int64_t low, int64_t high, Generator& gen) = 0;

  // ---- reductions ----
  // out has x's shape with the reduced dims set to 1 (keepdim form); reduce_mask bit d set means
  // dim d is reduced. out's dtype may differ from x's (accumulation dtype).
  virtual void reduce(ReduceOp op, const Tensor& out, const Tensor& x, uint64_t reduce_mask) = 0;
  // Values and int64 indices of the max/min along dim (keepdim form); first occurrence wins,
  // NaN counts as the maximum (and the minimum), as in PyTorch.
  virtual void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x,
                          int64_t dim) = 0;
  virtual void cumsum(const Tensor& out, const Tensor& x, int64_t dim) = 0;
  // Sorts along dim; values/indices have x's shape.
  virtual void sort(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending,
                    bool stable) = 0;
  virtual void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, int64_t dim,
                    bool largest, bool sorted) = 0;

  // ---- linear algebra ----
  // out[b] = alpha * a[b] @ b[b] + beta * out[b] for 3-D a [B, M, K], b [B, K, N], out [B, M, N]
  // contiguous, or 2-D a [M, K], b [K, N], out [M, N] (one product). a and b may have any strides
  // (transposed operands need no copy) and batch stride 0 (broadcast). beta == 0 ignores out's
  // contents. A defined `bias` (contiguous [N], out's dtype: a Linear layer's) takes the place of
  // beta * out, which must then be 0: out[b] = alpha * a[b] @ b[b] + bias in every row, which a
  // backend can add as it stores each tile instead of in a pass of its own.
  virtual void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta,
                    const Tensor& bias) = 0;

  // ---- indexing (index tensors are int64, already range-checked) ----
  virtual void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) = 0;
  virtual void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) = 0;
  // out (already holding the destination values) [index[i][j]] (=|+=) src[i][j] along dim.
  virtual void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) = 0;
  // out.select(dim, index[i]) += alpha * source.select(dim, i).
  virtual void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source,
                         Scalar alpha) = 0;
  // [n, x.dim()] int64 coordinates of the nonzero elements, in row-major order.
  virtual Tensor nonzero(const Tensor& x) = 0;

  // ---- neural-network kernels (forward) ----
  virtual void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) = 0;
  // NCHW input, [C_out, C_in / groups, kH, kW] weight, optional bias; out [N, C_out, H_out, W_out].
  virtual void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Tensor& bias,
                      IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) = 0;
  // indices (int64, flat h * W + w within each plane) may be undefined when not needed.
  virtual void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& input, IntArrayRef kernel,
                          IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation) = 0;
  virtual void avg_pool2d(const Tensor& out, const Tensor& input, IntArrayRef kernel, IntArrayRef stride,
                          IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) = 0;
  virtual void adaptive_avg_pool2d(const Tensor& out, const Tensor& input) = 0;
  // Normalises x ([N, C, *]) per channel. Training: uses batch statistics, writes them to
  // save_mean / save_invstd ([C]) and updates running stats (if defined) with momentum, using the
  // unbiased variance. Eval: uses running stats.
  virtual void batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                          const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                          const Tensor& running_var, bool training, double momentum, double eps) = 0;
  // Normalises each of the `rows` leading blocks of x (x viewed as [rows, cols]); mean / rstd [rows].
  // weight and bias (optional) have cols elements.
  virtual void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                          const Tensor& weight, const Tensor& bias, double eps) = 0;
  // x [N, C, *]; mean / rstd [N, groups]; weight and bias (optional) [C].
  virtual void group_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                          const Tensor& weight, const Tensor& bias, int64_t groups, double eps) = 0;

  // ---- neural-network kernels (backward) ----
  // Gradients of the forward kernels above, for the autograd nodes: floating-point tensors of one
  // dtype (int64 indices aside). Each gradient output has the shape of what it is the gradient of
  // and is overwritten, not accumulated into; an undefined one is not needed and is skipped.
  // The results do not depend on the number of threads.
  // The gradient of conv2d with respect to its input ([N, C_in, H, W]), given its weight; stride,
  // padding, dilation (two values each) and groups as conv2d got them.
  virtual void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_output, const Tensor& weight,
                                     IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                     int64_t groups) = 0;
  // The gradient of conv2d with respect to its weight ([C_out, C_in / groups, kH, kW]), summed
  // over the batch, given its input. (The bias gradient is grad_output summed over N, H, W.)
  virtual void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_output, const Tensor& input,
                                      IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                      int64_t groups) = 0;
  // ReLU's gradient from its output: grad_input = output <= 0 ? 0 : grad_output, elementwise over
  // tensors of one shape (grad_output may be strided). A NaN output passes the gradient on, as in
  // PyTorch's threshold_backward.
  virtual void relu_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& output) = 0;
  // grad_input = 0, then each grad_output element is added at its plane's index from max_pool2d.
  virtual void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices) = 0;
  // Same arguments as avg_pool2d (ceil_mode shows in grad_output's shape).
  virtual void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, IntArrayRef kernel,
                                   IntArrayRef stride, IntArrayRef padding, bool count_include_pad,
                                   std::optional<int64_t> divisor) = 0;
  virtual void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output) = 0;
  // Training: through the batch statistics save_mean / save_invstd that batch_norm wrote. Eval:
  // through running_mean / running_var (the statistics are constants then). weight may be
  // undefined (all ones); grad_weight / grad_bias are [C].
  virtual void batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                   const Tensor& grad_output, const Tensor& x, const Tensor& weight,
                                   const Tensor& save_mean, const Tensor& save_invstd, bool training, double eps,
                                   const Tensor& running_mean, const Tensor& running_var) = 0;
  // x viewed as [rows, cols] with the mean / rstd [rows] that layer_norm wrote; weight (optional),
  // grad_weight and grad_bias have cols elements.
  virtual void layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                   const Tensor& grad_output, const Tensor& x, const Tensor& mean,
                                   const Tensor& rstd, const Tensor& weight) = 0;
  // x [N, C, *] with the mean / rstd [N, groups] that group_norm wrote; weight (optional),
  // grad_weight and grad_bias [C].
  virtual void group_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                   const Tensor& grad_output, const Tensor& x, const Tensor& mean,
                                   const Tensor& rstd, const Tensor& weight, int64_t groups) = 0;

  // ---- fused training steps ----
  // Softmax cross-entropy of logits x [N, C] (contiguous) against class indices: writes log_probs
  // [N, C] (kept for the backward), losses [N] (-w[t] * log_probs[t], 0 where t == ignore_index)
  // and weights [N] (w[t], or 0 where ignored), and when defined the 0-dim loss_sum and weight_sum
  // (a mean's numerator and denominator, summed in row order, in double for float32): a reduced
  // loss then needs no reductions of its own. Throws accel::Error on a target out of [0, C).
  virtual void cross_entropy(const Tensor& log_probs, const Tensor& losses, const Tensor& weights, const Tensor& x,
                             const CrossEntropyTargets& targets, const Tensor& loss_sum, const Tensor& weight_sum) = 0;
  // grad_x [N, C] = (exp(log_probs) - one_hot(t)) * weights[n] * row_scale[n], with row_scale the
  // gradient reaching each row's loss ([N], possibly stride-0 broadcast).
  virtual void cross_entropy_backward(const Tensor& grad_x, const Tensor& log_probs, const Tensor& weights,
                                      const Tensor& row_scale, const Tensor& target) = 0;
  // One optimizer update of a parameter in a single pass, PyTorch's update rules (optim/sgd.h,
  // optim/adam.h). All tensors contiguous, of the parameter's shape, float32 or float64; state
  // tensors that the options do not use may be undefined. Updates param and state in place.
  virtual void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                        const SgdStep& step) = 0;
  virtual void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                         const Tensor& max_exp_avg_sq, const AdamStep& step) = 0;
};

// The backend for a device type; throws a clear error when the device type is not compiled in or
// has no device.
Backend& backend(DeviceType type);
inline Backend& backend(Device device) { return backend(device.type); }

}  // namespace accel
