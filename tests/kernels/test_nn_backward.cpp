// Backward kernels of convolution, pooling and normalisation. Each gradient is checked in float64
// against central differences of the forward op: for a random dy, d<dy, f(x)>/dx_i is
// (<dy, f(x + h e_i)> - <dy, f(x - h e_i)>) / 2h. float32 and float16 runs are compared with the
// float64 ones, and results must not depend on the number of threads.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>

#include <accel/accel.h>

#include "kernel_testing.h"
#include <accel/tensor/backend.h>

using namespace accel;
using kernel_testing::ThreadCount;

namespace {

using Forward = std::function<Tensor(const Tensor&)>;

Backend& cpu() { return backend(kCPU); }

Tensor random(IntArrayRef shape, DType dtype = kFloat64) { return randn(shape, {.dtype = dtype}); }

// <dy, f(x)> in double.
double inner(const Tensor& dy, const Tensor& y) {
  const std::vector<double> a = dy.to_vector<double>(), b = y.contiguous().to_vector<double>();
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

// The vector-Jacobian product dy^T df/dx by central differences, x float64.
Tensor numeric_vjp(const Forward& f, const Tensor& x, const Tensor& dy) {
  constexpr double h = 1e-6;
  const Tensor probe = x.clone();
  double* p = probe.data_ptr<double>();
  std::vector<double> grad(static_cast<size_t>(x.numel()));
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double saved = p[i];
    p[i] = saved + h;
    const double up = inner(dy, f(probe));
    p[i] = saved - h;
    const double down = inner(dy, f(probe));
    p[i] = saved;
    grad[static_cast<size_t>(i)] = (up - down) / (2 * h);
  }
  return tensor(grad, {.dtype = kFloat64}).view(x.sizes());
}

void expect_close(const Tensor& got, const Tensor& expected, double atol) {
  ASSERT_EQ(got.sizes(), expected.sizes());
  const std::vector<double> a = got.to_vector<double>(), b = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], atol) << "at " << i;
}

// Checks a kernel's gradient of <dy, f(x)> with respect to x against central differences.
void expect_vjp(const Forward& f, const Tensor& x, const Tensor& dy, const Tensor& grad, double atol = 1e-6) {
  expect_close(grad, numeric_vjp(f, x, dy), atol);
}

// ---- convolution -----------------------------------------------------------------------------

struct ConvCase {
  int64_t batch, in_channels, out_channels, height, width, kh, kw;
  std::vector<int64_t> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

struct ConvGrads {
  Tensor input, weight;
};

ConvGrads conv_grads(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& dy) {
  const ConvGrads g{empty(x.sizes(), {.dtype = x.dtype()}), empty(w.sizes(), {.dtype = w.dtype()})};
  cpu().conv2d_backward_input(g.input, dy, w, c.stride, c.padding, c.dilation, c.groups);
  cpu().conv2d_backward_weight(g.weight, dy, x, c.stride, c.padding, c.dilation, c.groups);
  return g;
}

void check_conv(const ConvCase& c) {
  const Tensor x = random({c.batch, c.in_channels, c.height, c.width});
  const Tensor w = random({c.out_channels, c.in_channels / c.groups, c.kh, c.kw});
  const auto conv = [&](const Tensor& in, const Tensor& wt) {
    return conv2d(in, wt, {}, c.stride, c.padding, c.dilation, c.groups);
  };
  const Tensor dy = randn_like(conv(x, w));
  const ConvGrads g = conv_grads(c, x, w, dy);
  expect_vjp([&](const Tensor& in) { return conv(in, w); }, x, dy, g.input);
  expect_vjp([&](const Tensor& wt) { return conv(x, wt); }, w, dy, g.weight);
}

TEST(NnBackwardConv, Plain) { check_conv({.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3}); }

TEST(NnBackwardConv, StrideAndPadding) {
  check_conv({.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3,
              .stride = {2, 2}, .padding = {1, 1}});
}

TEST(NnBackwardConv, Dilation) {
  check_conv({.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3,
              .padding = {2, 1}, .dilation = {2, 2}});
}

TEST(NnBackwardConv, Groups) {
  check_conv({.batch = 2, .in_channels = 4, .out_channels = 6, .height = 5, .width = 5, .kh = 3, .kw = 3,
              .padding = {1, 1}, .groups = 2});
}

// Every parameter different in the two dims, and a stride that skips input columns.
TEST(NnBackwardConv, MixedRectangular) {
  check_conv({.batch = 2, .in_channels = 4, .out_channels = 2, .height = 7, .width = 6, .kh = 3, .kw = 2,
              .stride = {2, 3}, .padding = {1, 2}, .dilation = {1, 2}, .groups = 2});
}

TEST(NnBackwardConv, Pointwise) {
  check_conv({.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 1, .kw = 1});
}

TEST(NnBackwardConv, PointwiseStrided) {
  check_conv({.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 1, .kw = 1,
              .stride = {2, 2}});
}

TEST(NnBackwardConv, SingleImage) {
  check_conv({.batch = 1, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3,
              .padding = {1, 1}});
}

// More images than the weight gradient's 16 partial sums: several images per partial, the last
// one short.
TEST(NnBackwardConv, BatchLargerThanPartials) {
  check_conv({.batch = 19, .in_channels = 2, .out_channels = 3, .height = 4, .width = 4, .kh = 3, .kw = 3,
              .padding = {1, 1}});
}

// A kernel larger than the input with padding: some taps never touch it.
TEST(NnBackwardConv, KernelLargerThanInput) {
  check_conv({.batch = 2, .in_channels = 2, .out_channels = 2, .height = 2, .width = 3, .kh = 5, .kw = 5,
              .padding = {2, 2}});
}

TEST(NnBackwardConv, OverwritesOutputs) {
  const ConvCase c{.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3,
                   .stride = {2, 2}};
  const Tensor x = random({2, 3, 5, 5}), w = random({4, 3, 3, 3});
  const Tensor dy = random({2, 4, 2, 2});
  const ConvGrads fresh = conv_grads(c, x, w, dy);
  const Tensor gi = full(x.sizes(), 7.0, {.dtype = kFloat64}), gw = full(w.sizes(), 7.0, {.dtype = kFloat64});
  cpu().conv2d_backward_input(gi, dy, w, c.stride, c.padding, c.dilation, c.groups);
  cpu().conv2d_backward_weight(gw, dy, x, c.stride, c.padding, c.dilation, c.groups);
  EXPECT_TRUE(equal(gi, fresh.input));
  EXPECT_TRUE(equal(gw, fresh.weight));
}

// Strided (transposed) operands give the same gradients as contiguous ones.
TEST(NnBackwardConv, StridedOperands) {
  const ConvCase c{.batch = 2, .in_channels = 3, .out_channels = 4, .height = 5, .width = 5, .kh = 3, .kw = 3,
                   .padding = {1, 1}};
  const Tensor x = random({2, 3, 5, 5}).transpose(2, 3), w = random({4, 3, 3, 3}).transpose(2, 3);
  const Tensor dy = random({2, 4, 5, 5}).transpose(2, 3);
  const ConvGrads strided = conv_grads(c, x, w, dy);
  const ConvGrads dense = conv_grads(c, x.contiguous(), w.contiguous(), dy.contiguous());
  EXPECT_TRUE(equal(strided.input, dense.input));
  EXPECT_TRUE(equal(strided.weight, dense.weight));
}

// ---- pooling -----------------------------------------------------------------------------------

void check_max_pool(IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                    bool ceil_mode) {
  const Tensor x = random({2, 3, 5, 5});
  const auto [y, indices] = max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode);
  const Tensor dy = randn_like(y), grad = full(x.sizes(), 3.0, {.dtype = kFloat64});
  cpu().max_pool2d_backward(grad, dy, indices);
  expect_vjp([&](const Tensor& in) { return max_pool2d(in, kernel, stride, padding, dilation, ceil_mode); }, x, dy,
             grad);
}

TEST(NnBackwardPool, MaxPoolStrideAndPadding) { check_max_pool({3, 3}, {2, 2}, {1, 1}, {1, 1}, false); }
TEST(NnBackwardPool, MaxPoolOverlappingWindows) { check_max_pool({3, 2}, {1, 1}, {1, 0}, {1, 1}, false); }
TEST(NnBackwardPool, MaxPoolDilation) { check_max_pool({2, 3}, {1, 2}, {1, 1}, {2, 2}, false); }
TEST(NnBackwardPool, MaxPoolCeilMode) { check_max_pool({2, 2}, {2, 2}, {0, 0}, {1, 1}, true); }

void check_avg_pool(IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, bool ceil_mode,
                    bool count_include_pad, std::optional<int64_t> divisor) {
  const Tensor x = random({2, 3, 5, 5});
  const auto pool = [&](const Tensor& in) {
    return avg_pool2d(in, kernel, stride, padding, ceil_mode, count_include_pad, divisor);
  };
  const Tensor dy = randn_like(pool(x)), grad = full(x.sizes(), 3.0, {.dtype = kFloat64});
  cpu().avg_pool2d_backward(grad, dy, kernel, stride, padding, count_include_pad, divisor);
  expect_vjp(pool, x, dy, grad);
}

TEST(NnBackwardPool, AvgPoolIncludingPadding) { check_avg_pool({3, 3}, {2, 2}, {1, 1}, false, true, std::nullopt); }
TEST(NnBackwardPool, AvgPoolExcludingPadding) { check_avg_pool({3, 3}, {2, 2}, {1, 1}, false, false, std::nullopt); }
TEST(NnBackwardPool, AvgPoolCeilMode) {
  check_avg_pool({3, 2}, {2, 2}, {1, 1}, true, true, std::nullopt);
  check_avg_pool({3, 2}, {2, 2}, {1, 1}, true, false, std::nullopt);
  check_avg_pool({2, 2}, {2, 2}, {0, 0}, true, true, std::nullopt);
}
TEST(NnBackwardPool, AvgPoolDivisor) { check_avg_pool({3, 3}, {1, 2}, {1, 0}, false, true, 5); }

void check_adaptive_avg_pool(IntArrayRef output_size) {
  const Tensor x = random({2, 3, 5, 5});
  const auto pool = [&](const Tensor& in) { return adaptive_avg_pool2d(in, output_size); };
  const Tensor dy = randn_like(pool(x)), grad = full(x.sizes(), 3.0, {.dtype = kFloat64});
  cpu().adaptive_avg_pool2d_backward(grad, dy);
  expect_vjp(pool, x, dy, grad);
}

TEST(NnBackwardPool, AdaptiveAvgPoolShrinks) { check_adaptive_avg_pool({3, 2}); }
TEST(NnBackwardPool, AdaptiveAvgPoolGrows) { check_adaptive_avg_pool({7, 6}); }
TEST(NnBackwardPool, AdaptiveAvgPoolGlobal) { check_adaptive_avg_pool({1, 1}); }

// ---- normalisation -----------------------------------------------------------------------------

struct NormGrads {
  Tensor input, weight, bias;
};

constexpr double kEps = 1e-5;

NormGrads batch_norm_grads(const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& rm, const Tensor& rv,
                           bool training, const Tensor& dy) {
  const int64_t channels = x.size(1);
  const auto opts = TensorOptions{.dtype = x.dtype()};
  const Tensor out = empty(x.sizes(), opts), mean = empty({channels}, opts), invstd = empty({channels}, opts);
  // The forward must not move the running stats that the eval gradient uses.
  cpu().batch_norm(out, mean, invstd, x, w, b, training ? Tensor() : rm, training ? Tensor() : rv, training, 0.1,
                   kEps);
  const NormGrads g{empty(x.sizes(), opts), empty({channels}, opts), empty({channels}, opts)};
  cpu().batch_norm_backward(g.input, g.weight, g.bias, dy, x, w, mean, invstd, training, kEps, rm, rv);
  return g;
}

void check_batch_norm(bool training, bool with_weight) {
  const Tensor x = random({2, 3, 5, 5}).mul(2).add(1);
  const Tensor w = with_weight ? random({3}) : Tensor(), b = random({3});
  const Tensor rm = random({3}), rv = rand({3}, {.dtype = kFloat64}).add(0.5);
  // Eval mode reads the running stats without updating them; training mode leaves them out.
  const auto norm = [&](const Tensor& in, const Tensor& wt, const Tensor& bs) {
    return batch_norm(in, wt, bs, training ? Tensor() : rm, training ? Tensor() : rv, training, 0.1, kEps);
  };
  const Tensor dy = random(x.sizes());
  const NormGrads g = batch_norm_grads(x, w, b, rm, rv, training, dy);
  expect_vjp([&](const Tensor& in) { return norm(in, w, b); }, x, dy, g.input);
  expect_vjp([&](const Tensor& bs) { return norm(x, w, bs); }, b, dy, g.bias);
  expect_vjp([&](const Tensor& wt) { return norm(x, wt, b); }, with_weight ? w : ones({3}, {.dtype = kFloat64}), dy,
             g.weight);
}

TEST(NnBackwardNorm, BatchNormTraining) { check_batch_norm(true, true); }
TEST(NnBackwardNorm, BatchNormTrainingWithoutWeight) { check_batch_norm(true, false); }
TEST(NnBackwardNorm, BatchNormEval) { check_batch_norm(false, true); }
TEST(NnBackwardNorm, BatchNormEvalWithoutWeight) { check_batch_norm(false, false); }

// Gradients that are not asked for are skipped; the others are unchanged.
TEST(NnBackwardNorm, BatchNormOnlySomeGradients) {
  const Tensor x = random({4, 3, 2, 2}), w = random({3}), b = random({3}), dy = random({4, 3, 2, 2});
  const NormGrads all = batch_norm_grads(x, w, b, {}, {}, true, dy);
  const Tensor out = empty(x.sizes(), {.dtype = kFloat64}), mean = empty({3}, {.dtype = kFloat64});
  const Tensor invstd = empty({3}, {.dtype = kFloat64});
  cpu().batch_norm(out, mean, invstd, x, w, b, {}, {}, true, 0.1, kEps);
  const Tensor grad_input = empty(x.sizes(), {.dtype = kFloat64}), grad_weight = empty({3}, {.dtype = kFloat64});
  cpu().batch_norm_backward(grad_input, {}, {}, dy, x, w, mean, invstd, true, kEps, {}, {});
  cpu().batch_norm_backward({}, grad_weight, {}, dy, x, w, mean, invstd, true, kEps, {}, {});
  EXPECT_TRUE(equal(grad_input, all.input));
  EXPECT_TRUE(equal(grad_weight, all.weight));
}

NormGrads layer_norm_grads(const Tensor& x, IntArrayRef normalized, const Tensor& w, const Tensor& b,
                           const Tensor& dy) {
  const int64_t cols = numel_of(normalized), rows = x.numel() / cols;
  const auto opts = TensorOptions{.dtype = x.dtype()};
  const Tensor out = empty(x.sizes(), opts), mean = empty({rows}, opts), rstd = empty({rows}, opts);
  cpu().layer_norm(out, mean, rstd, x, w, b, kEps);
  const NormGrads g{empty(x.sizes(), opts), empty(normalized, opts), empty(normalized, opts)};
  cpu().layer_norm_backward(g.input, g.weight, g.bias, dy, x, mean, rstd, w);
  return g;
}

void check_layer_norm(bool with_weight) {
  const Tensor x = random({2, 3, 3, 4}).mul(3).sub(1);
  const Tensor w = with_weight ? random({3, 4}) : Tensor(), b = random({3, 4});
  const auto norm = [&](const Tensor& in, const Tensor& wt, const Tensor& bs) {
    return layer_norm(in, {3, 4}, wt, bs, kEps);
  };
  const Tensor dy = random(x.sizes());
  const NormGrads g = layer_norm_grads(x, {3, 4}, w, b, dy);
  expect_vjp([&](const Tensor& in) { return norm(in, w, b); }, x, dy, g.input);
  expect_vjp([&](const Tensor& bs) { return norm(x, w, bs); }, b, dy, g.bias);
  expect_vjp([&](const Tensor& wt) { return norm(x, wt, b); }, with_weight ? w : ones({3, 4}, {.dtype = kFloat64}),
             dy, g.weight);
}

TEST(NnBackwardNorm, LayerNorm) { check_layer_norm(true); }
TEST(NnBackwardNorm, LayerNormWithoutWeight) { check_layer_norm(false); }

NormGrads group_norm_grads(const Tensor& x, int64_t groups, const Tensor& w, const Tensor& b, const Tensor& dy) {
  const int64_t channels = x.size(1);
  const auto opts = TensorOptions{.dtype = x.dtype()};
  const Tensor out = empty(x.sizes(), opts), mean = empty({x.size(0), groups}, opts);
  const Tensor rstd = empty({x.size(0), groups}, opts);
  cpu().group_norm(out, mean, rstd, x, w, b, groups, kEps);
  const NormGrads g{empty(x.sizes(), opts), empty({channels}, opts), empty({channels}, opts)};
  cpu().group_norm_backward(g.input, g.weight, g.bias, dy, x, mean, rstd, w, groups);
  return g;
}

void check_group_norm(bool with_weight) {
  const Tensor x = random({2, 6, 3, 3}).mul(2).add(0.5);
  const Tensor w = with_weight ? random({6}) : Tensor(), b = random({6});
  const auto norm = [&](const Tensor& in, const Tensor& wt, const Tensor& bs) {
    return group_norm(in, 3, wt, bs, kEps);
  };
  const Tensor dy = random(x.sizes());
  const NormGrads g = group_norm_grads(x, 3, w, b, dy);
  expect_vjp([&](const Tensor& in) { return norm(in, w, b); }, x, dy, g.input);
  expect_vjp([&](const Tensor& bs) { return norm(x, w, bs); }, b, dy, g.bias);
  expect_vjp([&](const Tensor& wt) { return norm(x, wt, b); }, with_weight ? w : ones({6}, {.dtype = kFloat64}), dy,
             g.weight);
}

TEST(NnBackwardNorm, GroupNorm) { check_group_norm(true); }
TEST(NnBackwardNorm, GroupNormWithoutWeight) { check_group_norm(false); }

// ---- relu --------------------------------------------------------------------------------------

// grad_input = output <= 0 ? 0 : grad_output: zero at and below 0 (whatever the gradient, inf and NaN
// included), passed on where the output is positive or NaN (PyTorch's threshold_backward).
TEST(NnBackwardRelu, ValuesAndSpecialPoints) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    SCOPED_TRACE(name(dtype));
    const Tensor y = tensor({-1.0, 0.0, 2.0, nan, inf, 3.0, -0.0, -inf}, {.dtype = dtype});
    const Tensor g = tensor({inf, nan, 7.0, 8.0, 9.0, nan, 4.0, 1.0}, {.dtype = dtype});
    const Tensor grad = full(y.sizes(), 5.0, {.dtype = dtype});
    cpu().relu_backward(grad, g, y);
    const std::vector<double> got = grad.to_vector<double>();
    const std::vector<double> want = {0, 0, 7, 8, 9, nan, 0, 0};
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(got[i])) << i;
      else EXPECT_EQ(got[i], want[i]) << i;
    }
  }
}

// Long contiguous rows (the vectorised loop, on several threads) and strided gradients (a
// transposed view, a broadcast scalar) against the same select written with where().
TEST(NnBackwardRelu, LayoutsMatchTheSelect) {
  const ThreadCount threads(3);
  const Tensor y = randn({300, 500}).relu(), g = randn({300, 500});
  const auto check = [&](const Tensor& grad_out, const Tensor& out) {
    const Tensor grad = empty(out.sizes());
    cpu().relu_backward(grad, grad_out, out);
    EXPECT_TRUE(equal(grad, where(out <= 0.0, 0.0, grad_out)));
  };
  check(g, y);
  check(randn({500, 300}).t(), y);
  check(tensor(2.5f).expand(y.sizes()), y);
  check(g.slice(1, 0, 500, 3), y.slice(1, 0, 500, 3));
}

TEST(NnBackwardRelu, RejectsMismatchedOperands) {
  const Tensor y = randn({4, 3}), g = randn({4, 3});
  EXPECT_THROW(cpu().relu_backward(empty({3, 4}), g, y), Error);
  EXPECT_THROW(cpu().relu_backward(empty({4, 3}), randn({4, 1}), y), Error);
  EXPECT_THROW(cpu().relu_backward(empty({4, 3}, {.dtype = kFloat64}), g, y), Error);
  EXPECT_THROW(cpu().relu_backward(empty({4, 3}, {.dtype = kInt64}), g.to(kInt64), y.to(kInt64)), Error);
}

// ---- every kernel at once: dtypes and thread counts ---------------------------------------------

// All the gradients for one set of float64 inputs, computed in `dtype`, returned as float64.
std::vector<Tensor> all_gradients(DType dtype, int64_t batch = 4, int64_t size = 9) {
  Generator gen(1234);
  const auto draw = [&](IntArrayRef shape) { return randn(shape, {.dtype = kFloat64}, &gen).to(dtype); };
  const Tensor x64 = randn({batch, 8, size, size}, {.dtype = kFloat64}, &gen), x = x64.to(dtype);
  const Tensor w = draw({6, 4, 3, 3}), scale = draw({8}), shift = draw({8});
  const ConvCase c{.batch = batch, .in_channels = 8, .out_channels = 6, .height = size, .width = size,
                   .kh = 3, .kw = 3, .stride = {2, 1}, .padding = {1, 1}, .groups = 2};
  const ConvGrads conv = conv_grads(c, x, w, draw({batch, 6, (size - 1) / 2 + 1, size}));
  std::vector<Tensor> grads{conv.input, conv.weight};

  // The maxima of the float64 input, so that rounding cannot move them.
  const Tensor indices = std::get<1>(max_pool2d_with_indices(x64, 3, 2, 1));
  const Tensor dy_pool = draw(indices.sizes()), dy = draw(x.sizes());
  const auto opts = TensorOptions{.dtype = dtype};
  grads.push_back(empty(x.sizes(), opts));
  cpu().max_pool2d_backward(grads.back(), dy_pool, indices);
  grads.push_back(empty(x.sizes(), opts));
  cpu().avg_pool2d_backward(grads.back(), dy_pool, {3, 3}, {2, 2}, {1, 1}, false, std::nullopt);
  grads.push_back(empty(x.sizes(), opts));
  cpu().adaptive_avg_pool2d_backward(grads.back(), draw({batch, 8, 4, 3}));

  for (const NormGrads& g : {batch_norm_grads(x, scale, shift, {}, {}, true, dy),
                             layer_norm_grads(x, {size, size}, {}, {}, dy),
                             group_norm_grads(x, 4, scale, shift, dy)})
    grads.insert(grads.end(), {g.input, g.weight, g.bias});
  for (Tensor& g : grads) g = g.to(kFloat64);
  return grads;
}

TEST(NnBackward, Float32MatchesFloat64) {
  const std::vector<Tensor> exact = all_gradients(kFloat64), single = all_gradients(kFloat32);
  for (size_t i = 0; i < exact.size(); ++i)
    EXPECT_TRUE(allclose(single[i], exact[i], 1e-4, 1e-4)) << "gradient " << i;
}

TEST(NnBackward, HalfPrecisionComputesInFloat) {
  const std::vector<Tensor> exact = all_gradients(kFloat64), half = all_gradients(kFloat16);
  const std::vector<Tensor> bf16 = all_gradients(kBFloat16);
  for (size_t i = 0; i < exact.size(); ++i) {
    EXPECT_TRUE(allclose(half[i], exact[i], 2e-2, 5e-2)) << "float16 gradient " << i;
    EXPECT_TRUE(allclose(bf16[i], exact[i], 1e-1, 2e-1)) << "bfloat16 gradient " << i;
  }
}

// Large enough that the kernels split their work across threads.
TEST(NnBackward, SameResultsOnAnyThreadCount) {
  for (DType dtype : {kFloat32, kFloat64}) {
    std::vector<Tensor> serial;
    {
      const ThreadCount one(1);
      serial = all_gradients(dtype, 20, 24);
    }
    for (int threads : {2, 3, 7}) {
      const ThreadCount many(threads);
      const std::vector<Tensor> parallel = all_gradients(dtype, 20, 24);
      for (size_t i = 0; i < serial.size(); ++i)
        EXPECT_TRUE(equal(parallel[i], serial[i])) << name(dtype) << " gradient " << i << " on " << threads;
    }
  }
}

TEST(NnBackward, EmptyBatchGivesZeroParameterGradients) {
  const Tensor x = empty({0, 3, 4, 4}, {.dtype = kFloat64}), dy = empty({0, 3, 4, 4}, {.dtype = kFloat64});
  const Tensor w = random({3}), gw = full({3}, 5.0, {.dtype = kFloat64}), gb = full({3}, 5.0, {.dtype = kFloat64});
  cpu().batch_norm_backward(empty(x.sizes(), {.dtype = kFloat64}), gw, gb, dy, x, w, empty({3}, {.dtype = kFloat64}),
                            empty({3}, {.dtype = kFloat64}), true, kEps, {}, {});
  EXPECT_TRUE(equal(gw, zeros({3}, {.dtype = kFloat64})));
  EXPECT_TRUE(equal(gb, zeros({3}, {.dtype = kFloat64})));
  const Tensor conv_w = random({2, 3, 3, 3}), grad_w = full({2, 3, 3, 3}, 5.0, {.dtype = kFloat64});
  cpu().conv2d_backward_weight(grad_w, empty({0, 2, 2, 2}, {.dtype = kFloat64}), x, {1, 1}, {0, 0}, {1, 1}, 1);
  EXPECT_TRUE(equal(grad_w, zeros({2, 3, 3, 3}, {.dtype = kFloat64})));
}

}  // namespace
