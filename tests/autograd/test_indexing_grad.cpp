// Gradients of the indexing ops: index_select, gather, scatter(_add), index_add, masked_select,
// Tensor::index and index_put_.
#include <gtest/gtest.h>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;
using namespace accel::indexing;
using autograd::gradcheck;
using autograd::gradgradcheck;

namespace {

using namespace grad_testing;

Tensor f64(const TensorData& data) { return tensor(data, {.dtype = kFloat64}); }

}  // namespace

TEST(IndexingGrad, IndexSelect) {
  const Tensor idx = tensor({2, 0, 2});
  check([&](const std::vector<Tensor>& in) { return in[0].index_select(0, idx); }, {rnd({3, 2})});
  check([&](const std::vector<Tensor>& in) { return in[0].index_select(1, idx); }, {rnd_t(2, 3)});
  check([&](const std::vector<Tensor>& in) { return in[0].index_select(-1, idx.to(kInt32)); }, {rnd({3})});
  check([](const std::vector<Tensor>& in) { return in[0].index_select(0, tensor({0})); }, {rnd({})});
  check([](const std::vector<Tensor>& in) { return in[0].index_select(0, tensor(1)); }, {rnd({3, 2})});
  // Repeated indices accumulate.
  const Tensor x = rnd({3});
  x.index_select(0, idx).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 0, 2}));
  EXPECT_STREQ(x.index_select(0, idx).grad_fn()->name(), "IndexSelectBackward");
}

TEST(IndexingGrad, Gather) {
  const Tensor rows = tensor({{0, 1, 0, 2}, {2, 2, 1, 0}});
  check([&](const std::vector<Tensor>& in) { return in[0].gather(0, rows); }, {rnd({3, 4})});
  const Tensor cols = tensor({{1, 1}, {0, 3}, {2, 0}});  // smaller than the input in dim 1
  check([&](const std::vector<Tensor>& in) { return in[0].gather(1, cols); }, {rnd_t(3, 4)});
  check([](const std::vector<Tensor>& in) { return in[0].gather(0, tensor(0)); }, {rnd({})});
  const Tensor x = rnd({3});
  x.gather(0, tensor({2, 2, 0})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 0, 2}));
}

TEST(IndexingGrad, Scatter) {
  // Distinct targets per column: with duplicates, which source wins is unspecified.
  const Tensor idx = tensor({{2, 0}, {0, 1}});
  check([&](const std::vector<Tensor>& in) { return in[0].scatter(0, idx, in[1]); }, {rnd({3, 2}), rnd({2, 3})});
  check([&](const std::vector<Tensor>& in) { return scatter(in[0], 1, idx.t(), in[1]); }, {rnd_t(2, 3), rnd({2, 2})});
  check([&](const std::vector<Tensor>& in) { return in[0].scatter(0, idx, 2.5); }, {rnd({3, 2})});
  // self gets no gradient where it was overwritten; src gets it where it was written, none elsewhere.
  const Tensor x = rnd({3, 2}), src = rnd({2, 3});
  (x.scatter(0, idx, src) * f64({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{0, 0, 3, 0, 0, 6}));
  EXPECT_EQ(values(src.grad()), (V{5, 2, 0, 1, 4, 0}));
}

TEST(IndexingGrad, ScatterAdd) {
  const Tensor idx = tensor({{2, 0}, {2, 1}, {0, 0}});  // repeats add up
  check([&](const std::vector<Tensor>& in) { return in[0].scatter_add(0, idx, in[1]); }, {rnd({3, 2}), rnd_t(3, 2)});
  check([](const std::vector<Tensor>& in) { return scatter_add(in[0], 0, tensor(0), in[1]); }, {rnd({}), rnd({})});
  const Tensor x = rnd({3}), src = rnd({4});
  (x.scatter_add(0, tensor({1, 1, 0}), src) * f64({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 2, 3}));
  EXPECT_EQ(values(src.grad()), (V{2, 2, 1, 0}));
}

TEST(IndexingGrad, InPlaceScatters) {
  const Tensor idx = tensor({{1, 0, 2}});
  check([&](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.scatter_(0, idx, in[1]);
          return y;
        }, {rnd({3, 3}), rnd({1, 3})});
  check([&](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.scatter_(0, idx, -1.0);
          return y;
        }, {rnd({3, 3})});
  check_first_order([&](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.t().scatter_add_(1, idx, in[1]);  // through a view
          return y;
        }, {rnd({3, 3}), rnd({2, 3})});
  // A tensor that needs no gradient starts to need one when a source that does is scattered in.
  const Tensor z = zeros({3}, {.dtype = kFloat64}), src = rnd({2});
  z.scatter_(0, tensor({2, 0}), src);
  EXPECT_STREQ(z.grad_fn()->name(), "ScatterBackward");
  (z * f64({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(values(src.grad()), (V{3, 1}));
}

TEST(IndexingGrad, IndexAdd) {
  const Tensor idx = tensor({0, 2, 0});
  check([&](const std::vector<Tensor>& in) { return in[0].index_add(0, idx, in[1], 2.5); }, {rnd({3, 2}), rnd({3, 2})});
  check([&](const std::vector<Tensor>& in) { return index_add(in[0], 1, idx.to(kInt32), in[1]); },
        {rnd_t(2, 3), rnd({2, 3})});
  check_first_order([&](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.narrow(0, 1, 3).index_add_(0, idx, in[1], -2.0);  // through a view
          return y;
        }, {rnd({4, 2}), rnd_t(3, 2)});
  const Tensor x = rnd({3}), src = rnd({3});
  (x.index_add(0, idx, src, 2.0) * f64({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 2, 3}));
  EXPECT_EQ(values(src.grad()), (V{2, 6, 2}));
}

TEST(IndexingGrad, MaskedSelect) {
  const Tensor mask = tensor({{true, false, true}, {false, false, true}});
  check([&](const std::vector<Tensor>& in) { return in[0].masked_select(mask); }, {rnd_t(2, 3)});
  check([&](const std::vector<Tensor>& in) { return in[0].masked_select(mask.select(0, 0)); }, {rnd({2, 3})});
  check([&](const std::vector<Tensor>& in) { return in[0].masked_select(mask); }, {rnd({3})});
  // A broadcast input's gradient is summed over the positions its elements were selected at.
  const Tensor x = rnd({3});
  x.masked_select(mask).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 0, 2}));
}

TEST(IndexingGrad, IntegerResultsAreNotDifferentiable) {
  const Tensor x = rnd({2, 2});
  EXPECT_FALSE(nonzero(x).requires_grad());
  EXPECT_FALSE(one_hot(tensor({1, 0})).requires_grad());
}

TEST(IndexingGrad, SavedIndexModifiedInPlaceIsAnError) {
  const Tensor x = rnd({3}), idx = tensor({0, 2});
  const Tensor y = x.gather(0, idx);
  idx.fill_(1);
  expect_error([&] { y.sum().backward(); }, "modified by an in-place operation");
}

TEST(IndexingGrad, BadIndicesStayErrors) {
  const Tensor x = rnd({3});
  expect_error([&] { x.gather(0, tensor({3})); }, "out of bounds");
  expect_error([&] { x.index_select(0, tensor({-1})); }, "out of bounds");
  expect_error([&] { x.index({tensor({5})}); }, "out of bounds");
}

// ---- Tensor::index ----

TEST(IndexGrad, BasicIndices) {
  check([](const std::vector<Tensor>& in) { return in[0].index({Slice(1, None), None, 0}); }, {rnd({3, 2})});
  check([](const std::vector<Tensor>& in) { return in[0].index({Ellipsis, Slice(None, None, 2)}); }, {rnd_t(2, 5)});
  check([](const std::vector<Tensor>& in) { return in[0].index({-1, Ellipsis, None}); }, {rnd({2, 3, 2})});
}

TEST(IndexGrad, IntegerTensorIndices) {
  const Tensor rows = tensor({-1, 0, 0}), cols = tensor({{1}, {0}});
  check([&](const std::vector<Tensor>& in) { return in[0].index({rows}); }, {rnd({3, 2})});
  check([&](const std::vector<Tensor>& in) { return in[0].index({Slice(), rows}); }, {rnd_t(2, 3)});
  // Broadcast index tensors on adjacent dims, then on dims split by a slice (result dims go first).
  check([&](const std::vector<Tensor>& in) { return in[0].index({Slice(), cols, rows}); }, {rnd({2, 3, 3})});
  check([&](const std::vector<Tensor>& in) { return in[0].index({cols, Slice(), rows.to(kInt32)}); }, {rnd({2, 2, 3})});
  const Tensor x = rnd({3});
  x.index({rows}).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{2, 0, 1}));
}

TEST(IndexGrad, BoolMasks) {
  const Tensor mask = tensor({{true, false}, {true, true}, {false, false}});
  check([&](const std::vector<Tensor>& in) { return in[0].index({mask}); }, {rnd({3, 2, 2})});
  check([&](const std::vector<Tensor>& in) { return in[0].index({Slice(), mask.select(1, 0)}); }, {rnd_t(2, 3)});
  const Tensor x = rnd({3, 2});
  (x.index({mask}) * f64({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 0, 2, 3, 0, 0}));
}

// ---- index_put_ ----

TEST(IndexPutGrad, TensorIndices) {
  const Tensor rows = tensor({2, 0});
  const auto put = [](std::vector<TensorIndex> idx) {
    return [idx](const std::vector<Tensor>& in) {
      const Tensor y = in[0] * 1.0;
      y.index_put_(idx, in[1]);
      return y;
    };
  };
  check(put({rows}), {rnd({3, 2}), rnd({2, 2})});
  check(put({rows}), {rnd_t(3, 2), rnd({2})});  // value broadcast over the rows
  check(put({Slice(), rows}), {rnd({2, 3}), rnd({2, 1})});
  check(put({tensor({true, false, true})}), {rnd({3, 2}), rnd({1, 2})});
  check_first_order(put({Slice(1, None), 0}), {rnd({3, 2}), rnd({2})});  // basic indices only: a view's copy_
  // Overwritten elements of self get no gradient; the value's broadcast gradient is summed.
  const Tensor x = rnd({3, 2}), v = randn({2}, {.dtype = kFloat32, .requires_grad = true});
  const Tensor y = x * 1.0;
  y.index_put_({rows}, v);
  EXPECT_STREQ(y.grad_fn()->name(), "IndexPutBackward");
  (y * f64({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{0, 0, 3, 4, 0, 0}));
  EXPECT_EQ(v.grad().dtype(), kFloat32);
  EXPECT_EQ(values(v.grad()), (V{6, 8}));
}

TEST(IndexPutGrad, Accumulate) {
  const Tensor rows = tensor({2, 0, 2});
  check([&](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.index_put_({rows}, in[1], /*accumulate=*/true);
          return y;
        }, {rnd({3, 2}), rnd({3, 2})});
  // Repeated indices add up in the forward; self's gradient passes through unchanged.
  const Tensor x = rnd({3}), v = rnd({3});
  const Tensor y = x * 1.0;
  y.index_put_({rows}, v, true);
  {
    NoGradGuard no_grad;
    EXPECT_NEAR(y[2].item<double>(), x[2].item<double>() + v[0].item<double>() + v[2].item<double>(), 1e-12);
  }
  (y * f64({1.0, 2.0, 3.0})).sum().backward();
  EXPECT_EQ(values(x.grad()), (V{1, 2, 3}));
  EXPECT_EQ(values(v.grad()), (V{3, 1, 3}));
}

TEST(IndexPutGrad, ScalarValueAndViews) {
  check([](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.index_put_({tensor({1})}, 0.5);
          return y;
        }, {rnd({3})});
  check_first_order([](const std::vector<Tensor>& in) {
          const Tensor y = in[0] * 1.0;
          y.t().index_put_({tensor({0, 2})}, in[1]);  // through a view
          return y;
        }, {rnd({2, 3}), rnd({2})});
}

TEST(IndexPutGrad, LeafThatRequiresGradIsRejected) {
  const Tensor x = rnd({3});
  expect_error([&] { x.index_put_({tensor({0})}, 1.0); }, "leaf");
  expect_error([&] { x.scatter_(0, tensor({0}), 1.0); }, "leaf");
  expect_error([&] { x.index_add_(0, tensor({0}), f64({1.0})); }, "leaf");
}
