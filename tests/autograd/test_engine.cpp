// Graph semantics of the autograd engine: accumulation, retain_graph, versions, hooks, grad modes,
// views and in-place ops, autograd::grad, double backward, anomaly mode, custom functions.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;
using autograd::AutogradContext;

namespace {

using grad_testing::expect_error;
using grad_testing::V;
using grad_testing::values;

Tensor leaf(std::initializer_list<double> v) { return tensor(std::vector<double>(v), {.dtype = kFloat64}).requires_grad_(); }

}  // namespace

TEST(Engine, TinyGraph) {
  const Tensor a = leaf({1, 2, 3}), b = leaf({4, 5, 6});
  const Tensor y = (a * b + a).sum();
  EXPECT_TRUE(y.requires_grad());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_STREQ(y.grad_fn()->name(), "SumBackward");
  y.backward();
  EXPECT_EQ(values(a.grad()), (V{5, 6, 7}));
  EXPECT_EQ(values(b.grad()), (V{1, 2, 3}));
  EXPECT_TRUE(a.grad().is_leaf());
  EXPECT_FALSE(a.grad().requires_grad());
}

TEST(Engine, GradientsAccumulateAcrossBackwardCalls) {
  const Tensor a = leaf({1, 2});
  (a * a).sum().backward();
  (a * a).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{4, 8}));
  a.mutable_grad() = Tensor();
  (a * 3.0).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{3, 3}));
}

TEST(Engine, TensorUsedTwiceAndSharedSubgraph) {
  const Tensor a = leaf({2, 3});
  const Tensor s = a * a;          // shared
  const Tensor y = (s * s + s).sum();  // d/da = (2s + 1) * 2a
  y.backward();
  EXPECT_EQ(values(a.grad()), (V{(2 * 4 + 1) * 4.0, (2 * 9 + 1) * 6.0}));
}

TEST(Engine, BroadcastGradientsAreSummedBackAndCast) {
  const Tensor a = zeros({3, 1}, {.dtype = kFloat32, .requires_grad = true});
  const Tensor b = ones({4}, {.dtype = kFloat64, .requires_grad = true});
  const Tensor y = a + b * 2.0;
  EXPECT_EQ(y.dtype(), kFloat64);
  EXPECT_EQ(y.sizes(), IntArrayRef({3, 4}));
  y.sum().backward();
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_EQ(a.grad().sizes(), IntArrayRef({3, 1}));
  EXPECT_EQ(values(a.grad()), (V{4, 4, 4}));
  EXPECT_EQ(values(b.grad()), (V{6, 6, 6, 6}));
}

TEST(Engine, SecondBackwardThroughFreedGraphIsAnError) {
  const Tensor a = leaf({1, 2});
  const Tensor y = (a * a).sum();
  y.backward();
  expect_error([&] { y.backward(); }, "backward through the graph a second time");
  const Tensor z = (a * a).sum();
  z.backward({}, /*retain_graph=*/true);
  z.backward();
  EXPECT_EQ(values(a.grad()), (V{2 + 4, 4 + 8}));
}

TEST(Engine, InPlaceChangeOfASavedTensorIsAnError) {
  const Tensor a = leaf({1, 2});
  const Tensor b = tensor({3.0, 4.0}, {.dtype = kFloat64});
  const Tensor y = (a * b).sum();
  b.add_(1.0);
  expect_error([&] { y.backward(); }, "MulBackward");
}

TEST(Engine, LeafInPlaceIsAnError) {
  const Tensor a = leaf({1, 2});
  expect_error([&] { a.add_(1.0); }, "leaf tensor that requires grad");
  expect_error([&] { a.select(0, 0).fill_(1); }, "view of a leaf tensor");
  {
    NoGradGuard no_grad;
    a.add_(1.0);  // optimizer-style update
  }
  EXPECT_EQ(values(a), (V{2, 3}));
}

TEST(Engine, RequiresGradRules) {
  EXPECT_THROW(tensor({1, 2}).requires_grad_(), Error);  // int64
  const Tensor a = leaf({1});
  const Tensor y = a * 2.0;
  EXPECT_THROW(y.requires_grad_(false), Error);
  EXPECT_THROW(tensor({1.0}).backward(), Error);  // no grad_fn
  EXPECT_THROW((leaf({1, 2}) * 2.0).backward(), Error);  // not a scalar
}

TEST(Engine, NoGradAndDetach) {
  const Tensor a = leaf({1, 2});
  {
    NoGradGuard no_grad;
    EXPECT_FALSE((a * a).requires_grad());
    EnableGradGuard enable;
    EXPECT_TRUE((a * a).requires_grad());
  }
  const Tensor d = a.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr(), a.data_ptr());
  const Tensor y = a * 2.0;
  const Tensor z = y.detach();
  EXPECT_EQ(z.version(), y.version());
  const Tensor w = a * 3.0;
  w.detach_();
  EXPECT_FALSE(w.requires_grad());
  EXPECT_TRUE(w.is_leaf());
}

TEST(Engine, HooksRetainGradAndPostAccumulate) {
  const Tensor a = leaf({1, 2});
  const Tensor h = a * 3.0;
  h.retain_grad();
  const int id = h.register_hook([](const Tensor& g) { return g * 2.0; });
  int leaf_calls = 0, post_calls = 0;
  a.register_hook([&](const Tensor& g) {
    ++leaf_calls;
    return g + 1.0;
  });
  a.register_post_accumulate_grad_hook([&](const Tensor& p) {
    ++post_calls;
    EXPECT_TRUE(p.grad().defined());
  });
  h.sum().backward({}, true);
  EXPECT_EQ(values(h.grad()), (V{2, 2}));          // retain_grad sees the hooked gradient
  EXPECT_EQ(values(a.grad()), (V{7, 7}));          // 2 * 3 + 1
  EXPECT_EQ(leaf_calls, 1);
  EXPECT_EQ(post_calls, 1);
  h.remove_hook(id);
  a.mutable_grad() = Tensor();
  h.sum().backward();
  EXPECT_EQ(values(a.grad()), (V{4, 4}));
}

TEST(Engine, Views) {
  const Tensor a = arange(6, {.dtype = kFloat64}).requires_grad_();
  const Tensor m = a.view({2, 3});
  const Tensor y = (m.t() * tensor({{1.0, 2.0}}, {.dtype = kFloat64})).sum() + m.select(1, 2).sum() +
                   m.slice(1, 0, 3, 2).sum() + m.unsqueeze(0).expand({4, 2, 3}).sum() + m.permute({1, 0})[0].sum();
  y.backward();
  // t: row r weighted r + 1; select col 2; slice cols 0, 2; expand x4; permute row 0 = col 0
  EXPECT_EQ(values(a.grad()), (V{1 + 1 + 4 + 1, 1 + 4, 1 + 1 + 1 + 4, 2 + 1 + 4 + 1, 2 + 4, 2 + 1 + 1 + 4}));
}

TEST(Engine, InPlaceOnViewsReachesTheBase) {
  const Tensor a = leaf({1, 2, 3});
  const Tensor buffer = zeros({2, 3}, {.dtype = kFloat64});
  buffer.select(0, 1).copy_(a * 2.0);
  EXPECT_TRUE(buffer.requires_grad());
  (buffer * buffer).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{8, 16, 24}));  // d/da (2a)^2

  const Tensor b = leaf({1, 2, 3, 4});
  const Tensor y = b * 1.0;
  const Tensor view = y.narrow(0, 1, 2);
  view.fill_(0);
  (y * b).sum().backward();
  EXPECT_EQ(values(b.grad()), (V{2, 0, 0, 8}));  // y = [b0, 0, 0, b3]: d/db sum(y*b) = [2b0, 0, 0, 2b3]
}

TEST(Engine, GradReturnsGradientsWithoutAccumulating) {
  const Tensor a = leaf({1, 2}), b = leaf({3, 4});
  const Tensor h = a * b;
  const Tensor y = (h * h).sum();
  const auto g = autograd::grad({y}, {h, a}, {}, true);
  EXPECT_EQ(values(g[0]), (V{6, 16}));
  EXPECT_EQ(values(g[1]), (V{18, 64}));
  EXPECT_FALSE(a.grad().defined());
  EXPECT_FALSE(b.grad().defined());
  const Tensor unused = leaf({1});
  EXPECT_THROW(autograd::grad({y}, {unused}, {}, true), Error);
  const auto g2 = autograd::grad({y}, {a, unused}, {}, true, false, /*allow_unused=*/true);
  EXPECT_FALSE(g2[1].defined());
}

TEST(Engine, DoubleBackwardOfCube) {
  const Tensor x = leaf({1, 2, 3});
  const Tensor y = (x * x * x).sum();
  const Tensor g = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  EXPECT_EQ(values(g), (V{3, 12, 27}));
  EXPECT_TRUE(g.requires_grad());
  g.sum().backward();
  EXPECT_EQ(values(x.grad()), (V{6, 12, 18}));
}

TEST(Engine, DoubleBackwardOfPow) {
  const Tensor x = leaf({1, 2, 3});
  const Tensor g = autograd::grad({x.pow(3).sum()}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  EXPECT_EQ(values(g), (V{3, 12, 27}));
  const Tensor gg = autograd::grad({g.sum()}, {x}, {}, std::nullopt, true)[0];
  EXPECT_EQ(values(gg), (V{6, 12, 18}));
  EXPECT_EQ(values(autograd::grad({gg.sum()}, {x})[0]), (V{6, 6, 6}));
}

// A gradient penalty: the squared norm of an MLP's parameter gradients, differentiated again.
TEST(Engine, MlpGradientNormIsDifferentiable) {
  manual_seed(3);
  const Tensor x = randn({5, 4}, {.dtype = kFloat64});
  const Tensor target = tensor({0, 2, 1, 1, 0});
  const auto penalty = [&](const std::vector<Tensor>& p) {
    const Tensor h = tanh(linear(x, p[0], p[1]));
    const Tensor loss = cross_entropy(linear(h, p[2], p[3]), target);
    const auto grads = autograd::grad({loss}, p, {}, std::nullopt, /*create_graph=*/true);
    Tensor norm2 = zeros({}, {.dtype = kFloat64});
    for (const Tensor& g : grads) norm2 = norm2 + (g * g).sum();
    return norm2;
  };
  const auto param = [](std::initializer_list<int64_t> sizes) {
    return (randn(sizes, {.dtype = kFloat64}) * 0.5).requires_grad_();
  };
  const std::vector<Tensor> params = {param({6, 4}), param({6}), param({3, 6}), param({3})};
  EXPECT_TRUE(autograd::gradcheck(penalty, params));
  penalty(params).backward();
  for (const Tensor& p : params) EXPECT_TRUE(p.grad().defined());
}

struct Cube : autograd::Function<Cube> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x, double scale) {
    ctx->save_for_backward({x});
    ctx->saved_data["scale"] = scale;
    return x * x * x * scale;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const double scale = std::any_cast<double>(ctx->saved_data["scale"]);
    return {grads[0] * x * x * (3 * scale), Tensor()};
  }
};

struct WrongSquare : autograd::Function<WrongSquare> {
  static Tensor forward(AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grads) {
    return {grads[0] * ctx->get_saved_variables()[0]};  // missing the factor 2
  }
};

TEST(Function, CustomForwardAndBackward) {
  const Tensor x = leaf({1, 2});
  const Tensor y = Cube::apply(x, 2.0);
  EXPECT_EQ(values(y), (V{2, 16}));
  EXPECT_NE(std::string(y.grad_fn()->name()).find("Cube"), std::string::npos);
  y.sum().backward();
  EXPECT_EQ(values(x.grad()), (V{6, 24}));
  EXPECT_TRUE(autograd::gradcheck([](const std::vector<Tensor>& in) { return Cube::apply(in[0], 0.5); },
                                  {randn({3, 2}, {.dtype = kFloat64, .requires_grad = true})}));
  EXPECT_TRUE(autograd::gradgradcheck([](const std::vector<Tensor>& in) { return Cube::apply(in[0], 0.5); },
                                      {randn({3}, {.dtype = kFloat64, .requires_grad = true})}));
}

TEST(Gradcheck, DetectsAWrongGradient) {
  const auto wrong = [](const std::vector<Tensor>& in) { return WrongSquare::apply(in[0]); };
  const Tensor x = randn({3}, {.dtype = kFloat64, .requires_grad = true});
  EXPECT_FALSE(autograd::gradcheck(wrong, {x}, {.raise = false}));
  expect_error([&] { autograd::gradcheck(wrong, {x}); }, "Jacobian mismatch");
}

TEST(Gradcheck, NonContiguousInputs) {
  const Tensor x = randn({4, 3}, {.dtype = kFloat64}).t().requires_grad_();
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(autograd::gradcheck([](const std::vector<Tensor>& in) { return (in[0] * in[0] * in[1]).sum({1}); },
                                  {x, randn({4}, {.dtype = kFloat64, .requires_grad = true})}));
}

TEST(Anomaly, ForwardNaNIsReportedWithTheOp) {
  const Tensor x = leaf({0, 1});
  const Tensor inf = tensor({std::numeric_limits<double>::infinity(), 1.0}, {.dtype = kFloat64});
  EXPECT_NO_THROW(x * inf);
  autograd::DetectAnomalyGuard anomaly;
  autograd::ModuleNameScope module("encoder.fc1");
  expect_error([&] { (void)(x * inf); }, "forward of Mul in module 'encoder.fc1'");
}

struct NaNGradient : autograd::Function<NaNGradient> {
  static Tensor forward(AutogradContext*, const Tensor& x) { return x * 1.0; }
  static std::vector<Tensor> backward(AutogradContext*, std::vector<Tensor> grads) { return {grads[0] * NAN}; }
};

TEST(Anomaly, BackwardNaNIsReportedWithTheNode) {
  const Tensor x = leaf({1, 2});
  const Tensor y = NaNGradient::apply(x).sum();
  autograd::DetectAnomalyGuard anomaly;
  expect_error([&] { y.backward(); }, "NaNGradient");
}
