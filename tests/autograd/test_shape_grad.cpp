// Gradients of the shape ops (cat, stack, repeat, flip, roll, tril/triu, pad) and of the views.
#include <gtest/gtest.h>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

using namespace grad_testing;

}  // namespace

TEST(ShapeGrad, Cat) {
  check([](const std::vector<Tensor>& in) { return cat(in, 0); }, {rnd({2, 3}), rnd({1, 3}), rnd_t(3, 3)});
  check([](const std::vector<Tensor>& in) { return cat(in, -1); }, {rnd({2, 1}), rnd_t(2, 3)});
  // The inputs' gradients are their slices of the output's gradient.
  const Tensor a = rnd({1, 2}), b = rnd({2, 2});
  (cat({a, b}, 0) * arange(6, {.dtype = kFloat64}).view({3, 2})).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{0, 1}));
  EXPECT_EQ(values(b.grad()), (V{2, 3, 4, 5}));
}

TEST(ShapeGrad, CatSkipsEmptyOneDimInputsAndPromotes) {
  const Tensor empty1d = zeros({0}, {.dtype = kFloat64, .requires_grad = true});
  const Tensor a = randn({2, 2}, {.dtype = kFloat32, .requires_grad = true}), b = rnd({1, 2});
  const Tensor y = cat({a, empty1d, b}, 0);
  EXPECT_EQ(y.dtype(), kFloat64);
  (y * 2.0).sum().backward();
  EXPECT_EQ(a.grad().dtype(), kFloat32);
  EXPECT_EQ(values(a.grad()), (V{2, 2, 2, 2}));
  EXPECT_EQ(empty1d.grad().sizes(), IntArrayRef({0}));
  EXPECT_EQ(values(b.grad()), (V{2, 2}));
  EXPECT_STREQ(y.grad_fn()->name(), "CatBackward");
}

TEST(ShapeGrad, OnlyInputsThatRequireGradGetOne) {
  const Tensor a = rnd({2}), b = randn({3}, {.dtype = kFloat64});
  cat({b, a}).sum().backward();
  EXPECT_EQ(values(a.grad()), (V{1, 1}));
  EXPECT_FALSE(b.grad().defined());
}

TEST(ShapeGrad, Stack) {
  for (int64_t d : {0, 1, 2, -1})
    check([d](const std::vector<Tensor>& in) { return stack(in, d); }, {rnd({2, 3}), rnd_t(2, 3), rnd({2, 3})});
}

TEST(ShapeGrad, Repeat) {
  check([](const std::vector<Tensor>& in) { return in[0].repeat({2, 3}); }, {rnd({2, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].repeat({2, 1, 2}); }, {rnd_t(2, 3)});
  // Each copy contributes: the gradient counts the repeats.
  const Tensor x = rnd({2});
  x.repeat({3, 2}).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{6, 6}));
}

TEST(ShapeGrad, Flip) {
  check([](const std::vector<Tensor>& in) { return in[0].flip({0}); }, {rnd({3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].flip({0, -1}); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].flip({}); }, {rnd({3})});
  const Tensor x = rnd({3});
  (x.flip({0}) * tensor({1.0, 2.0, 3.0}, {.dtype = kFloat64})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{3, 2, 1}));
}

TEST(ShapeGrad, Roll) {
  check([](const std::vector<Tensor>& in) { return in[0].roll({1}, {0}); }, {rnd({3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].roll({-1, 5}, {0, 1}); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].roll({2}); }, {rnd({2, 3})});
  const Tensor x = rnd({3});
  (x.roll({1}) * tensor({1.0, 2.0, 3.0}, {.dtype = kFloat64})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{2, 3, 1}));
}

TEST(ShapeGrad, TrilTriu) {
  for (int64_t k : {-1, 0, 2}) {
    check([k](const std::vector<Tensor>& in) { return in[0].tril(k); }, {rnd({3, 4})});
    check([k](const std::vector<Tensor>& in) { return in[0].triu(k); }, {rnd_t(4, 3)});
  }
  check([](const std::vector<Tensor>& in) { return tril(in[0]); }, {rnd({2, 3, 3})});
  const Tensor x = rnd({2, 2});
  x.triu().sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 1, 0, 1}));
  EXPECT_STREQ(x.triu(1).grad_fn()->name(), "TriuBackward");
}

TEST(ShapeGrad, Pad) {
  check([](const std::vector<Tensor>& in) { return pad(in[0], {1, 2}); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return pad(in[0], {1, 0, 0, 2}, 3.5); }, {rnd_t(2, 3)});
  // Negative padding crops: the cropped elements get no gradient.
  check([](const std::vector<Tensor>& in) { return pad(in[0], {-1, 2, 1, -1}); }, {rnd({3, 4})});
  const Tensor x = rnd({3});
  (pad(x, {-1, 2}, 7.0) * tensor({1.0, 2.0, 3.0, 4.0}, {.dtype = kFloat64})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{0, 1, 2}));
}

// ---- views (recorded in views.cpp) ----

TEST(ViewGrad, ReshapingViews) {
  check([](const std::vector<Tensor>& in) { return in[0].view({6}); }, {rnd({2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].reshape({3, 2}); }, {rnd_t(2, 3)});  // copies
  check([](const std::vector<Tensor>& in) { return in[0].flatten(); }, {rnd_t(2, 3)});
  check([](const std::vector<Tensor>& in) { return in[0].unsqueeze(1).unsqueeze(0); }, {rnd_t(2, 3)});
  check([](const std::vector<Tensor>& in) { return in[0].squeeze(); }, {rnd({1, 3, 1})});
  check([](const std::vector<Tensor>& in) { return in[0].squeeze(-1); }, {rnd({3, 1})});
}

TEST(ViewGrad, PermutingViews) {
  check([](const std::vector<Tensor>& in) { return in[0].permute({2, 0, 1}) * in[1]; }, {rnd({2, 3, 2}), rnd({2, 2, 3})});
  check([](const std::vector<Tensor>& in) { return in[0].transpose(0, 1); }, {rnd_t(2, 3)});
  check([](const std::vector<Tensor>& in) { return in[0].t() * in[0]; }, {rnd({3, 3})});
}

TEST(ViewGrad, ExpandSumsTheGradient) {
  check([](const std::vector<Tensor>& in) { return in[0].expand({2, 3, 4}); }, {rnd({3, 1})});
  const Tensor x = rnd({2, 1});
  x.expand({3, 2, 4}).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{12, 12}));
}

TEST(ViewGrad, SelectingViews) {
  check([](const std::vector<Tensor>& in) { return in[0].select(1, -1); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].slice(0, 1, 4, 2); }, {rnd({5, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].narrow(1, 1, 2); }, {rnd_t(2, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].as_strided({2, 2}, {1, 2}, 1); }, {rnd({6})});
}

// Overlapping windows: each input element gets the gradient of every window element it is.
TEST(ViewGrad, AsStridedOverlappingWindowsAccumulate) {
  const Tensor x = rnd({4});
  x.as_strided({3, 2}, {1, 1}).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 2, 2, 1}));
}

TEST(ViewGrad, SplitChunkUnbindWithSomePiecesUnused) {
  check([](const std::vector<Tensor>& in) { return in[0].split(2, 1)[1]; }, {rnd_t(2, 5)});
  check([](const std::vector<Tensor>& in) {
          const auto p = in[0].split({1, 3}, 0);
          return p[0] * p[1].sum({0}, true);
        }, {rnd({4, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].chunk(3, 0)[2]; }, {rnd({5, 2})});
  check([](const std::vector<Tensor>& in) {
          const auto p = in[0].unbind(1);
          return p[0] * p[2];
        }, {rnd_t(2, 3)});
  const Tensor x = rnd({3, 2});
  (x.unbind(0)[1] * 5.0).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{0, 0, 5, 5, 0, 0}));
}
