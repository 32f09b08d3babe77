// The float32 GEMM (kernels/cpu/sgemm.cpp) through the public ops: sizes on and off the micro-tile
// and cache-block edges, every operand layout, alpha/beta, and the same bits for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <tuple>

#include <accel/accel.h>
#include <accel/kernels/cpu/sgemm.h>

#include "kernel_testing.h"

using namespace accel;
using kernel_testing::reference_mm;
using kernel_testing::ThreadCount;

namespace {

// The same values as t in each layout a GEMM operand can arrive in.
std::vector<Tensor> layouts(const Tensor& t) {
  const int64_t rows = t.size(0), cols = t.size(1);
  return {t,                                                         // row-major
          t.t().contiguous().t(),                                    // column-major (a transposed view)
          zeros({rows, 2 * cols}).slice(1, 0, 2 * cols, 2).copy_(t)};  // neither stride 1
}

// B packed from a dense matrix by the PanelSource contract, for sgemm's packer-driven entry point.
class DensePanels final : public cpu::PanelSource {
 public:
  explicit DensePanels(const Tensor& b) : b_(b.contiguous()) {}
  void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* panels) const override {
    constexpr int64_t W = cpu::kSgemmPanelWidth;
    const float* b = b_.data_ptr<float>();
    const int64_t ld = b_.size(1);
    for (int64_t j = 0; j < (cols + W - 1) / W * W; ++j)
      for (int64_t p = 0; p < rows; ++p)
        panels[j / W * W * rows + p * W + j % W] = j < cols ? b[(row0 + p) * ld + col0 + j] : 0.0f;
  }

 private:
  Tensor b_;
};

}  // namespace

TEST(Sgemm, EdgeSizesAndLayoutsMatchReference) {
  manual_seed(3);
  // Around the micro-tile (6 or 14 rows, 16 or 32 columns), the k slice (256), the row block (144 or
  // 168 rows) and the column block (2048 or 4096 columns); wide products pack a row-major A 8 values
  // of k at a time (20 x 300 x 21: whole panels, a partial one, and a k tail).
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {
      {1, 1, 1},    {5, 15, 3},    {6, 16, 8},     {7, 17, 255},  {13, 33, 257}, {14, 32, 784},  {15, 31, 513},
      {145, 20, 9}, {169, 47, 64}, {32, 128, 784}, {3, 2049, 30}, {2, 4097, 5},  {64, 10, 128}, {256, 784, 32},
      {20, 300, 21}};
  for (auto [m, n, k] : shapes) {
    const Tensor a = randn({m, k}), b = randn({k, n});
    const Tensor expected = reference_mm(a, b);
    const double tol = 1e-5 * static_cast<double>(k) + 1e-5;
    for (const Tensor& la : layouts(a))
      for (const Tensor& lb : layouts(b))
        EXPECT_TRUE(allclose(mm(la, lb).to(kFloat64), expected, 1e-5, tol))
            << m << "x" << k << " @ " << k << "x" << n << ", strides " << la.strides() << " and " << lb.strides();
  }
}

TEST(Sgemm, AlphaBetaAndBiasSemantics) {
  manual_seed(4);
  const Tensor a = randn({37, 300}), b = randn({300, 41}), bias = randn({37, 41});
  const Tensor product = reference_mm(a, b);
  EXPECT_TRUE(allclose(addmm(bias, a, b, 0.5, 2.0).to(kFloat64), bias.to(kFloat64) * 0.5 + product * 2.0, 1e-5, 1e-2));
  EXPECT_TRUE(allclose(addmm(bias, a, b, 1.0, 0.0).to(kFloat64), bias.to(kFloat64), 0, 0));
  // beta = 0 ignores the input entirely, NaN included (as BLAS and PyTorch do).
  const Tensor nan_bias = full({37, 41}, std::numeric_limits<float>::quiet_NaN());
  const Tensor out = addmm(nan_bias, a, b, 0.0, 1.0);
  EXPECT_FALSE(isnan(out).any().item<bool>());
  EXPECT_TRUE(allclose(out.to(kFloat64), product, 1e-5, 1e-2));
  // k = 0: the product is empty, so the result is zero (or the scaled bias).
  EXPECT_TRUE(equal(mm(empty({4, 0}), empty({0, 3})), zeros({4, 3})));
  EXPECT_TRUE(allclose(addmm(ones({4, 3}), empty({4, 0}), empty({0, 3}), 3.0, 1.0), full({4, 3}, 3.0f), 0, 0));
}

TEST(Sgemm, SameBitsForAnyThreadCountAndInsideBatches) {
  manual_seed(5);
  const Tensor a = randn({300, 517}), b = randn({517, 260});
  Tensor one_thread;
  {
    ThreadCount threads(1);
    one_thread = mm(a, b);
  }
  for (int n : {2, 3, 5}) {
    ThreadCount threads(n);
    EXPECT_TRUE(equal(mm(a, b), one_thread)) << n << " threads";
  }
  // A batch shares the threads out by entry; each entry still equals the lone product.
  const Tensor batch_a = stack({a, a.flip({0}), a * 2, a}), batch_b = stack({b, b, b, b.flip({1})});
  const Tensor batched = bmm(batch_a, batch_b);
  for (int64_t i = 0; i < 4; ++i) EXPECT_TRUE(equal(batched[i], mm(batch_a[i], batch_b[i]))) << "entry " << i;
}

// x @ W^T with few rows and a long k takes the dot-product kernel (sgemm_dot.cpp): its 3 x 4 tile edges, the
// masked k tail, k beyond one 1024 slice, alpha/beta (beta = 0 ignoring NaN), and the same bits
// for any thread count.
TEST(Sgemm, DotProductPathMatchesReference) {
  manual_seed(6);
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {{1, 1, 512},    {2, 3, 521},   {4, 5, 519},  {5, 7, 600},
                                                          {32, 130, 784}, {64, 9, 2100}, {3, 4, 1031}, {63, 66, 517}};
  for (auto [m, n, k] : shapes) {
    const Tensor x = randn({m, k}), w = randn({n, k}), c = randn({m, n});
    const Tensor product = reference_mm(x, w.t());
    const double tol = 1e-5 * static_cast<double>(k) + 1e-5;
    EXPECT_TRUE(allclose(mm(x, w.t()).to(kFloat64), product, 1e-5, tol)) << m << "x" << n << "x" << k;
    const Tensor scaled = addmm(c, x, w.t(), 0.5, 2.0).to(kFloat64);
    EXPECT_TRUE(allclose(scaled, c.to(kFloat64) * 0.5 + product * 2.0, 1e-5, 2 * tol)) << m << "x" << n << "x" << k;
    const Tensor out = addmm(full({m, n}, std::numeric_limits<float>::quiet_NaN()), x, w.t(), 0.0, 1.0);
    EXPECT_FALSE(isnan(out).any().item<bool>()) << m << "x" << n << "x" << k;
    Tensor one_thread;
    {
      ThreadCount threads(1);
      one_thread = mm(x, w.t());
    }
    for (int count : {2, 3}) {
      ThreadCount threads(count);
      EXPECT_TRUE(equal(mm(x, w.t()), one_thread)) << m << "x" << n << "x" << k << ", " << count << " threads";
    }
  }
}

// A B that packs its own panels (conv_patches.h has the real one) gives the product of the matrix
// it stands for: across k slices, column blocks and partial panels, with beta, and the same bits
// for any thread count (the threads' parts ask for panels from their own first column).
TEST(Sgemm, PanelSourceMatchesTheMatrixItPacks) {
  if (!cpu::sgemm_available()) GTEST_SKIP() << "no sgemm in this build";
  manual_seed(7);
  const std::tuple<int64_t, int64_t, int64_t> shapes[] = {{1, 1, 1}, {7, 17, 3}, {64, 196, 288}, {13, 4100, 9},
                                                          {150, 70, 600}};
  for (auto [m, n, k] : shapes) {
    const Tensor a = randn({m, k}), b = randn({k, n}), c0 = randn({m, n});
    const double tol = 1e-5 * static_cast<double>(k) + 1e-5;
    const auto product = [&](float beta) {
      const Tensor c = c0.clone();
      cpu::sgemm(m, n, k, 1.0f, {a.data_ptr<float>(), k, 1}, DensePanels(b), beta, c.data_ptr<float>(), n);
      return c;
    };
    Tensor one_thread;
    {
      ThreadCount threads(1);
      one_thread = product(0.5f);
    }
    EXPECT_TRUE(allclose(one_thread.to(kFloat64), reference_mm(a, b) + c0.to(kFloat64) * 0.5, 1e-5, tol))
        << m << "x" << n << "x" << k;
    for (int count : {2, 3}) {
      ThreadCount threads(count);
      EXPECT_TRUE(equal(product(0.5f), one_thread)) << m << "x" << n << "x" << k << ", " << count << " threads";
    }
  }
}
