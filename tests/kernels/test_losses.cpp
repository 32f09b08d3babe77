#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <accel/accel.h>

#include "kernel_testing.h"

using namespace accel;

namespace {

using Rows = std::vector<std::vector<double>>;

void expect_near(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    else EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "at " << i;
  }
}

Tensor matrix(const Rows& rows, DType dtype = kFloat64) {
  std::vector<double> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  return tensor(flat, {.dtype = dtype}).view({static_cast<int64_t>(rows.size()), -1});
}

std::vector<double> log_softmax_row(const std::vector<double>& x) {
  double m = -std::numeric_limits<double>::infinity(), s = 0;
  for (double v : x) m = std::max(m, v);
  for (double v : x) s += std::exp(v - m);
  std::vector<double> out;
  for (double v : x) out.push_back(v - m - std::log(s));
  return out;
}

// PyTorch's cross entropy with class-index targets, straight from its definition: per row,
// (1 - ls) * -w[t] logp[t] + ls / C * sum_c -w[c] logp[c], 0 when ignored; the mean divides by the
// summed w[t] of the rows not ignored.
struct RefCE {
  std::vector<double> per_row;
  double sum = 0, weight_sum = 0;
};
RefCE ref_cross_entropy(const Rows& x, const std::vector<int64_t>& target, std::vector<double> weight,
                        int64_t ignore_index = -100, double ls = 0) {
  const size_t classes = x[0].size();
  if (weight.empty()) weight.assign(classes, 1.0);
  RefCE ref;
  for (size_t n = 0; n < x.size(); ++n) {
    if (target[n] == ignore_index) {
      ref.per_row.push_back(0);
      continue;
    }
    const auto logp = log_softmax_row(x[n]);
    double smooth = 0;
    for (size_t c = 0; c < classes; ++c) smooth -= weight[c] * logp[c];
    const double w = weight[static_cast<size_t>(target[n])];
    const double loss = (1 - ls) * -w * logp[static_cast<size_t>(target[n])] + ls / classes * smooth;
    ref.per_row.push_back(loss);
    ref.sum += loss;
    ref.weight_sum += w;
  }
  return ref;
}

const Rows kLogits = {{1, 2, 3, 0.5}, {-1, 0, 2, 1}, {0.3, 0.3, -2, 4}};
const std::vector<double> kClassWeight = {0.5, 1, 2, 1.5};

}  // namespace

// ---- regression --------------------------------------------------------------------------

TEST(Losses, MseAndL1EachReduction) {
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor x = tensor({1.0, 2.0, 3.0}, {.dtype = dtype}), y = tensor({1.0, 0.0, 5.0}, {.dtype = dtype});
    expect_near(mse_loss(x, y, Reduction::None), {0, 4, 4});
    expect_near(mse_loss(x, y, Reduction::Sum), {8});
    expect_near(mse_loss(x, y), {8.0 / 3});
    expect_near(l1_loss(x, y, Reduction::None), {0, 2, 2});
    expect_near(l1_loss(x, y, Reduction::Sum), {4});
    expect_near(l1_loss(x, y), {4.0 / 3});
    EXPECT_EQ(mse_loss(x, y).dtype(), dtype);
    EXPECT_EQ(mse_loss(x, y).dim(), 0);
  }
}

TEST(Losses, RegressionBroadcastsTargetAgainstInput) {
  const Tensor x = tensor({{1.0, 2.0}, {3.0, 4.0}}, {.dtype = kFloat64});
  const Tensor y = tensor({1.0, 1.0}, {.dtype = kFloat64});
  expect_near(mse_loss(x, y, Reduction::None), {0, 1, 4, 9});
  expect_near(l1_loss(x, y), {1.5});
  EXPECT_THROW(mse_loss(x, tensor({1.0, 2.0, 3.0})), Error);
  EXPECT_THROW(l1_loss(tensor({1, 2}), tensor({1, 3})), Error);  // integer losses
}

TEST(Losses, SmoothL1AndHuber) {
  const Tensor x = tensor({0.5, 3.0, -1.0}, {.dtype = kFloat64}), y = tensor({0.0, 1.0, -1.0}, {.dtype = kFloat64});
  // |d| = 0.5, 2, 0. smooth_l1: 0.5 d^2 / beta below beta, else d - beta / 2.
  expect_near(smooth_l1_loss(x, y, Reduction::None), {0.125, 1.5, 0});
  expect_near(smooth_l1_loss(x, y, Reduction::None, 2.0), {0.0625, 1, 0});
  expect_near(smooth_l1_loss(x, y, Reduction::Sum, 0.0), {2.5});  // beta 0 is l1
  expect_near(smooth_l1_loss(x, y, Reduction::Mean, 4.0), {(0.03125 + 0.5) / 3});
  // huber: 0.5 d^2 below delta, else delta (d - delta / 2).
  expect_near(huber_loss(x, y, Reduction::None), {0.125, 1.5, 0});
  expect_near(huber_loss(x, y, Reduction::None, 2.0), {0.125, 2, 0});
  expect_near(huber_loss(x, y, Reduction::None, 0.25), {0.25 * 0.375, 0.25 * 1.875, 0});
  expect_near(huber_loss(x, y, Reduction::Sum, 2.0), {2.125});
  EXPECT_THROW(smooth_l1_loss(x, y, Reduction::Mean, -1.0), Error);
  EXPECT_THROW(huber_loss(x, y, Reduction::Mean, 0.0), Error);
}

// ---- binary ------------------------------------------------------------------------------

TEST(Losses, BinaryCrossEntropy) {
  const Tensor x = tensor({0.5, 0.25, 1.0, 0.0}, {.dtype = kFloat64});
  const Tensor y = tensor({1.0, 0.0, 1.0, 1.0}, {.dtype = kFloat64});
  // The last one predicts 0 for a 1: log(0) is clamped to -100.
  const std::vector<double> loss = {std::log(2.0), -std::log(0.75), 0, 100};
  expect_near(binary_cross_entropy(x, y, {}, Reduction::None), loss);
  expect_near(binary_cross_entropy(x, y, {}, Reduction::Sum), {loss[0] + loss[1] + 100});
  expect_near(binary_cross_entropy(x, y), {(loss[0] + loss[1] + 100) / 4});
  const Tensor w = tensor({2.0, 1.0, 1.0, 0.5}, {.dtype = kFloat64});
  expect_near(binary_cross_entropy(x, y, w, Reduction::None), {2 * loss[0], loss[1], 0, 50});
  // Soft targets and float32.
  expect_near(binary_cross_entropy(tensor({0.25f}), tensor({0.5f})), {-0.5 * std::log(0.25) - 0.5 * std::log(0.75)});
}

TEST(Losses, BinaryCrossEntropyWeightBroadcastsOverRows) {
  const Tensor x = tensor({{0.5, 0.25}, {0.75, 0.5}}, {.dtype = kFloat64});
  const Tensor y = tensor({{1.0, 0.0}, {0.0, 1.0}}, {.dtype = kFloat64});
  const Tensor w = tensor({1.0, 3.0}, {.dtype = kFloat64});
  expect_near(binary_cross_entropy(x, y, w, Reduction::None),
              {std::log(2.0), -3 * std::log(0.75), -std::log(0.25), 3 * std::log(2.0)});
}

TEST(Losses, BinaryCrossEntropyRejectsBadInput) {
  const Tensor y = tensor({1.0f, 0.0f});
  EXPECT_THROW(binary_cross_entropy(tensor({0.5f, 1.5f}), y), Error);
  EXPECT_THROW(binary_cross_entropy(tensor({-0.1f, 0.5f}), y), Error);
  EXPECT_THROW(binary_cross_entropy(tensor({std::nanf(""), 0.5f}), y), Error);
  EXPECT_THROW(binary_cross_entropy(tensor({0.5f, 0.5f, 0.5f}), tensor({1.0f, 0.0f, 1.0f}).view({3, 1})), Error);
  EXPECT_THROW(binary_cross_entropy(tensor({0.5f, 0.5f}), tensor({1, 0})), Error);  // integer target
  EXPECT_THROW(binary_cross_entropy(tensor({0.5f, 0.5f}), y, tensor({1.0f, 2.0f, 3.0f})), Error);
  try {
    binary_cross_entropy(tensor({0.5f, 1.5f}), y);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("binary_cross_entropy"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1.5"), std::string::npos) << e.what();
  }
}

TEST(Losses, BinaryCrossEntropyWithLogitsIsStable) {
  const std::vector<double> xs = {0, 2, -3, 50, -1000, 1000}, ys = {1, 0, 0.5, 1, 0, 1};
  // (1 - y) x - log(sigmoid(x)), with -log(sigmoid(x)) = log1p(exp(-|x|)) + max(-x, 0).
  const auto softplus_neg = [](double x) { return std::log1p(std::exp(-std::abs(x))) + std::max(-x, 0.0); };
  std::vector<double> expected;
  for (size_t i = 0; i < xs.size(); ++i) expected.push_back((1 - ys[i]) * xs[i] + softplus_neg(xs[i]));
  const Tensor x = tensor(xs, {.dtype = kFloat64}), y = tensor(ys, {.dtype = kFloat64});
  const Tensor none = binary_cross_entropy_with_logits(x, y, {}, Reduction::None);
  expect_near(none, expected, 1e-12);
  EXPECT_EQ(none.to_vector<double>()[4], 0);  // a confident right answer costs nothing, with no inf - inf
  double sum = 0;
  for (double e : expected) sum += e;
  expect_near(binary_cross_entropy_with_logits(x, y, {}, Reduction::Sum), {sum}, 1e-12);
  expect_near(binary_cross_entropy_with_logits(x.to(kFloat32), y.to(kFloat32)), {sum / 6});
}

TEST(Losses, BinaryCrossEntropyWithLogitsWeights) {
  const Rows xs = {{0.5, -1.0, 2.0}, {0.0, 3.0, -0.25}}, ys = {{1, 0, 0.25}, {0, 1, 1}};
  const std::vector<double> pos_weight = {2, 0.5, 3}, weight = {1, 2, 0.5};
  const auto softplus_neg = [](double x) { return std::log1p(std::exp(-std::abs(x))) + std::max(-x, 0.0); };
  std::vector<double> expected;
  double sum = 0;
  for (size_t n = 0; n < 2; ++n)
    for (size_t c = 0; c < 3; ++c) {
      const double x = xs[n][c], y = ys[n][c];
      const double loss = weight[c] * ((1 - y) * x + (1 + (pos_weight[c] - 1) * y) * softplus_neg(x));
      expected.push_back(loss);
      sum += loss;
    }
  const Tensor pw = tensor(pos_weight, {.dtype = kFloat64}), w = tensor(weight, {.dtype = kFloat64});
  expect_near(binary_cross_entropy_with_logits(matrix(xs), matrix(ys), w, Reduction::None, pw), expected, 1e-12);
  expect_near(binary_cross_entropy_with_logits(matrix(xs), matrix(ys), w, Reduction::Mean, pw), {sum / 6}, 1e-12);
  EXPECT_THROW(binary_cross_entropy_with_logits(matrix(xs), matrix(ys), {}, Reduction::Mean,
                                                tensor({1.0, 2.0}, {.dtype = kFloat64})),
               Error);
  EXPECT_THROW(binary_cross_entropy_with_logits(matrix(xs), matrix(ys).view({3, 2})), Error);
}

// ---- nll_loss ----------------------------------------------------------------------------

TEST(Losses, NllLossReductionsWeightsAndIgnoreIndex) {
  const Tensor logp = tensor({{-1.0, -2.0, -3.0}, {-0.5, -1.5, -2.5}}, {.dtype = kFloat64});
  const Tensor t = tensor({2, 0});
  expect_near(nll_loss(logp, t, {.reduction = Reduction::None}), {3, 0.5});
  expect_near(nll_loss(logp, t, {.reduction = Reduction::Sum}), {3.5});
  expect_near(nll_loss(logp, t), {1.75});
  const Tensor w = tensor({1.0, 2.0, 3.0}, {.dtype = kFloat64});
  expect_near(nll_loss(logp, t, {.weight = w, .reduction = Reduction::None}), {9, 0.5});
  expect_near(nll_loss(logp, t, {.weight = w}), {9.5 / 4});  // divided by w[2] + w[0]
  // Ignored targets cost 0 and leave the mean's denominator.
  const Tensor ignored = tensor({2, -100});
  expect_near(nll_loss(logp, ignored, {.reduction = Reduction::None}), {3, 0});
  expect_near(nll_loss(logp, ignored), {3});
  expect_near(nll_loss(logp, ignored, {.weight = w}), {3});
  expect_near(nll_loss(logp, t, {.weight = w, .ignore_index = 2}), {0.5});
  expect_near(nll_loss(logp, tensor({-100, -100})), {std::nan("")});  // 0 / 0, as in PyTorch
}

TEST(Losses, NllLossIgnoredRowsMayHoldInfinities) {
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor logp = tensor({{-inf, -1.0}, {-0.5, -2.0}}, {.dtype = kFloat64});
  expect_near(nll_loss(logp, tensor({-100, 0}), {.reduction = Reduction::None}), {0, 0.5});
}

TEST(Losses, NllLossRejectsBadTargets) {
  const Tensor logp = tensor({{-1.0f, -2.0f, -3.0f}, {-0.5f, -1.5f, -2.5f}});
  try {
    nll_loss(logp, tensor({5, 0}));
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("target 5"), std::string::npos) << m;
    EXPECT_NE(m.find("3 classes"), std::string::npos) << m;
  }
  EXPECT_THROW(nll_loss(logp, tensor({-1, 0})), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0, 1}).to(kInt32)), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0.0f, 1.0f})), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0, 1, 2})), Error);
  EXPECT_THROW(nll_loss(logp, tensor({{0, 1}})), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0, 1}), {.weight = tensor({1.0f, 1.0f})}), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0, 1}), {.weight = tensor({1.0, 1.0, 1.0}, {.dtype = kFloat64})}), Error);
  EXPECT_THROW(nll_loss(logp, tensor({0, 1}), {.label_smoothing = 0.1}), Error);
  EXPECT_THROW(nll_loss(tensor(1.0f), tensor(0)), Error);
  // ignore_index is exempt from the range check.
  EXPECT_NO_THROW(nll_loss(logp, tensor({7, 0}), {.ignore_index = 7}));
}

// ---- cross_entropy -----------------------------------------------------------------------

TEST(Losses, CrossEntropyByHand) {
  const Tensor x = tensor({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}}, {.dtype = kFloat64});
  const double row0 = std::log(1 + std::exp(-1.0) + std::exp(-2.0));  // logsumexp - 3
  expect_near(cross_entropy(x, tensor({2, 0}), {.reduction = Reduction::None}), {row0, std::log(3.0)}, 1e-12);
  expect_near(cross_entropy(x, tensor({2, 0})), {(row0 + std::log(3.0)) / 2}, 1e-12);
  EXPECT_EQ(cross_entropy(x, tensor({2, 0})).dtype(), kFloat64);
  EXPECT_EQ(cross_entropy(x.to(kFloat32), tensor({2, 0})).dtype(), kFloat32);
}

TEST(Losses, CrossEntropyMatchesDefinition) {
  const std::vector<int64_t> target = {2, 0, 3};
  struct Case {
    std::vector<double> weight;
    int64_t ignore_index;
    std::vector<int64_t> target;
    double ls;
  };
  const std::vector<Case> cases = {
      {{}, -100, target, 0},           {kClassWeight, -100, target, 0},   {{}, -100, {2, -100, 3}, 0},
      {kClassWeight, 3, target, 0},    {{}, -100, target, 0.2},           {kClassWeight, -100, target, 0.3},
      {kClassWeight, 0, target, 0.1},  {{}, -100, {-100, -100, 1}, 1.0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "weighted " << !c.weight.empty() << " ignore " << c.ignore_index
                                      << " ls " << c.ls);
    const RefCE ref = ref_cross_entropy(kLogits, c.target, c.weight, c.ignore_index, c.ls);
    CrossEntropyOptions o{.ignore_index = c.ignore_index, .label_smoothing = c.ls};
    if (!c.weight.empty()) o.weight = tensor(c.weight, {.dtype = kFloat64});
    const Tensor t = tensor(c.target);
    o.reduction = Reduction::None;
    expect_near(cross_entropy(matrix(kLogits), t, o), ref.per_row, 1e-12);
    o.reduction = Reduction::Sum;
    expect_near(cross_entropy(matrix(kLogits), t, o), {ref.sum}, 1e-12);
    o.reduction = Reduction::Mean;
    expect_near(cross_entropy(matrix(kLogits), t, o), {ref.sum / ref.weight_sum}, 1e-12);
    expect_near(cross_entropy(matrix(kLogits, kFloat32), t, {.weight = o.weight.defined() ? o.weight.to(kFloat32) : Tensor(),
                                                             .ignore_index = c.ignore_index,
                                                             .label_smoothing = c.ls}),
                {ref.sum / ref.weight_sum}, 1e-5);
  }
}

// Masked classes (-inf logits) get probability and gradient exactly 0, and a far-off class a
// denormal one, as in PyTorch (values from torch 2.x): the fused kernel exponentiates whole blocks of
// rows with a vector exp, which must agree with the scalar one at these points.
TEST(Losses, CrossEntropyMaskedAndFarOffClasses) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = tensor({{0.f, -inf, 1.f}, {-inf, 2.f, -100.f}}).requires_grad_();
  const Tensor loss = cross_entropy(x, tensor({0, 1}));
  EXPECT_FLOAT_EQ(loss.item<float>(), 0.656630814f);
  loss.backward();
  const std::vector<float> g = x.grad().to_vector<float>();
  EXPECT_FLOAT_EQ(g[0], -0.365529299f);
  EXPECT_EQ(g[1], 0.0f);
  EXPECT_FLOAT_EQ(g[2], 0.365529299f);
  EXPECT_EQ(g[3], 0.0f);
  EXPECT_EQ(g[4], 0.0f);
  EXPECT_GT(g[5], 0.0f);  // a denormal, not flushed
  EXPECT_FLOAT_EQ(g[5], 2.802596929e-45f);
}

// The fused kernel also sums the rows' losses and weights (in double, in row order) for a reduced
// loss: exactly the per-row losses' double sum, on any thread count, with class weights and
// ignored rows too.
TEST(Losses, CrossEntropyReducedLossIsTheRowOrderSum) {
  manual_seed(7);
  const Tensor x = randn({1000, 7}) * 3, w = rand({7}) + 0.5;
  Tensor t = randint(0, 7, {1000});
  t.narrow(0, 0, 50).fill_(-100);
  for (const CrossEntropyOptions& o : {CrossEntropyOptions{}, CrossEntropyOptions{.weight = w}}) {
    CrossEntropyOptions none = o;
    none.reduction = Reduction::None;
    const std::vector<float> rows = cross_entropy(x, t, none).to_vector<float>();
    const std::vector<int64_t> target = t.to_vector<int64_t>();
    double loss_total = 0, weight_total = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      loss_total += rows[r];
      if (target[r] != -100) weight_total += o.weight.defined() ? o.weight[target[r]].item<float>() : 1.0f;
    }
    CrossEntropyOptions sum = o;
    sum.reduction = Reduction::Sum;
    for (int threads : {1, 2, 3}) {
      kernel_testing::ThreadCount count(threads);
      EXPECT_EQ(cross_entropy(x, t, sum).item<float>(), static_cast<float>(loss_total));
      EXPECT_EQ(cross_entropy(x, t, o).item<float>(),
                static_cast<float>(loss_total) / static_cast<float>(weight_total));
    }
  }
}

TEST(Losses, CrossEntropySpatialTargets) {
  // input [N=2, C=3, d=2], target [N, d]: each (n, j) is a row x[n, :, j].
  const std::vector<double> flat = {1, 2, 0, -1, 3, 0.5, 0.2, 0.1, -0.3, 2, 1, 1};
  const Tensor x = tensor(flat, {.dtype = kFloat64}).view({2, 3, 2});
  const std::vector<int64_t> targets = {2, 0, 1, -100};
  Rows rows;
  for (int n = 0; n < 2; ++n)
    for (int j = 0; j < 2; ++j) rows.push_back({flat[n * 6 + j], flat[n * 6 + 2 + j], flat[n * 6 + 4 + j]});
  const Tensor t = tensor(targets).view({2, 2});
  const std::vector<double> w = {1, 2, 0.5};
  const RefCE ref = ref_cross_entropy(rows, targets, w, -100, 0.25);
  const CrossEntropyOptions o{.weight = tensor(w, {.dtype = kFloat64}), .label_smoothing = 0.25};
  const Tensor none = cross_entropy(x, t, {.weight = o.weight, .reduction = Reduction::None, .label_smoothing = 0.25});
  EXPECT_EQ(none.sizes(), IntArrayRef({2, 2}));
  expect_near(none, ref.per_row, 1e-12);
  expect_near(cross_entropy(x, t, o), {ref.sum / ref.weight_sum}, 1e-12);
  EXPECT_THROW(cross_entropy(x, tensor({0, 1})), Error);
  EXPECT_THROW(cross_entropy(x, tensor({{0, 1, 2}, {0, 1, 2}})), Error);
}

TEST(Losses, CrossEntropyUnbatched) {
  const Tensor x = tensor({1.0, 2.0, 3.0, 0.5}, {.dtype = kFloat64});
  const RefCE ref = ref_cross_entropy({{1, 2, 3, 0.5}}, {1}, kClassWeight, -100, 0.1);
  const CrossEntropyOptions o{.weight = tensor(kClassWeight, {.dtype = kFloat64}), .label_smoothing = 0.1};
  const Tensor loss = cross_entropy(x, tensor(1), o);
  EXPECT_EQ(loss.dim(), 0);
  expect_near(loss, {ref.sum / ref.weight_sum}, 1e-12);
  EXPECT_EQ(cross_entropy(x, tensor(1), {.reduction = Reduction::None}).dim(), 0);
  EXPECT_THROW(cross_entropy(x, tensor({1})), Error);
}

TEST(Losses, CrossEntropyProbabilityTargets) {
  const Rows p = {{0.2, 0.3, 0.1, 0.4}, {1, 0, 0, 0}, {0, 0.5, 0.5, 0}};
  for (double ls : {0.0, 0.2}) {
    for (bool weighted : {false, true}) {
      std::vector<double> per_row;
      double sum = 0;
      for (size_t n = 0; n < 3; ++n) {
        const auto logp = log_softmax_row(kLogits[n]);
        double loss = 0;
        for (size_t c = 0; c < 4; ++c)
          loss -= (weighted ? kClassWeight[c] : 1) * (p[n][c] * (1 - ls) + ls / 4) * logp[c];
        per_row.push_back(loss);
        sum += loss;
      }
      CrossEntropyOptions o{.label_smoothing = ls};
      if (weighted) o.weight = tensor(kClassWeight, {.dtype = kFloat64});
      o.reduction = Reduction::None;
      expect_near(cross_entropy(matrix(kLogits), matrix(p), o), per_row, 1e-12);
      o.reduction = Reduction::Sum;
      expect_near(cross_entropy(matrix(kLogits), matrix(p), o), {sum}, 1e-12);
      o.reduction = Reduction::Mean;  // per sample, even with weights
      expect_near(cross_entropy(matrix(kLogits), matrix(p), o), {sum / 3}, 1e-12);
    }
  }
  // An integer target shaped like the input is not a probability target.
  EXPECT_THROW(cross_entropy(matrix(kLogits), tensor({{0, 1, 0, 0}, {0, 1, 0, 0}, {0, 1, 0, 0}})), Error);
  EXPECT_THROW(cross_entropy(matrix(kLogits), matrix(p), {.ignore_index = 0}), Error);
}

TEST(Losses, CrossEntropyRejectsBadOptions) {
  const Tensor x = matrix(kLogits), t = tensor({2, 0, 3});
  EXPECT_THROW(cross_entropy(x, t, {.label_smoothing = 1.5}), Error);
  EXPECT_THROW(cross_entropy(x, t, {.label_smoothing = -0.1}), Error);
  EXPECT_THROW(cross_entropy(x, tensor({2, 0, 4})), Error);
  EXPECT_THROW(cross_entropy(x, tensor({2.0, 0.0, 3.0}, {.dtype = kFloat64})), Error);
  EXPECT_THROW(cross_entropy(x, t, {.weight = tensor({{1.0, 1.0, 1.0, 1.0}}, {.dtype = kFloat64})}), Error);
  EXPECT_THROW(cross_entropy(tensor({1, 2, 3}), tensor(0)), Error);  // integer logits
}
