// Gradients of the matrix products: mm, bmm, addmm, baddbmm, dot, outer, every case of matmul,
// and linear, with double backward.
#include <gtest/gtest.h>

#include <functional>
#include <utility>
#include <vector>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

using namespace grad_testing;

Tensor mat(std::vector<double> v, IntArrayRef sizes) {
  return tensor(std::move(v), {.dtype = kFloat64}).view(sizes).detach().requires_grad_();
}

}  // namespace

TEST(LinalgGrad, Mm) {
  const Fn f = [](const std::vector<Tensor>& in) { return mm(in[0], in[1]); };
  check(f, {rnd({2, 3}), rnd({3, 4})});
  check(f, {rnd_t(2, 3), rnd_t(3, 2)});
  // d(sum(a @ b))/da = ones @ b^T, d/db = a^T @ ones.
  const Tensor a = mat({1, 2, 3, 4}, {2, 2}), b = mat({5, 6, 7, 8}, {2, 2});
  mm(a, b).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{11, 15, 11, 15}));
  EXPECT_EQ(values(b.grad()), (V{4, 4, 6, 6}));
  EXPECT_STREQ(mm(a, b).grad_fn()->name(), "MmBackward");
}

TEST(LinalgGrad, OnlyOperandsThatRequireGradGetOne) {
  const Tensor a = rnd({2, 3}), b = randn({3, 2}, {.dtype = kFloat64});
  mm(a, b).sum().backward();
  EXPECT_EQ(a.grad().sizes(), IntArrayRef({2, 3}));
  EXPECT_FALSE(b.grad().defined());
  check([&b](const std::vector<Tensor>& in) { return matmul(in[0], b); }, {rnd({2, 2, 3})});
}

TEST(LinalgGrad, Bmm) {
  const Fn f = [](const std::vector<Tensor>& in) { return bmm(in[0], in[1]); };
  check(f, {rnd({2, 2, 3}), rnd({2, 3, 2})});
  check(f, {rnd({2, 3, 2}).transpose(1, 2).detach().requires_grad_(), rnd({2, 3, 1})});
}

TEST(LinalgGrad, AddmmAndBaddbmm) {
  for (double beta : {1.0, 0.5, 0.0})
    for (double alpha : {1.0, -2.0}) {
      check([=](const std::vector<Tensor>& in) { return addmm(in[0], in[1], in[2], beta, alpha); },
            {rnd({2, 4}), rnd({2, 3}), rnd_t(3, 4)});
      check([=](const std::vector<Tensor>& in) { return baddbmm(in[0], in[1], in[2], beta, alpha); },
            {rnd({2, 2, 4}), rnd({2, 2, 3}), rnd({2, 3, 4})});
    }
  // Broadcast biases get their gradients summed back.
  check([](const std::vector<Tensor>& in) { return addmm(in[0], in[1], in[2], 0.5, 2.0); },
        {rnd({4}), rnd({2, 3}), rnd({3, 4})});
  check([](const std::vector<Tensor>& in) { return baddbmm(in[0], in[1], in[2]); }, {rnd({2, 1}), rnd({3, 2, 3}), rnd({3, 3, 1})});
  // beta = 0 ignores the bias: its gradient is zero.
  const Tensor bias = rnd({2, 2});
  addmm(bias, rnd({2, 3}), rnd({3, 2}), 0.0).sum().backward();
  EXPECT_EQ(values(bias.grad()), V(4, 0.0));
}

TEST(LinalgGrad, BiasOfAnotherDtypeGetsItsOwnDtype) {
  const Tensor bias = randn({2}, {.requires_grad = true});
  const Tensor y = addmm(bias, rnd({2, 3}), rnd({3, 2}), 3.0);
  EXPECT_EQ(y.dtype(), kFloat64);
  y.sum().backward();
  EXPECT_EQ(bias.grad().dtype(), kFloat32);
  EXPECT_EQ(values(bias.grad()), (V{6, 6}));
}

TEST(LinalgGrad, DotAndOuter) {
  check([](const std::vector<Tensor>& in) { return dot(in[0], in[1]); }, {rnd({3}), rnd({3})});
  check([](const std::vector<Tensor>& in) { return outer(in[0], in[1]); }, {rnd({3}), rnd({2})});
  const Tensor a = mat({1, 2}, {2}), b = mat({3, 4}, {2});
  (dot(a, b) * 2.0).backward();
  EXPECT_EQ(values(a.grad()), (V{6, 8}));
  EXPECT_EQ(values(b.grad()), (V{2, 4}));
}

TEST(LinalgGrad, MatmulEveryCase) {
  const Fn f = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
  const std::vector<std::pair<DimVector, DimVector>> cases = {
      {{3}, {3}},          {{3}, {3, 2}},          {{2, 3}, {3}},       {{2, 3}, {3, 4}},
      {{2, 2, 3}, {3}},    {{2, 2, 3}, {3, 4}},    {{3}, {2, 3, 2}},    {{2, 3}, {2, 3, 2}},
      {{2, 2, 3}, {2, 3, 2}}, {{2, 1, 2, 3}, {3, 3, 2}}, {{1, 2, 3}, {2, 1, 3, 2}}, {{2, 1, 2, 3}, {3}}};
  for (const auto& [sa, sb] : cases) {
    EXPECT_TRUE(gradcheck(f, {rnd(sa), rnd(sb)})) << sa.size() << "-D @ " << sb.size() << "-D";
    EXPECT_TRUE(gradgradcheck(f, {rnd(sa), rnd(sb)})) << sa.size() << "-D @ " << sb.size() << "-D";
  }
  // Non-contiguous and expanded (broadcast) operands.
  check(f, {rnd_t(2, 3), rnd({2, 3, 2})});
  check(f, {rnd({2, 2, 3}), rnd_t(3, 2)});
  const Tensor b = rnd({3, 1});
  check([&](const std::vector<Tensor>& in) { return matmul(in[0], b.expand({2, 3, 2})); }, {rnd({2, 2, 3})});
}

TEST(LinalgGrad, Linear) {
  const Fn with_bias = [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); };
  const Fn no_bias = [](const std::vector<Tensor>& in) { return linear(in[0], in[1]); };
  check(with_bias, {rnd({2, 3}), rnd({4, 3}), rnd({4})});
  check(with_bias, {rnd({2, 2, 3}), rnd_t(4, 3), rnd({4})});
  check(with_bias, {rnd({3}), rnd({2, 3}), rnd({2})});
  check(no_bias, {rnd_t(2, 3), rnd({4, 3})});
  // grad_x = g @ W, grad_W = g^T @ x over all rows, grad_b = g summed over all but the last dim.
  const Tensor x = mat({1, 2, 3, 4}, {2, 1, 2}), w = mat({1, 0, 2, 1, 0, 3}, {3, 2}), b = mat({0, 0, 0}, {3});
  const Tensor y = linear(x, w, b);
  EXPECT_EQ(y.sizes(), IntArrayRef({2, 1, 3}));
  EXPECT_STREQ(y.grad_fn()->name(), "LinearBackward");
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (V{3, 4, 3, 4}));
  EXPECT_EQ(values(w.grad()), (V{4, 6, 4, 6, 4, 6}));
  EXPECT_EQ(values(b.grad()), (V{2, 2, 2}));
}

// The input, weight and bias gradients of a small product are computed side by side on the CPU's
// threads (without create_graph): the same bits as one after the other on one thread, and no graph.
TEST(LinalgGrad, SmallProductGradientsDoNotDependOnThreads) {
  const Tensor x = randn({32, 128}).requires_grad_(), w = randn({64, 128}).requires_grad_();
  const Tensor b = randn({64}).requires_grad_(), g = randn({32, 64});
  const std::vector<std::pair<const char*, std::function<Tensor()>>> forms = {
      {"linear", [&] { return linear(x, w, b); }},
      {"addmm", [&] { return addmm(b, x, w.t()); }},
      {"mm", [&] { return mm(x, w.t()) + b; }}};
  const int saved_threads = get_num_threads();
  for (const auto& [form, forward] : forms) {
    SCOPED_TRACE(form);
    std::vector<std::vector<Tensor>> runs;
    for (int threads : {1, 3}) {
      set_num_threads(threads);
      for (int repeat = 0; repeat < 20; ++repeat) {  // so that the workers, once awake, take some of the products
        runs.push_back(autograd::grad({forward()}, {x, w, b}, {g}));
        for (const Tensor& grad : runs.back()) {
          EXPECT_FALSE(grad.requires_grad());
          EXPECT_EQ(grad.grad_fn(), nullptr);
        }
      }
    }
    set_num_threads(saved_threads);
    for (const std::vector<Tensor>& run : runs)
      for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(equal(run[i], runs[0][i])) << i;
    EXPECT_TRUE(equal(runs[0][0], mm(g, w.detach())));
    EXPECT_TRUE(equal(runs[0][1], mm(g.t(), x.detach())));
    // With create_graph the gradients are built on the calling thread, differentiable again.
    const std::vector<Tensor> graph = autograd::grad({forward()}, {x, w}, {g}, std::nullopt, true);
    EXPECT_NE(graph[1].grad_fn(), nullptr);
    EXPECT_TRUE(equal(graph[1].detach(), runs[0][1]));
  }
}

TEST(LinalgGrad, OutputsAreNotViewsAndBadInputStillThrows) {
  const Tensor y = linear(rnd({2, 2, 3}), rnd({4, 3}));
  y.mul_(2.0);  // an in-place op on a fresh output rebases its own history
  EXPECT_STREQ(y.grad_fn()->name(), "MulBackward");
  EXPECT_THROW(mm(rnd({2, 3}), rnd({2, 3})), Error);
  EXPECT_THROW(matmul(rnd({2, 2, 3}), rnd({3, 2, 2})), Error);
  EXPECT_THROW(linear(rnd({2, 3}), rnd({4, 2})), Error);
}
