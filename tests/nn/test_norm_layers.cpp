// BatchNorm, LayerNorm, GroupNorm, Dropout and Embedding: initial values, train/eval behaviour,
// running statistics, printing, cloning and errors (the values against PyTorch are in
// test_layers_golden.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/nn/dropout.h>
#include <accel/nn/embedding.h>
#include <accel/nn/normalization.h>

namespace {

using accel::Tensor;
namespace nn = accel::nn;

std::string printed(const nn::Module& m) {
  std::ostringstream os;
  os << m;
  return os.str();
}

void expect_allclose(const Tensor& a, const Tensor& b, double tol = 1e-5) {
  ASSERT_EQ(a.sizes().vec(), b.sizes().vec());
  EXPECT_TRUE(accel::allclose(a, b, tol, tol)) << "\n" << a << "\nvs\n" << b;
}

// ---- BatchNorm ------------------------------------------------------------------------------

TEST(BatchNorm, StartsAsIdentityWithUnitRunningVariance) {
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(bn.state_dict().keys(),
            (std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_TRUE(accel::equal(bn.weight, accel::ones({3})));
  EXPECT_TRUE(accel::equal(bn.bias, accel::zeros({3})));
  EXPECT_TRUE(accel::equal(bn.running_mean, accel::zeros({3})));
  EXPECT_TRUE(accel::equal(bn.running_var, accel::ones({3})));
  EXPECT_EQ(bn.num_batches_tracked.dtype(), accel::kInt64);
  EXPECT_EQ(bn.num_batches_tracked.dim(), 0);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 0);
  EXPECT_EQ(bn.parameters().size(), 2u);
  EXPECT_EQ(bn.buffers().size(), 3u);
}

TEST(BatchNorm, TrainingNormalizesWithBatchStatsAndUpdatesRunningStatsByMomentum) {
  accel::manual_seed(1);
  nn::BatchNorm2d bn(2, {.momentum = 0.25});
  const Tensor x = accel::randn({4, 2, 3, 3}) * 3 + 1;
  const Tensor y = bn(x);
  // Each channel of the output has mean 0 and (biased) variance 1.
  expect_allclose(y.mean({0, 2, 3}), accel::zeros({2}));
  expect_allclose(y.var({0, 2, 3}, /*correction=*/0), accel::ones({2}), 1e-3);
  const Tensor batch_mean = x.mean({0, 2, 3});
  const Tensor batch_var = x.var({0, 2, 3}, /*correction=*/1);  // the running variance is unbiased
  expect_allclose(bn.running_mean, batch_mean * 0.25);
  expect_allclose(bn.running_var, batch_var * 0.25 + 0.75);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
}

TEST(BatchNorm, EvaluationUsesRunningStatsAndLeavesThemAlone) {
  accel::manual_seed(2);
  nn::BatchNorm1d bn(3);
  bn(accel::randn({8, 3}) * 2 + 5);
  bn.eval();
  const Tensor mean = bn.running_mean.clone(), var = bn.running_var.clone();
  const Tensor x = accel::randn({5, 3});
  const Tensor y = bn(x);
  expect_allclose(y, (x - mean) / (var + 1e-5).sqrt());
  EXPECT_TRUE(accel::equal(bn.running_mean, mean));
  EXPECT_TRUE(accel::equal(bn.running_var, var));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
}

TEST(BatchNorm, MomentumNoneGivesTheCumulativeAverage) {
  accel::manual_seed(3);
  nn::BatchNorm1d bn(2, {.momentum = std::nullopt});
  const Tensor a = accel::randn({6, 2}), b = accel::randn({6, 2}) + 4, c = accel::randn({6, 2}) - 1;
  for (const Tensor& x : {a, b, c}) bn(x);
  expect_allclose(bn.running_mean, (a.mean({0}) + b.mean({0}) + c.mean({0})) / 3);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 3);
}

TEST(BatchNorm, WithoutTrackingHasNoBuffersAndAlwaysUsesBatchStats) {
  accel::manual_seed(4);
  nn::BatchNorm2d bn(2, {.affine = false, .track_running_stats = false});
  EXPECT_TRUE(bn.state_dict().empty());
  bn.eval();
  const Tensor y = bn(accel::randn({3, 2, 4, 4}) + 7);
  expect_allclose(y.mean({0, 2, 3}), accel::zeros({2}));
}

TEST(BatchNorm, ResetRunningStats) {
  nn::BatchNorm2d bn(2);
  bn(accel::randn({2, 2, 2, 2}) + 3);
  bn.reset_running_stats();
  EXPECT_TRUE(accel::equal(bn.running_mean, accel::zeros({2})));
  EXPECT_TRUE(accel::equal(bn.running_var, accel::ones({2})));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 0);
}

TEST(BatchNorm, ToFloat64KeepsTheCounterInt64) {
  nn::BatchNorm2d bn(2);
  bn.to(accel::kFloat64);
  EXPECT_EQ(bn.running_mean.dtype(), accel::kFloat64);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), accel::kInt64);
  bn(accel::randn({2, 2, 3, 3}, {.dtype = accel::kFloat64}));
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
}

TEST(BatchNorm, CloneCopiesRunningStatsIndependently) {
  nn::BatchNorm2d bn(2);
  bn(accel::randn({2, 2, 3, 3}) + 2);
  auto copy = std::dynamic_pointer_cast<nn::BatchNorm2d>(bn.clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(accel::equal(copy->running_mean, bn.running_mean));
  EXPECT_FALSE(copy->running_mean.is_same(bn.running_mean));
  (*copy)(accel::randn({2, 2, 3, 3}) - 5);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  EXPECT_EQ(copy->num_batches_tracked.item<int64_t>(), 2);
}

TEST(BatchNorm, GradientsReachInputWeightAndBias) {
  nn::BatchNorm2d bn(2);
  const Tensor x = accel::randn({3, 2, 2, 2}, {.requires_grad = true});
  (bn(x) * accel::randn({3, 2, 2, 2})).sum().backward();
  ASSERT_TRUE(x.grad().defined());
  ASSERT_TRUE(bn.weight.grad().defined());
  ASSERT_TRUE(bn.bias.grad().defined());
  EXPECT_FALSE(bn.running_mean.requires_grad());
}

TEST(BatchNorm, Printing) {
  EXPECT_EQ(printed(nn::BatchNorm2d(16)),
            "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  EXPECT_EQ(printed(nn::BatchNorm1d(4, {.eps = 0.001, .momentum = std::nullopt, .affine = false})),
            "BatchNorm1d(4, eps=0.001, momentum=None, affine=False, track_running_stats=True)");
}

TEST(BatchNorm, BadInputThrows) {
  EXPECT_THROW(nn::BatchNorm2d(0), accel::Error);
  EXPECT_THROW(nn::BatchNorm2d(3, {.momentum = 1.5}), accel::Error);
  nn::BatchNorm2d bn2(3);
  EXPECT_THROW(bn2(accel::randn({2, 3, 4})), accel::Error);     // not 4-D
  EXPECT_THROW(bn2(accel::randn({2, 4, 2, 2})), accel::Error);  // 4 channels, not 3
  nn::BatchNorm1d bn1(3);
  EXPECT_THROW(bn1(accel::randn({2, 3, 2, 2})), accel::Error);
  EXPECT_THROW(bn1(accel::randn({3})), accel::Error);
  try {
    bn2(accel::randn({2, 4, 2, 2}));
    ADD_FAILURE() << "no error";
  } catch (const accel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("BatchNorm2d"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 4, 2, 2]"), std::string::npos) << e.what();
  }
}

// ---- LayerNorm / GroupNorm ------------------------------------------------------------------

TEST(LayerNorm, NormalizesTheTrailingDims) {
  nn::LayerNorm ln(std::vector<int64_t>{3, 4});
  EXPECT_EQ(ln.weight.sizes().vec(), (std::vector<int64_t>{3, 4}));
  EXPECT_TRUE(accel::equal(ln.weight, accel::ones({3, 4})));
  EXPECT_TRUE(accel::equal(ln.bias, accel::zeros({3, 4})));
  const Tensor y = ln(accel::randn({2, 5, 3, 4}) * 4 + 2);
  expect_allclose(y.mean({2, 3}), accel::zeros({2, 5}));
  expect_allclose(y.var({2, 3}, 0), accel::ones({2, 5}), 1e-3);
}

TEST(LayerNorm, OptionsDecideTheParameters) {
  EXPECT_EQ(nn::LayerNorm(8, {.bias = false}).state_dict().keys(), std::vector<std::string>{"weight"});
  EXPECT_TRUE(nn::LayerNorm(8, {.elementwise_affine = false}).state_dict().empty());
}

TEST(LayerNorm, PrintingAndErrors) {
  EXPECT_EQ(printed(nn::LayerNorm(512)), "LayerNorm((512,), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(printed(nn::LayerNorm(std::vector<int64_t>{4, 5}, {.eps = 1e-6, .bias = false})),
            "LayerNorm((4, 5), eps=1e-06, elementwise_affine=True, bias=False)");
  EXPECT_THROW(nn::LayerNorm(0), accel::Error);
  nn::LayerNorm ln(4);
  EXPECT_THROW(ln(accel::randn({2, 5})), accel::Error);
}

TEST(GroupNorm, NormalizesEachGroup) {
  nn::GroupNorm gn(2, 4);
  const Tensor y = gn(accel::randn({3, 4, 5}) * 3 - 1);
  const Tensor groups = y.reshape({3, 2, 10});
  expect_allclose(groups.mean({2}), accel::zeros({3, 2}));
  expect_allclose(groups.var({2}, 0), accel::ones({3, 2}), 1e-3);
  EXPECT_EQ(nn::GroupNorm(2, 4, {.affine = false}).parameters().size(), 0u);
}

TEST(GroupNorm, PrintingAndErrors) {
  EXPECT_EQ(printed(nn::GroupNorm(2, 6)), "GroupNorm(2, 6, eps=1e-05, affine=True)");
  EXPECT_THROW(nn::GroupNorm(4, 6), accel::Error);  // 6 channels do not split into 4 groups
  nn::GroupNorm gn(2, 6);
  EXPECT_THROW(gn(accel::randn({2, 4, 3})), accel::Error);
}

// ---- Dropout --------------------------------------------------------------------------------

TEST(Dropout, EvaluationIsTheIdentity) {
  nn::Dropout drop({.p = 0.5});
  drop.eval();
  const Tensor x = accel::randn({100});
  EXPECT_TRUE(accel::equal(drop(x), x));
}

TEST(Dropout, TrainingZeroesAboutPAndScalesTheRest) {
  accel::manual_seed(5);
  nn::Dropout drop({.p = 0.3});
  const Tensor y = drop(accel::ones({20000}));
  const double zero_fraction = (y == 0).to(accel::kFloat64).mean().item<double>();
  EXPECT_NEAR(zero_fraction, 0.3, 0.02);
  const Tensor kept = y.masked_select(y != 0);
  EXPECT_TRUE(accel::allclose(kept, accel::full_like(kept, 1 / 0.7)));
}

TEST(Dropout, PrintingAndErrors) {
  EXPECT_EQ(printed(nn::Dropout()), "Dropout(p=0.5, inplace=False)");
  EXPECT_EQ(printed(nn::Dropout({.p = 0.1})), "Dropout(p=0.1, inplace=False)");
  EXPECT_THROW(nn::Dropout({.p = 1.5}), accel::Error);
  EXPECT_THROW(nn::Dropout({.p = -0.1}), accel::Error);
}

// ---- Embedding ------------------------------------------------------------------------------

TEST(Embedding, InitIsStandardNormalWithTheZeroPaddingRow) {
  accel::manual_seed(6);
  nn::Embedding emb(1000, 16, {.padding_idx = 3});
  EXPECT_EQ(emb.weight.sizes().vec(), (std::vector<int64_t>{1000, 16}));
  EXPECT_TRUE(accel::equal(emb.weight[3], accel::zeros({16})));
  EXPECT_NEAR(emb.weight.mean().item<double>(), 0.0, 0.02);
  EXPECT_NEAR(emb.weight.std().item<double>(), 1.0, 0.02);
}

TEST(Embedding, LooksUpRowsAndGivesThePaddingRowNoGradient) {
  nn::Embedding emb(5, 3, {.padding_idx = -1});  // wraps to 4
  EXPECT_EQ(emb.options.padding_idx.value(), 4);
  const Tensor idx = accel::tensor({{0, 4, 2}, {4, 4, 1}});
  const Tensor y = emb(idx);
  EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{2, 3, 3}));
  EXPECT_TRUE(accel::equal(y[0][2], emb.weight[2]));
  y.sum().backward();
  EXPECT_TRUE(accel::equal(emb.weight.grad()[4], accel::zeros({3})));
  EXPECT_TRUE(accel::equal(emb.weight.grad()[1], accel::ones({3})));
  EXPECT_TRUE(accel::equal(emb.weight.grad()[3], accel::zeros({3})));  // not looked up
}

TEST(Embedding, FromPretrained) {
  const Tensor table = accel::arange(12, {.dtype = accel::kFloat32}).view({4, 3});
  nn::Embedding frozen = nn::Embedding::from_pretrained(table);
  EXPECT_TRUE(accel::equal(frozen.weight, table));
  EXPECT_FALSE(frozen.weight.is_same(table));
  EXPECT_FALSE(frozen.weight.requires_grad());
  EXPECT_EQ(frozen.num_embeddings, 4);
  EXPECT_EQ(frozen.embedding_dim, 3);
  EXPECT_TRUE(accel::equal(frozen(accel::tensor({2})), table[2].unsqueeze(0)));

  nn::Embedding trainable = nn::Embedding::from_pretrained(table, {.freeze = false, .padding_idx = 0});
  EXPECT_TRUE(trainable.weight.requires_grad());
  EXPECT_TRUE(accel::equal(trainable.weight[0], table[0]));  // the pretrained padding row is kept
  EXPECT_THROW(nn::Embedding::from_pretrained(accel::zeros({3})), accel::Error);
}

TEST(Embedding, PrintingAndErrors) {
  EXPECT_EQ(printed(nn::Embedding(10, 4)), "Embedding(10, 4)");
  EXPECT_EQ(printed(nn::Embedding(10, 4, {.padding_idx = 0})), "Embedding(10, 4, padding_idx=0)");
  EXPECT_THROW(nn::Embedding(0, 4), accel::Error);
  EXPECT_THROW(nn::Embedding(10, 4, {.padding_idx = 10}), accel::Error);
  nn::Embedding emb(10, 4);
  EXPECT_THROW(emb(accel::tensor({10})), accel::Error);
  EXPECT_THROW(emb(accel::tensor({1.0f})), accel::Error);
}

}  // namespace
