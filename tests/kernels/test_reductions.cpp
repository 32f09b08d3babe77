#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include <accel/accel.h>

#include "kernel_testing.h"

using namespace accel;
using kernel_testing::ThreadCount;

namespace {
using V = std::vector<double>;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

V values(const Tensor& t) { return t.to_vector<double>(); }
std::vector<int64_t> ints(const Tensor& t) { return t.to_vector<int64_t>(); }

void expect_near(const V& a, const V& b, double tol = 1e-6) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(b[i])) EXPECT_TRUE(std::isnan(a[i])) << "at " << i;
    else if (std::isinf(b[i])) EXPECT_EQ(a[i], b[i]) << "at " << i;
    else EXPECT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(b[i]))) << "at " << i;
  }
}

const std::vector<DType> kFloatTypes = {kFloat32, kFloat64, kFloat16, kBFloat16};
const std::vector<DType> kAllTypes = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8};
}  // namespace

TEST(Reduce, SumOverDimsAndKeepdim) {
  for (DType dtype : kAllTypes) {
    const Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}, {.dtype = dtype});
    const DType result = is_floating_point(dtype) ? dtype : kInt64;
    EXPECT_EQ(x.sum().dtype(), result) << dtype;
    EXPECT_EQ(x.sum().dim(), 0);
    EXPECT_EQ(values(x.sum()), V{21});
    EXPECT_EQ(values(x.sum({0})), (V{5, 7, 9}));
    EXPECT_EQ(values(x.sum({1})), (V{6, 15}));
    EXPECT_EQ(values(x.sum({-1, 0})), V{21});
    EXPECT_EQ(x.sum({1}, true).sizes(), IntArrayRef({2, 1}));
    EXPECT_EQ(x.sum({0, 1}, true).sizes(), IntArrayRef({1, 1}));
  }
}

TEST(Reduce, SumDtypes) {
  EXPECT_EQ(ints(tensor({true, false, true, true}).sum()), std::vector<int64_t>{3});
  EXPECT_EQ(tensor({true}).sum().dtype(), kInt64);
  const Tensor bytes = full({300}, 200, {.dtype = kUInt8});
  EXPECT_EQ(ints(bytes.sum()), std::vector<int64_t>{60000});  // int64 accumulation: no uint8 wrap-around
  const Tensor big = full({4}, 2000000000, {.dtype = kInt32});
  EXPECT_EQ(ints(big.sum()), std::vector<int64_t>{8000000000});
  EXPECT_EQ(tensor({1, 2}).sum({}, false, kFloat64).dtype(), kFloat64);
  EXPECT_EQ(values(tensor({1.5f, 2.25f}).sum({}, false, kFloat64)), V{3.75});
  EXPECT_EQ(tensor({1.5, 2.5}, {.dtype = kFloat16}).sum({}, false, kFloat32).dtype(), kFloat32);
  // 16-bit sums accumulate in float: 4096 halves of 1 give 4096 (a float16 accumulator stalls at 2048).
  EXPECT_EQ(values(ones({4096}, {.dtype = kFloat16}).sum()), V{4096});
  EXPECT_EQ(values(ones({4096}, {.dtype = kBFloat16}).sum()), V{4096});
}

TEST(Reduce, MeanAndProd) {
  const Tensor x = tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_EQ(values(x.mean()), V{3.5});
  expect_near(values(x.mean({0})), {2.5, 3.5, 4.5});
  expect_near(values(x.mean({1}, true)), {2, 5});
  EXPECT_EQ(x.mean({1}, true).sizes(), IntArrayRef({2, 1}));
  expect_near(values(x.to(kFloat16).mean({1})), {2, 5});
  EXPECT_THROW(tensor({1, 2}).mean(), Error);  // no float dtype to infer for integers
  EXPECT_EQ(values(tensor({1, 2}).mean({}, false, kFloat32)), V{1.5});

  EXPECT_EQ(values(x.prod()), V{720});
  EXPECT_EQ(values(x.prod(1)), (V{6, 120}));
  EXPECT_EQ(x.prod(0, true).sizes(), IntArrayRef({1, 3}));
  EXPECT_EQ(tensor({2, 3}, {.dtype = kInt32}).prod().dtype(), kInt64);
  EXPECT_EQ(ints(tensor({2, 3}, {.dtype = kInt32}).prod()), std::vector<int64_t>{6});
  EXPECT_EQ(ints(tensor({true, true}).prod()), std::vector<int64_t>{1});
}

TEST(Reduce, EmptyReductionsUseTheIdentity) {
  const Tensor e = zeros({2, 0});
  EXPECT_EQ(values(e.sum()), V{0});
  EXPECT_EQ(values(e.sum({1})), (V{0, 0}));
  EXPECT_EQ(e.sum({0}).sizes(), IntArrayRef({0}));
  EXPECT_EQ(values(e.prod(1)), (V{1, 1}));
  EXPECT_TRUE(std::isnan(e.mean().item<double>()));
  EXPECT_EQ(values(e.all({1})), (V{1, 1}));
  EXPECT_EQ(values(e.any({1})), (V{0, 0}));
  EXPECT_THROW(e.max(), Error);
  EXPECT_THROW(e.amax({1}), Error);
  EXPECT_EQ(e.amax({0}).sizes(), IntArrayRef({0}));  // nothing is reduced over an empty dim
  EXPECT_THROW(e.max(1), Error);
  EXPECT_THROW(e.argmax(), Error);
}

TEST(Reduce, MaxMinAmaxAmin) {
  for (DType dtype : kAllTypes) {
    const Tensor x = tensor({{3, 1, 4}, {1, 5, 2}}, {.dtype = dtype});
    EXPECT_EQ(x.max().dtype(), dtype);
    EXPECT_EQ(values(x.max()), V{5});
    EXPECT_EQ(values(x.min()), V{1});
    EXPECT_EQ(values(x.amax({0})), (V{3, 5, 4}));
    EXPECT_EQ(values(x.amin({1})), (V{1, 1}));
    EXPECT_EQ(x.amax({1}, true).sizes(), IntArrayRef({2, 1}));
    EXPECT_EQ(values(x.amax({0, 1})), V{5});
  }
  EXPECT_EQ(values(tensor({-3, -7}, {.dtype = kInt32}).max()), V{-3});
  EXPECT_EQ(values(tensor({false, true}).max()), V{1});
  EXPECT_EQ(values(tensor({false, true}).min()), V{0});
}

TEST(Reduce, MaxMinPropagateNaN) {
  for (DType dtype : kFloatTypes) {
    const Tensor x = tensor({{1.0, kNaN, 3.0}, {4.0, 5.0, 6.0}}, {.dtype = dtype});
    EXPECT_TRUE(std::isnan(x.max().item<double>()));
    EXPECT_TRUE(std::isnan(x.min().item<double>()));
    expect_near(values(x.amax({1})), {kNaN, 6});
    expect_near(values(x.amin({0})), {1, kNaN, 3});
    expect_near(values(x.sum({1})), {kNaN, 15});
  }
  EXPECT_EQ(values(tensor({-kInf, 2.0}).max()), V{2});
  EXPECT_EQ(values(tensor({-kInf, -kInf}).max()), V{-kInf});
}

TEST(Reduce, MaxWithDimGivesFirstIndexAndNaNWins) {
  const Tensor x = tensor({{1.f, 7.f, 7.f, 2.f}, {5.f, 0.f, 0.f, 5.f}});
  auto [values1, indices1] = x.max(1);
  EXPECT_EQ(values(values1), (V{7, 5}));
  EXPECT_EQ(ints(indices1), (std::vector<int64_t>{1, 0}));  // ties: first occurrence
  auto [values2, indices2] = x.min(1, true);
  EXPECT_EQ(values2.sizes(), IntArrayRef({2, 1}));
  EXPECT_EQ(ints(indices2), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ints(std::get<1>(x.max(0))), (std::vector<int64_t>{1, 0, 0, 1}));

  const Tensor n = tensor({1.0, kNaN, 9.0, kNaN});
  EXPECT_EQ(ints(n.argmax()), std::vector<int64_t>{1});
  EXPECT_EQ(ints(n.argmin()), std::vector<int64_t>{1});
  EXPECT_TRUE(std::isnan(std::get<0>(n.max(0)).item<double>()));

  EXPECT_EQ(ints(x.argmax()), std::vector<int64_t>{1});
  EXPECT_EQ(ints(x.argmin()), std::vector<int64_t>{5});
  EXPECT_EQ(x.argmax().dim(), 0);
  EXPECT_EQ(x.argmax(std::nullopt, true).sizes(), IntArrayRef({1, 1}));
  EXPECT_EQ(ints(x.argmax(-1)), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(x.argmax(1, true).sizes(), IntArrayRef({2, 1}));
  EXPECT_EQ(ints(tensor({3, 9, 9}, {.dtype = kInt32}).argmax()), std::vector<int64_t>{1});
  EXPECT_EQ(ints(tensor(4.f).argmax(0)), std::vector<int64_t>{0});
  EXPECT_EQ(std::get<0>(tensor(4.f).max(0, true)).dim(), 0);
}

TEST(Reduce, AllAny) {
  const Tensor b = tensor({{true, false}, {true, true}});
  EXPECT_EQ(values(b.all()), V{0});
  EXPECT_EQ(values(b.any()), V{1});
  EXPECT_EQ(values(b.all({1})), (V{0, 1}));
  EXPECT_EQ(values(b.all({0})), (V{1, 0}));
  EXPECT_EQ(b.all().dtype(), kBool);
  for (DType dtype : kAllTypes) {
    const Tensor x = tensor({{0, 2}, {3, 4}}, {.dtype = dtype});
    EXPECT_EQ(values(x.all({1})), (V{0, 1})) << dtype;
    EXPECT_EQ(values(x.any({0})), (V{1, 1})) << dtype;
    EXPECT_EQ(x.all().dtype(), dtype == kUInt8 ? kUInt8 : kBool);
  }
  EXPECT_EQ(values(tensor({kNaN}).all()), V{1});  // NaN is nonzero
}

TEST(Reduce, VarStdNorm) {
  const Tensor x = tensor({{1.0, 2.0, 3.0, 4.0}, {2.0, 2.0, 2.0, 2.0}});
  expect_near(values(x.var({1})), {5.0 / 3.0, 0});
  expect_near(values(x.var({1}, 0)), {1.25, 0});
  expect_near(values(x.std({1})), {std::sqrt(5.0 / 3.0), 0});
  expect_near(values(x.var()), {5.5 / 7});  // mean 2.25 over all 8 elements
  EXPECT_EQ(x.var({0}, 1, true).sizes(), IntArrayRef({1, 4}));
  EXPECT_TRUE(std::isinf(tensor({1.0, 2.0}).var({}, 2).item<double>()));  // correction >= n divides by 0
  expect_near(values(x.to(kFloat16).var({1})), {5.0 / 3.0, 0}, 1e-3);
  EXPECT_THROW(tensor({1, 2}).var(), Error);

  const Tensor v = tensor({3.0, -4.0, 0.0});
  expect_near(values(v.norm()), {5});
  expect_near(values(v.norm(1)), {7});
  expect_near(values(v.norm(INFINITY)), {4});
  expect_near(values(v.norm(-INFINITY)), {0});
  expect_near(values(v.norm(0)), {2});
  expect_near(values(v.norm(3)), {std::cbrt(27.0 + 64.0)});
  expect_near(values(x.norm(2, {1})), {std::sqrt(30.0), 4});
  EXPECT_EQ(x.norm(2, {1}, true).sizes(), IntArrayRef({2, 1}));
  EXPECT_EQ(v.to(kFloat16).norm().dtype(), kFloat16);
  EXPECT_THROW(tensor({1, 2}).norm(), Error);
  EXPECT_THROW(zeros({0}).norm(INFINITY), Error);
}

TEST(Reduce, LogSumExpIsStable) {
  const Tensor x = tensor({{1.0, 2.0, 3.0}, {1000.0, 1000.0, -kInf}});
  expect_near(values(x.logsumexp({1})), {std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1000 + std::log(2.0)});
  EXPECT_EQ(x.logsumexp({1}, true).sizes(), IntArrayRef({2, 1}));
  expect_near(values(tensor({-kInf, -kInf}).logsumexp({0})), {-kInf});
  expect_near(values(tensor({kInf, 1.0}).logsumexp({0})), {kInf});
  expect_near(values(tensor({1.0, kNaN}).logsumexp({0})), {kNaN});
  const Tensor i = tensor({0, 0});
  EXPECT_EQ(i.logsumexp({0}).dtype(), kFloat32);
  expect_near(values(i.logsumexp({0})), {std::log(2.0)});
  expect_near(values(zeros({2, 0}).logsumexp({1})), {-kInf, -kInf});
  expect_near(values(tensor({1.0, 2.0}, {.dtype = kFloat16}).logsumexp({0})), {std::log(std::exp(1.0) + std::exp(2.0))}, 1e-3);
}

TEST(Reduce, NonContiguousInputsMatchContiguous) {
  manual_seed(0);
  const Tensor base = randn({6, 5, 8});
  const std::vector<Tensor> views = {base.permute({2, 0, 1}), base.transpose(0, 2), base.slice(2, 0, 8, 2),
                                     base.slice(0, 1, 6, 2).transpose(1, 2), base.expand({2, 6, 5, 8})};
  const std::vector<std::vector<int64_t>> dim_sets = {{}, {0}, {1}, {-1}, {0, 2}, {1, 2}, {0, 1}};
  for (const Tensor& v : views) {
    const Tensor c = v.contiguous();
    ASSERT_FALSE(v.is_contiguous());
    for (const auto& dims : dim_sets) {
      expect_near(values(v.sum(dims)), values(c.sum(dims)), 1e-5);
      expect_near(values(v.mean(dims, true)), values(c.mean(dims, true)), 1e-5);
      EXPECT_EQ(values(v.amax(dims)), values(c.amax(dims)));
      EXPECT_EQ(values(v.amin(dims)), values(c.amin(dims)));
      EXPECT_EQ(values((v > 0).all(dims)), values((c > 0).all(dims)));
      EXPECT_EQ(values((v > 0).any(dims)), values((c > 0).any(dims)));
    }
    for (int64_t d = 0; d < v.dim(); ++d) {
      EXPECT_EQ(ints(v.argmax(d)), ints(c.argmax(d)));
      expect_near(values(v.prod(d)), values(c.prod(d)), 1e-5);
      expect_near(values(v.cumsum(d)), values(c.cumsum(d)), 1e-5);
      EXPECT_EQ(values(std::get<0>(v.sort(d))), values(std::get<0>(c.sort(d))));
      EXPECT_EQ(ints(v.argsort(d, false, true)), ints(c.argsort(d, false, true)));
    }
  }
}

namespace {

// Sizes around and above the thread grain (32768 elements), checked against plain loops.
void check_large_inputs_against_loops() {
  manual_seed(1);
  for (auto [rows, cols] : std::vector<std::pair<int64_t, int64_t>>{{3, 300000}, {300000, 3}, {2000, 100}, {100, 2000}, {1, 70001}}) {
    const Tensor x = rand({rows, cols});
    const std::vector<float> data = x.to_vector<float>();
    V row_sum(rows, 0), col_sum(cols, 0), row_max(rows, -kInf), col_min(cols, kInf);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c) {
        const double v = data[r * cols + c];
        row_sum[r] += v;
        col_sum[c] += v;
        row_max[r] = std::max(row_max[r], v);
        col_min[c] = std::min(col_min[c], v);
      }
    expect_near(values(x.sum({1})), row_sum, 1e-6);
    expect_near(values(x.sum({0})), col_sum, 1e-6);
    expect_near(values(x.t().sum({0})), row_sum, 1e-6);
    expect_near(values(x.mean({0})), [&] { V m = col_sum; for (double& v : m) v /= rows; return m; }(), 1e-6);
    EXPECT_EQ(values(x.amax({1})), row_max);
    EXPECT_EQ(values(x.amin({0})), col_min);
    EXPECT_EQ(values(x.t().amin({1})), col_min);
    EXPECT_EQ(ints(x.argmax(1)), ints(std::get<1>(x.max(1))));
    EXPECT_EQ(values(x.gather(1, x.argmax(1, true)).view({rows})), row_max);
  }
}

}  // namespace

TEST(Reduce, LargeInputsMatchSimpleLoops) { check_large_inputs_against_loops(); }

// More threads than outputs, and an odd thread count: chunked partial results must combine to
// the same values.
TEST(Reduce, LargeInputsMatchSimpleLoopsOnManyThreads) {
  const ThreadCount threads(7);
  check_large_inputs_against_loops();
  Tensor x = zeros({1000000});
  x.index_put_({654321}, 3.0);
  x.index_put_({987654}, 3.0);
  EXPECT_EQ(ints(x.argmax()), std::vector<int64_t>{654321});
  EXPECT_EQ(ints(x.nonzero()), (std::vector<int64_t>{654321, 987654}));
  EXPECT_EQ(values(x.cumsum(0).slice(0, 999999)), V{6});
}

// Partial results come from fixed chunks, so float results are identical for any thread count.
TEST(Reduce, ResultsDoNotDependOnThreadCount) {
  manual_seed(5);
  const Tensor x = randn({300000, 5}), y = randn({2, 700000}), z = randn({64, 40000});
  const auto run_all = [&] {
    return std::vector<Tensor>{x.sum(), x.sum({0}), x.mean({1}), y.sum({1}), y.t().sum({0}), z.sum({0}),
                               z.t().mean({1}), x.var({0}), y.norm(2, {1}), z.logsumexp({1})};
  };
  std::vector<Tensor> serial, parallel;
  {
    const ThreadCount one(1);
    serial = run_all();
  }
  {
    const ThreadCount many(7);
    parallel = run_all();
  }
  for (size_t i = 0; i < serial.size(); ++i) EXPECT_EQ(values(serial[i]), values(parallel[i])) << "result " << i;
}

TEST(Reduce, Float32SumsAreAccurate) {
  for (const Tensor& x : {full({1000000}, 0.1f), rand({1000000}), rand({1000, 1000}).t()}) {
    double reference = 0;
    for (float v : x.to_vector<float>()) reference += v;
    EXPECT_NEAR(x.sum().item<double>(), reference, 1e-6 * reference);
    EXPECT_NEAR(x.mean().item<double>(), reference / 1e6, 1e-6 * reference / 1e6);
  }
  // A long column reduction (outputs contiguous, reduced dim strided).
  const Tensor tall = full({1000000, 16}, 0.1f);
  double reference = 0;
  for (int i = 0; i < 1000000; ++i) reference += 0.1f;
  for (double v : values(tall.sum({0}))) EXPECT_NEAR(v, reference, 1e-6 * reference);
}

TEST(Reduce, LargeArgmaxAndNaNAcrossChunks) {
  Tensor x = zeros({1000000});
  x.index_put_({700000}, 5.0);
  x.index_put_({900000}, 5.0);
  EXPECT_EQ(ints(x.argmax()), std::vector<int64_t>{700000});
  EXPECT_EQ(values(x.max()), V{5});
  EXPECT_EQ(ints(x.argmin()), std::vector<int64_t>{0});
  x.index_put_({800000}, kNaN);
  EXPECT_EQ(ints(x.argmax()), std::vector<int64_t>{800000});
  EXPECT_EQ(ints(x.argmin()), std::vector<int64_t>{800000});
  EXPECT_TRUE(std::isnan(x.max().item<double>()));
  EXPECT_TRUE(std::isnan(x.sum().item<double>()));
  const V row_max = values(x.view({1000, 1000}).amax({1}));
  EXPECT_EQ(row_max[699], 0);
  EXPECT_EQ(row_max[700], 5);
  EXPECT_TRUE(std::isnan(row_max[800]));
  EXPECT_EQ(ints(x.view({1000, 1000}).t().argmax(0).slice(0, 800, 801)), std::vector<int64_t>{0});
}

TEST(Cumsum, ValuesDtypesAndLayouts) {
  EXPECT_EQ(values(tensor({1.f, 2.f, 3.f, 4.f}).cumsum(0)), (V{1, 3, 6, 10}));
  const Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}, {.dtype = kInt32});
  EXPECT_EQ(x.cumsum(0).dtype(), kInt64);
  EXPECT_EQ(ints(x.cumsum(0)), (std::vector<int64_t>{1, 2, 3, 5, 7, 9}));
  EXPECT_EQ(ints(x.cumsum(-1)), (std::vector<int64_t>{1, 3, 6, 4, 9, 15}));
  EXPECT_EQ(ints(x.t().cumsum(1)), (std::vector<int64_t>{1, 5, 2, 7, 3, 9}));
  EXPECT_EQ(ints(tensor({true, true, false}).cumsum(0)), (std::vector<int64_t>{1, 2, 2}));
  EXPECT_EQ(x.cumsum(1, kFloat64).dtype(), kFloat64);
  EXPECT_EQ(values(tensor({1.0, 2.0}, {.dtype = kFloat16}).cumsum(0)), (V{1, 3}));
  EXPECT_EQ(values(tensor(5.f).cumsum(0)), V{5});
  expect_near(values(tensor({1.0, kNaN, 1.0}).cumsum(0)), {1, kNaN, kNaN});
  EXPECT_THROW(x.cumsum(2), Error);
}

TEST(Sort, ValuesIndicesAndNaNOrder) {
  for (DType dtype : kAllTypes) {
    const Tensor x = tensor({3, 1, 2}, {.dtype = dtype});
    auto [v, i] = x.sort();
    EXPECT_EQ(values(v), (V{1, 2, 3})) << dtype;
    EXPECT_EQ(ints(i), (std::vector<int64_t>{1, 2, 0}));
    EXPECT_EQ(values(std::get<0>(x.sort(0, true))), (V{3, 2, 1}));
  }
  const Tensor n = tensor({2.0, kNaN, -1.0, kInf});
  auto [up, up_i] = n.sort();
  expect_near(values(up), {-1, 2, kInf, kNaN});
  EXPECT_EQ(ints(up_i), (std::vector<int64_t>{2, 0, 3, 1}));
  auto [down, down_i] = n.sort(0, true);
  expect_near(values(down), {kNaN, kInf, 2, -1});
  EXPECT_EQ(ints(down_i), (std::vector<int64_t>{1, 3, 0, 2}));
  const Tensor m = tensor({{3.f, 1.f}, {2.f, 4.f}});
  EXPECT_EQ(values(std::get<0>(m.sort(0))), (V{2, 1, 3, 4}));
  EXPECT_EQ(ints(m.argsort(1, true)), (std::vector<int64_t>{0, 1, 1, 0}));
  EXPECT_EQ(values(std::get<0>(tensor({true, false, true}).sort())), (V{0, 1, 1}));
  EXPECT_EQ(std::get<0>(tensor(1.f).sort()).dim(), 0);
  EXPECT_THROW(m.sort(2), Error);
}

TEST(Sort, StableKeepsTheOrderOfTies) {
  const Tensor x = tensor({2, 1, 2, 1, 2});
  EXPECT_EQ(ints(x.argsort(0, false, true)), (std::vector<int64_t>{1, 3, 0, 2, 4}));
  EXPECT_EQ(ints(x.argsort(0, true, true)), (std::vector<int64_t>{0, 2, 4, 1, 3}));
  const Tensor zeros_signed = tensor({0.0, -0.0, 0.0});
  EXPECT_EQ(ints(zeros_signed.argsort(0, false, true)), (std::vector<int64_t>{0, 1, 2}));
  // Many ties across a long line.
  const Tensor big = arange(100000).remainder(3);
  const std::vector<int64_t> order = ints(big.argsort(0, false, true));
  for (size_t k = 1; k < order.size(); ++k) {
    const int64_t a = order[k - 1], b = order[k];
    ASSERT_TRUE(a % 3 < b % 3 || (a % 3 == b % 3 && a < b)) << "at " << k;
  }
}

// Long integer lines take a radix sort: the same order as a stable comparison sort, both
// directions, negative and extreme values, every integer dtype, along a strided dim.
TEST(Sort, LongIntegerLinesMatchAStableSort) {
  manual_seed(3);
  const int64_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  Tensor wide = randint(-1000, 1000, {5000});
  wide.narrow(0, 0, 4).copy_(tensor({lo, hi, lo, 0}));
  const Tensor lines[] = {wide, randint(lo, hi, {3000}), randint(0, 7, {2000}).to(kUInt8),
                          randint(-300, 300, {4096}).to(kInt32), randint(-5, 5, {1500}).to(kInt32),
                          randint(0, 2, {1200}).to(kBool)};
  for (const Tensor& line : lines) {
    const std::vector<int64_t> v = line.to(kInt64).to_vector<int64_t>();
    for (bool descending : {false, true}) {
      std::vector<int64_t> expected(v.size());
      std::iota(expected.begin(), expected.end(), 0);
      std::stable_sort(expected.begin(), expected.end(),
                       [&](int64_t a, int64_t b) { return descending ? v[a] > v[b] : v[a] < v[b]; });
      // As a row of a 2-D tensor's columns: the line has stride 3.
      const Tensor strided = stack({line, line, line}, 1);
      auto [sorted, order] = strided.sort(0, descending, true);
      for (int64_t col = 0; col < 3; ++col) {
        ASSERT_EQ(ints(order.select(1, col).contiguous()), expected) << line.dtype() << " " << descending;
        ASSERT_TRUE(equal(sorted.select(1, col), line.index_select(0, order.select(1, col))));
      }
    }
  }
}

TEST(Topk, LargestSmallestSortedAndDims) {
  const Tensor x = tensor({1.f, 5.f, 3.f, 5.f, 2.f});
  auto [v, i] = x.topk(3);
  EXPECT_EQ(values(v), (V{5, 5, 3}));
  EXPECT_EQ(ints(i), (std::vector<int64_t>{1, 3, 2}));
  auto [s, si] = x.topk(2, 0, false);
  EXPECT_EQ(values(s), (V{1, 2}));
  EXPECT_EQ(ints(si), (std::vector<int64_t>{0, 4}));
  auto [u, ui] = x.topk(3, 0, true, false);
  std::vector<double> got = values(u);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (V{3, 5, 5}));
  const Tensor m = tensor({{1, 9, 3}, {8, 2, 7}}, {.dtype = kInt32});
  EXPECT_EQ(values(std::get<0>(m.topk(1, 0))), (V{8, 9, 7}));
  EXPECT_EQ(std::get<0>(m.topk(2, 1)).sizes(), IntArrayRef({2, 2}));
  EXPECT_EQ(values(std::get<0>(m.topk(2, 1))), (V{9, 3, 8, 7}));
  EXPECT_EQ(values(std::get<0>(m.t().topk(1, 1))), (V{8, 9, 7}));
  EXPECT_EQ(std::get<0>(m.topk(0, 1)).sizes(), IntArrayRef({2, 0}));
  expect_near(values(std::get<0>(tensor({1.0, kNaN, 3.0}).topk(2))), {kNaN, 3});
  expect_near(values(std::get<0>(tensor({1.0, kNaN, 3.0}).topk(2, 0, false))), {1, 3});
  EXPECT_THROW(x.topk(6), Error);
  EXPECT_THROW(x.topk(-1), Error);
  EXPECT_THROW(x.topk(1, 1), Error);
}

TEST(Topk, LargeRowsMatchSort) {
  manual_seed(2);
  const Tensor x = randn({8, 20000});
  auto [v, i] = x.topk(50, 1);
  auto [sv, si] = x.sort(1, true);
  EXPECT_EQ(values(v), values(sv.slice(1, 0, 50).contiguous()));
  EXPECT_EQ(ints(i), ints(si.slice(1, 0, 50).contiguous()));
  EXPECT_EQ(values(x.gather(1, i)), values(v));
}

TEST(Reduce, BadInput) {
  const Tensor x = ones({2, 3});
  EXPECT_THROW(x.sum({2}), Error);
  EXPECT_THROW(x.sum({-3}), Error);
  EXPECT_THROW(x.sum({1, -1}), Error);  // repeated dim
  EXPECT_THROW(x.amax({0, 0}), Error);
  EXPECT_THROW(x.max(2), Error);
  EXPECT_THROW(x.argmax(5), Error);
  EXPECT_THROW(x.cumsum(-3), Error);
  EXPECT_THROW(x.logsumexp({3}), Error);
  EXPECT_THROW(Tensor().sum(), Error);
  try {
    x.sum({4});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sum"), std::string::npos) << e.what();
  }
}
