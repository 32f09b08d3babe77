// Gradients of the reductions, scans and sorting, including PyTorch's conventions at special
// points: zeros in prod, ties in max/min, a zero norm or std, -inf in logsumexp.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

using namespace grad_testing;

constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor leaf(std::vector<double> v, IntArrayRef sizes) {
  return tensor(std::move(v), {.dtype = kFloat64}).view(sizes).detach().requires_grad_();
}

// The gradient of sum(f(x) * w) for fixed weights w (so that every output element counts differently).
V weighted_grad(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  const Tensor y = f(x);
  const Tensor w = arange(1, y.numel() + 1, 1, {.dtype = kFloat64}).view(y.sizes());
  return values(autograd::grad({(y * w).sum()}, {x})[0]);
}

}  // namespace

TEST(ReductionGrad, Sum) {
  check([](const std::vector<Tensor>& in) { return in[0].sum(); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].sum({1}); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].sum({0, -1}, true); }, {rnd({2, 3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].sum({}, false); }, {rnd({})});
  EXPECT_EQ(weighted_grad([](const Tensor& x) { return x.sum({0}, true); }, leaf({1, 2, 3, 4}, {2, 2})), (V{1, 2, 1, 2}));
}

TEST(ReductionGrad, SumAndMeanWithDtypeGiveTheInputsDtype) {
  const Tensor x = randn({2, 3}, {.requires_grad = true});
  const Tensor s = x.sum({1}, false, kFloat64);
  EXPECT_EQ(s.dtype(), kFloat64);
  (s * 2.0).sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(values(x.grad()), V(6, 2.0));
  const Tensor y = randn({4}, {.requires_grad = true});
  y.mean({}, false, kFloat64).backward();
  EXPECT_EQ(y.grad().dtype(), kFloat32);
  EXPECT_EQ(values(y.grad()), V(4, 0.25));
}

TEST(ReductionGrad, Mean) {
  check([](const std::vector<Tensor>& in) { return in[0].mean(); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].mean({0}, true); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].mean({-1, 0}); }, {rnd({2, 3, 2})});
  EXPECT_EQ(weighted_grad([](const Tensor& x) { return x.mean({1}); }, leaf({1, 2, 3, 4}, {2, 2})),
            (V{0.5, 0.5, 1, 1}));
}

TEST(ReductionGrad, Prod) {
  check([](const std::vector<Tensor>& in) { return in[0].prod(); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].prod(1); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].prod(0, true); }, {rnd({3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].prod(0); }, {rnd({})});
  const Tensor x = randn({3}, {.requires_grad = true});
  x.prod(std::nullopt, false, kFloat64).backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
}

// The product is multilinear, so central differences are exact at zeros too, to second order.
TEST(ReductionGrad, ProdWithZeros) {
  const Tensor one_zero = leaf({2, 0, 3, 4}, {4});
  one_zero.prod().backward();
  EXPECT_EQ(values(one_zero.grad()), (V{0, 24, 0, 0}));
  const Tensor two_zeros = leaf({2, 0, 3, 0}, {4});
  two_zeros.prod().backward();
  EXPECT_EQ(values(two_zeros.grad()), (V{0, 0, 0, 0}));
  // Rows with no zero, one zero and two zeros in one tensor.
  const Tensor mixed = leaf({1.5, 2, -3, 0, 2, 5, 0, 0, 7}, {3, 3});
  EXPECT_EQ(weighted_grad([](const Tensor& x) { return x.prod(1); }, mixed), (V{-6, -4.5, 3, 20, 0, 0, 0, 0, 0}));
  for (const Tensor& x : {one_zero, two_zeros, mixed, leaf({0, 0, 0, 2, 3, 0}, {2, 3})}) {
    check([](const std::vector<Tensor>& in) { return in[0].prod(); }, {x});
    check([](const std::vector<Tensor>& in) { return in[0].prod(-1, true); }, {x});
    check([](const std::vector<Tensor>& in) { return in[0].prod(0); }, {x});
  }
}

TEST(ReductionGrad, MaxMinAmaxAmin) {
  check([](const std::vector<Tensor>& in) { return in[0].max(); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].min(); }, {rnd_t(3, 2)});
  check([](const std::vector<Tensor>& in) { return in[0].amax({1}); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].amin({0, 2}, true); }, {rnd({2, 3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].amax(); }, {rnd({})});
}

TEST(ReductionGrad, ExtremaTiesShareTheGradientEvenly) {
  const Tensor x = leaf({1, 3, 3, 2, 2, 2}, {2, 3});
  x.max().backward();
  EXPECT_EQ(values(x.grad()), (V{0, 0.5, 0.5, 0, 0, 0}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.amax({1}); }, x), (V{0, 0.5, 0.5, 2 / 3.0, 2 / 3.0, 2 / 3.0}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.amin({0}, true); }, x), (V{1, 0, 0, 0, 2, 3}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.min(); }, x), (V{1, 0, 0, 0, 0, 0}));
}

TEST(ReductionGrad, MaxMinAlongADimSendTheGradientToTheReturnedIndex) {
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].max(1)); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].min(0, true)); }, {rnd({3, 2})});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].max(0)); }, {rnd({})});
  const Tensor x = leaf({1, 3, 3, 2, 2, 2}, {2, 3});
  const auto [v, i] = x.max(1);
  EXPECT_FALSE(i.requires_grad());
  autograd::backward({v}, {tensor(V{10, 20}, {.dtype = kFloat64})});
  const auto index = i.to_vector<int64_t>();
  V expected(6, 0.0);
  expected[index[0]] = 10;
  expected[3 + index[1]] = 20;
  EXPECT_EQ(values(x.grad()), expected);
}

TEST(ReductionGrad, VarAndStd) {
  for (int64_t correction : {0, 1, 2}) {
    check([correction](const std::vector<Tensor>& in) { return in[0].var({}, correction); }, {rnd({2, 3})});
    check([correction](const std::vector<Tensor>& in) { return in[0].std({1}, correction, true); }, {rnd_t(3, 4)});
  }
  check([](const std::vector<Tensor>& in) { return in[0].var({0, 2}); }, {rnd({3, 2, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].std({-1}); }, {rnd({2, 3, 2})});
}

TEST(ReductionGrad, StdOfAConstantSliceHasZeroGradient) {
  const Tensor x = leaf({2, 2, 2, 1, 2, 4}, {2, 3});
  const Tensor s = x.std({1});
  s.sum().backward();
  const V g = values(x.grad());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(g[i], 0.0);
  // (x - mean) / ((n - 1) * std) for the second row.
  const double sd = std::sqrt(7.0 / 3);
  EXPECT_NEAR(g[3], (1 - 7 / 3.0) / (2 * sd), 1e-12);
  EXPECT_NEAR(g[5], (4 - 7 / 3.0) / (2 * sd), 1e-12);
}

TEST(ReductionGrad, Norm) {
  for (double p : {1.0, 2.0, 3.0, 1.5, 0.5, kInf, -kInf}) {
    EXPECT_TRUE(gradcheck([p](const std::vector<Tensor>& in) { return in[0].norm(p); }, {rnd({2, 3})})) << p;
    EXPECT_TRUE(gradcheck([p](const std::vector<Tensor>& in) { return in[0].norm(p, {1}, true); }, {rnd_t(3, 4)})) << p;
  }
  for (double p : {2.0, 3.0, 1.5, kInf})
    EXPECT_TRUE(gradgradcheck([p](const std::vector<Tensor>& in) { return in[0].norm(p, {0}); }, {rnd({3, 2})})) << p;
}

TEST(ReductionGrad, NormAtSpecialPoints) {
  // A zero norm has zero gradient (not sqrt's nan), for every p.
  for (double p : {2.0, 1.0, 3.0, 1.5, 0.5, kInf}) {
    const Tensor x = zeros({3}, {.dtype = kFloat64, .requires_grad = true});
    x.norm(p).backward();
    EXPECT_EQ(values(x.grad()), V(3, 0.0)) << p;
  }
  // p = 0 counts nonzeros: differentiable, with zero gradient.
  const Tensor x = leaf({1, 0, -2}, {3});
  const Tensor count = x.norm(0);
  EXPECT_TRUE(count.requires_grad());
  count.backward();
  EXPECT_EQ(values(x.grad()), V(3, 0.0));
  // p < 1: zero elements get zero gradient; ties of the inf-norm share it, with |x|'s sign.
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.norm(0.5); }, leaf({0, 4, 0}, {3})), (V{0, 1, 0}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.norm(kInf); }, leaf({-2, 2, 1}, {3})), (V{-0.5, 0.5, 0}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.norm(1); }, leaf({-2, 0, 1}, {3})), (V{-1, 0, 1}));
}

TEST(ReductionGrad, Logsumexp) {
  check([](const std::vector<Tensor>& in) { return in[0].logsumexp({1}); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].logsumexp({0, 2}, true); }, {rnd({2, 3, 2})});
  check([](const std::vector<Tensor>& in) { return (in[0] * 100.0).logsumexp({0}); }, {rnd({4})});
  // -inf entries get zero gradient; the others the softmax of the finite ones.
  const Tensor x = leaf({-kInf, std::log(1.0), std::log(3.0)}, {3});
  x.logsumexp({0}).backward();
  const V g = values(x.grad());
  EXPECT_EQ(g[0], 0.0);
  EXPECT_NEAR(g[1], 0.25, 1e-15);
  EXPECT_NEAR(g[2], 0.75, 1e-15);
}

TEST(ReductionGrad, Cumsum) {
  check([](const std::vector<Tensor>& in) { return in[0].cumsum(0); }, {rnd({4})});
  check([](const std::vector<Tensor>& in) { return in[0].cumsum(1); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].cumsum(-3); }, {rnd({3, 2, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].cumsum(0); }, {rnd({})});
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return t.cumsum(0); }, leaf({5, 6, 7}, {3})), (V{6, 5, 3}));
  const Tensor x = randn({3}, {.requires_grad = true});
  x.cumsum(0, kFloat64).sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(values(x.grad()), (V{3, 2, 1}));
}

TEST(ReductionGrad, TopkAndSort) {
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].topk(2)); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].topk(2, 0, false, false)); }, {rnd({4, 2})});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].sort()); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].sort(0, true)); }, {rnd({4, 2})});
  check([](const std::vector<Tensor>& in) { return std::get<0>(in[0].sort(0)); }, {rnd({})});
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return std::get<0>(t.sort(0, true)); }, leaf({1, 3, 2}, {3})),
            (V{3, 1, 2}));
  EXPECT_EQ(weighted_grad([](const Tensor& t) { return std::get<0>(t.topk(2, 0, false)); }, leaf({1, 3, 2}, {3})),
            (V{1, 0, 2}));
}

TEST(ReductionGrad, IndexAndLogicalResultsAreNotDifferentiable) {
  const Tensor x = rnd({2, 3});
  EXPECT_FALSE(x.argmax().requires_grad());
  EXPECT_FALSE(x.argmin(1).requires_grad());
  EXPECT_FALSE(x.argsort(1).requires_grad());
  EXPECT_FALSE(std::get<1>(x.topk(2)).requires_grad());
  EXPECT_FALSE(x.all().requires_grad());
  EXPECT_FALSE(x.any({1}).requires_grad());
}

TEST(ReductionGrad, NamesAndNoRecordingWithoutGrad) {
  const Tensor x = rnd({2, 3});
  EXPECT_STREQ(x.prod().grad_fn()->name(), "ProdBackward");
  EXPECT_STREQ(x.amax().grad_fn()->name(), "ExtremumBackward");
  EXPECT_STREQ(std::get<0>(x.sort()).grad_fn()->name(), "ValueSelectBackward");
  EXPECT_STREQ(x.norm().grad_fn()->name(), "NormBackward");
  EXPECT_STREQ(x.cumsum(0).grad_fn()->name(), "CumsumBackward");
  NoGradGuard no_grad;
  EXPECT_FALSE(x.mean().requires_grad());
  EXPECT_FALSE(x.std().requires_grad());
  EXPECT_FALSE(std::get<0>(x.max(0)).requires_grad());
}

TEST(ReductionGrad, BadInputStillThrows) {
  const Tensor empty_rows = zeros({0, 3}, {.dtype = kFloat64, .requires_grad = true});
  EXPECT_THROW(empty_rows.amax({0}), Error);
  EXPECT_THROW(empty_rows.max(0), Error);
  EXPECT_THROW(rnd({2}).topk(3), Error);
  EXPECT_THROW(rnd({2}).sum({1}), Error);
}
