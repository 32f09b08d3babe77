#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

#include <accel/accel.h>

#include "kernel_testing.h"

using namespace accel;

using kernel_testing::reference_mm;

TEST(Matmul, SmallExact) {
  const Tensor a = tensor({{1.f, 2.f}, {3.f, 4.f}});
  const Tensor b = tensor({{5.f, 6.f}, {7.f, 8.f}});
  EXPECT_EQ(mm(a, b).to_vector<float>(), (std::vector<float>{19, 22, 43, 50}));
  EXPECT_EQ(matmul(a, b.t()).to_vector<float>(), (std::vector<float>{17, 23, 39, 53}));
  EXPECT_EQ(a.matmul(tensor({1.f, 1.f})).to_vector<float>(), (std::vector<float>{3, 7}));
  EXPECT_EQ(tensor({1.f, 1.f}).matmul(a).to_vector<float>(), (std::vector<float>{4, 6}));
  EXPECT_EQ(dot(tensor({1.f, 2.f}), tensor({3.f, 4.f})).item<float>(), 11.0f);
  EXPECT_EQ(outer(tensor({1.f, 2.f}), tensor({3.f, 4.f, 5.f})).sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(mm(tensor({{1, 2}}), tensor({{3}, {4}})).item<int64_t>(), 11);
}

TEST(Matmul, TransposedAndLargeOperandsMatchReference) {
  manual_seed(11);
  for (auto [m, k, n] : {std::tuple{37, 53, 29}, {128, 256, 64}, {300, 70, 190}}) {
    const Tensor a = randn({m, k});
    const Tensor b = randn({k, n});
    const Tensor expected = reference_mm(a, b);
    EXPECT_TRUE(allclose(mm(a, b).to(kFloat64), expected, 1e-4, 1e-4));
    EXPECT_TRUE(allclose(mm(a.t().contiguous().t(), b).to(kFloat64), expected, 1e-4, 1e-4));
    EXPECT_TRUE(allclose(mm(a, b.t().contiguous().t()).to(kFloat64), expected, 1e-4, 1e-4));
    const Tensor ad = a.to(kFloat64), bd = b.to(kFloat64);
    EXPECT_TRUE(allclose(mm(ad, bd), expected, 1e-12, 1e-12));
  }
  const Tensor strided = randn({40, 60}).slice(1, 0, 60, 2);  // neither stride is 1
  const Tensor rhs = randn({30, 5});
  EXPECT_TRUE(allclose(mm(strided, rhs).to(kFloat64), reference_mm(strided, rhs), 1e-4, 1e-4));
}

TEST(Matmul, BatchedAndBroadcastCases) {
  manual_seed(12);
  const Tensor a = randn({2, 3, 4, 5});
  const Tensor b = randn({5, 6});
  const Tensor ab = matmul(a, b);
  EXPECT_EQ(ab.sizes(), IntArrayRef({2, 3, 4, 6}));
  EXPECT_TRUE(allclose(ab[1][2].to(kFloat64), reference_mm(a[1][2], b), 1e-4, 1e-5));
  const Tensor c = randn({3, 5, 2});
  const Tensor ac = matmul(a, c);  // [2, 3, 4, 5] @ [3, 5, 2]: batch dims broadcast
  EXPECT_EQ(ac.sizes(), IntArrayRef({2, 3, 4, 2}));
  EXPECT_TRUE(allclose(ac[0][1].to(kFloat64), reference_mm(a[0][1], c[1]), 1e-4, 1e-5));
  EXPECT_EQ(matmul(randn({5}), randn({2, 5, 3})).sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(matmul(randn({2, 4, 5}), randn({5})).sizes(), IntArrayRef({2, 4}));
  const Tensor x = randn({4, 3, 5}), y = randn({4, 5, 2});
  EXPECT_TRUE(allclose(bmm(x, y)[3].to(kFloat64), reference_mm(x[3], y[3]), 1e-4, 1e-5));
}

TEST(Matmul, AddmmBaddbmmLinear) {
  const Tensor a = tensor({{1.f, 2.f}, {3.f, 4.f}});
  const Tensor bias = tensor({1.f, -1.f});
  EXPECT_EQ(addmm(bias, a, a, 0.5, 2).to_vector<float>(), (std::vector<float>{14.5f, 19.5f, 30.5f, 43.5f}));
  const Tensor nan_bias = full({2}, NAN);
  EXPECT_FALSE(isnan(addmm(nan_bias, a, a, 0, 1)).any().item<bool>());  // beta = 0 ignores the bias
  EXPECT_EQ(baddbmm(zeros({1}), a.unsqueeze(0), a.unsqueeze(0)).sizes(), IntArrayRef({1, 2, 2}));
  const Tensor w = tensor({{1.f, 0.f}, {0.f, 1.f}, {1.f, 1.f}});  // [out 3, in 2]
  const Tensor y = linear(a, w, tensor({0.f, 0.f, 10.f}));
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{1, 2, 13, 3, 4, 17}));
  EXPECT_EQ(linear(randn({2, 5, 2}), w).sizes(), IntArrayRef({2, 5, 3}));
}

// linear's bias is added by the GEMM as it stores C (no pass of its own): on every kernel path (the
// dot-product kernel, the packed one with and without A read in place, k cut into slices, k = 0,
// several threads), in every dtype, from a strided or other-dtype bias, and bit for bit what
// x @ W^T + b gives.
TEST(Matmul, LinearBiasOnEveryPath) {
  manual_seed(13);
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {
      {32, 784, 128},  // dot-product kernel (the MLP's first layer)
      {5, 2100, 9},    // dot kernel, k in three slices
      {100, 600, 70},  // packed, k in three slices
      {37, 64, 300},   // packed, A read in place... beyond 256 columns: A packed
      {7, 20, 33},     // partial micro-tiles
      {3, 0, 4}};      // k = 0: the result is the bias
  for (auto [rows, in, out] : shapes) {
    const Tensor x = randn({rows, in}), w = randn({out, in}), b = randn({out});
    const Tensor expected = reference_mm(x, w.t()) + b.to(kFloat64);
    const double tol = 1e-5 * static_cast<double>(in) + 1e-5;
    const Tensor y = linear(x, w, b);
    EXPECT_TRUE(allclose(y.to(kFloat64), expected, 1e-5, tol)) << rows << "x" << in << "x" << out;
    EXPECT_TRUE(equal(y, addmm(b, x, w.t()))) << rows << "x" << in << "x" << out;  // bias stored first, beta 1
    for (int threads : {1, 3}) {
      kernel_testing::ThreadCount count(threads);
      EXPECT_TRUE(equal(linear(x, w, b), y)) << rows << "x" << in << "x" << out << ", " << threads << " threads";
    }
    const Tensor strided_bias = randn({out, 2}).select(1, 0).copy_(b);  // stride 2
    EXPECT_TRUE(equal(linear(x, w, strided_bias), y));
    EXPECT_TRUE(allclose(linear(x, w, b.to(kFloat64)), y, 0, 0));  // converted to x's dtype
    const Tensor x3 = x.view({1, rows, in});  // a batch of sequences: the rows are flattened
    EXPECT_TRUE(equal(linear(x3, w, b), y.view({1, rows, out})));
    for (DType dtype : {kFloat64, kFloat16, kBFloat16}) {
      const Tensor yd = linear(x.to(dtype), w.to(dtype), b.to(dtype));
      const Tensor ref = (reference_mm(x.to(dtype), w.to(dtype).t()) + b.to(dtype).to(kFloat64)).to(dtype);
      const double dtol = dtype == kFloat64 ? 1e-12 : 3e-2 * (1 + static_cast<double>(in) / 16);
      EXPECT_TRUE(allclose(yd.to(kFloat64), ref.to(kFloat64), dtype == kFloat64 ? 1e-12 : 2e-2, dtol))
          << name(dtype) << " " << rows << "x" << in << "x" << out;
    }
  }
  // No input features on a batch of sequences: the output is the bias, and gradients flow.
  const Tensor x0 = randn({2, 3, 0}).requires_grad_(), w0 = randn({4, 0}).requires_grad_();
  const Tensor b0 = randn({4}).requires_grad_();
  linear(x0, w0, b0).sum().backward();
  EXPECT_TRUE(equal(b0.grad(), full({4}, 6.0f)));
  EXPECT_EQ(x0.grad().sizes(), x0.sizes());
  EXPECT_EQ(w0.grad().sizes(), w0.sizes());
  EXPECT_THROW(linear(ones({2, 3}), ones({4, 3}), ones({3})), Error);
  EXPECT_THROW(linear(ones({2, 3}), ones({4, 3}), ones({1, 4})), Error);
}

TEST(Matmul, HalfPrecisionAccumulatesInFloat) {
  const Tensor a = ones({1, 4096}).to(kHalf);
  const Tensor b = full({4096, 1}, 0.001).to(kHalf);
  EXPECT_NEAR(mm(a, b).item<float>(), 4096 * static_cast<float>(Half(0.001f)), 0.01);
}

TEST(Matmul, BadInput) {
  EXPECT_THROW(mm(ones({2, 3}), ones({2, 3})), Error);
  EXPECT_THROW(mm(ones({2, 3}), ones({3, 2}, {.dtype = kFloat64})), Error);
  EXPECT_THROW(mm(ones({2}), ones({2, 2})), Error);
  EXPECT_THROW(bmm(ones({2, 2, 3}), ones({3, 3, 2})), Error);
  EXPECT_THROW(matmul(ones({2, 2, 3}), ones({4, 3, 2})), Error);
  EXPECT_THROW(matmul(ones({}), ones({2})), Error);
  EXPECT_THROW(dot(ones({2}), ones({3})), Error);
  EXPECT_THROW(linear(ones({2, 3}), ones({4, 2})), Error);
  EXPECT_THROW(mm(ones({2, 2}, {.dtype = kBool}), ones({2, 2}, {.dtype = kBool})), Error);
}
