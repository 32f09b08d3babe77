// Gradients of the loss functions (composites of differentiable ops), first and second order,
// checked against finite differences in float64 for every option and reduction.
#include <string>

#include <gtest/gtest.h>

#include <accel/accel.h>

using namespace accel;
using autograd::gradcheck;
using autograd::gradgradcheck;
using Inputs = std::vector<Tensor>;

namespace {

Tensor var(IntArrayRef sizes) { return randn(sizes, {.dtype = kFloat64, .requires_grad = true}); }
Tensor constant(IntArrayRef sizes) { return randn(sizes, {.dtype = kFloat64}); }
Tensor classes(std::vector<int64_t> v) { return tensor(v); }

const Reduction kReductions[] = {Reduction::None, Reduction::Mean, Reduction::Sum};

std::string trace(Reduction r) { return "reduction " + std::to_string(static_cast<int>(r)); }

// First and second order gradchecks of a loss of the inputs.
void check(const std::function<Tensor(const Inputs&)>& loss, const Inputs& inputs) {
  EXPECT_TRUE(gradcheck(loss, inputs));
  EXPECT_TRUE(gradgradcheck(loss, inputs));
}

}  // namespace

TEST(LossGrad, CrossEntropyClassIndices) {
  const Tensor target = classes({0, 2, 1, 2});
  const Tensor weight = rand({3}, {.dtype = kFloat64}) + 0.5;
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return cross_entropy(in[0], target, {.reduction = r}); }, {var({4, 3})});
    check([&](const Inputs& in) { return cross_entropy(in[0], target, {.weight = weight, .reduction = r}); },
          {var({4, 3})});
    check([&](const Inputs& in) { return cross_entropy(in[0], target, {.ignore_index = 2, .reduction = r}); },
          {var({4, 3})});
    check(
        [&](const Inputs& in) {
          return cross_entropy(in[0], target,
                               {.weight = weight, .ignore_index = 1, .reduction = r, .label_smoothing = 0.2});
        },
        {var({4, 3})});
  }
  // [N, C, d] input with [N, d] targets; a single sample [C] with a 0-dim target; non-contiguous.
  const Tensor spatial = classes({0, 1, 2, 0}).view({2, 2});
  check([&](const Inputs& in) { return cross_entropy(in[0], spatial, {.label_smoothing = 0.1}); }, {var({2, 3, 2})});
  check([](const Inputs& in) { return cross_entropy(in[0], tensor(int64_t{1})); }, {var({3})});
  check([&](const Inputs& in) { return cross_entropy(in[0], target); }, {constant({3, 4}).t().requires_grad_()});
}

TEST(LossGrad, CrossEntropyGradientIsSoftmaxMinusOneHot) {
  const Tensor x = var({4, 3});
  const Tensor target = classes({0, 2, 1, 2});
  cross_entropy(x, target).backward();
  const Tensor expected = (softmax(x.detach(), 1) - one_hot(target, 3).to(kFloat64)) / 4.0;
  EXPECT_TRUE(allclose(x.grad(), expected, 1e-12, 1e-12));
}

TEST(LossGrad, CrossEntropyProbabilities) {
  const Tensor target = softmax(constant({4, 3}), 1);
  const Tensor weight = rand({3}, {.dtype = kFloat64}) + 0.5;
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return cross_entropy(in[0], in[1], {.reduction = r}); },
          {var({4, 3}), target.clone().requires_grad_()});
    check(
        [&](const Inputs& in) {
          return cross_entropy(in[0], target, {.weight = weight, .reduction = r, .label_smoothing = 0.3});
        },
        {var({4, 3})});
  }
  const Tensor spatial_target = softmax(constant({2, 3, 2}), 1);
  check([&](const Inputs& in) { return cross_entropy(in[0], spatial_target); }, {var({2, 3, 2})});
}

TEST(LossGrad, NllLoss) {
  const Tensor target = classes({1, 0, 2, 1, 2});
  const Tensor weight = rand({3}, {.dtype = kFloat64}) + 0.5;
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return nll_loss(in[0], target, {.reduction = r}); }, {var({5, 3})});
    check(
        [&](const Inputs& in) { return nll_loss(in[0], target, {.weight = weight, .ignore_index = 0, .reduction = r}); },
        {var({5, 3})});
  }
  check([&](const Inputs& in) { return nll_loss(log_softmax(in[0], 1), target); }, {var({5, 3})});
}

TEST(LossGrad, ClassIndexErrorsStayErrors) {
  const Tensor x = var({2, 3});
  EXPECT_THROW(cross_entropy(x, classes({0, 3})), Error);
  EXPECT_THROW(nll_loss(x, classes({0, -2})), Error);
}

// A target whose differences to x stay 0.1 or more away from the kinks of l1 (0) and of
// smooth_l1 / huber (|d| = 0.4, 0.5, 1), where finite differences are not derivatives.
Tensor target_away_from_kinks(const Tensor& x) {
  const Tensor offsets = tensor(std::vector<double>{0.2, -0.7, 1.6, -0.2, 0.7, -1.6}, {.dtype = kFloat64});
  return (x.detach() + offsets.repeat({x.numel() / 6}).view(x.sizes())).requires_grad_();
}

TEST(LossGrad, RegressionLosses) {
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return mse_loss(in[0], in[1], r); }, {var({3, 4}), var({3, 4})});
    check([&](const Inputs& in) { return mse_loss(in[0], in[1], r); }, {var({3, 4}), var({4})});  // broadcast
    const Tensor x = var({3, 4});
    check([&](const Inputs& in) { return l1_loss(in[0], in[1], r); }, {x, target_away_from_kinks(x)});
    for (double beta : {1.0, 0.5, 0.0}) {
      SCOPED_TRACE("beta " + std::to_string(beta));
      check([&](const Inputs& in) { return smooth_l1_loss(in[0], in[1], r, beta); }, {x, target_away_from_kinks(x)});
    }
    for (double delta : {1.0, 0.4}) {
      SCOPED_TRACE("delta " + std::to_string(delta));
      check([&](const Inputs& in) { return huber_loss(in[0], in[1], r, delta); }, {x, target_away_from_kinks(x)});
    }
  }
  // Non-contiguous input, float32 target promoted: the target's gradient stays float32.
  check([](const Inputs& in) { return mse_loss(in[0], in[1]); }, {constant({4, 3}).t().requires_grad_(), var({3, 4})});
  const Tensor x = var({3}), y = randn({3}, {.requires_grad = true});
  mse_loss(x, y).backward();
  EXPECT_EQ(y.grad().dtype(), kFloat32);
}

TEST(LossGrad, BinaryCrossEntropy) {
  const auto probabilities = [](IntArrayRef sizes) {
    return (rand(sizes, {.dtype = kFloat64}) * 0.8 + 0.1).requires_grad_();
  };
  const Tensor weight = rand({4}, {.dtype = kFloat64}) + 0.5;
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return binary_cross_entropy(in[0], in[1], {}, r); },
          {probabilities({3, 4}), probabilities({3, 4})});
    check([&](const Inputs& in) { return binary_cross_entropy(in[0], in[1], weight, r); },
          {probabilities({3, 4}), rand({3, 4}, {.dtype = kFloat64})});
  }
}

TEST(LossGrad, BinaryCrossEntropyAtZeroAndOneIsPyTorchs) {
  // (x - t) / max(x (1 - x), 1e-12), although the loss itself is clamped at 100.
  const Tensor x = tensor(std::vector<double>{0, 1, 0, 1}, {.dtype = kFloat64}).requires_grad_();
  const Tensor t = tensor(std::vector<double>{1, 0, 0, 1}, {.dtype = kFloat64});
  const Tensor loss = binary_cross_entropy(x, t, {}, Reduction::Sum);
  EXPECT_EQ(loss.item<double>(), 200);
  loss.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{-1 / 1e-12, 1 / 1e-12, 0, 0}));
}

TEST(LossGrad, BinaryCrossEntropyWithLogits) {
  const Tensor target = rand({3, 4}, {.dtype = kFloat64});
  for (Reduction r : kReductions) {
    SCOPED_TRACE(trace(r));
    check([&](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1], {}, r); },
          {var({3, 4}), target.clone().requires_grad_()});
    check(
        [&](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], target, in[1], r, in[2]); },
        {var({3, 4}), (rand({4}, {.dtype = kFloat64}) + 0.5).requires_grad_(),
         (rand({3, 1}, {.dtype = kFloat64}) + 0.5).requires_grad_()});
  }
  // At x = 0 the gradient is sigmoid(0) - target = 1/2 - target (pos_weight 1).
  const Tensor x = zeros({2}, {.dtype = kFloat64, .requires_grad = true});
  binary_cross_entropy_with_logits(x, tensor(std::vector<double>{0.0, 1.0}, {.dtype = kFloat64}), {},
                                   Reduction::Sum)
      .backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0.5, -0.5}));
}
