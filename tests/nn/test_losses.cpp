// Loss modules: each equals its functional op (whose values are checked against PyTorch in
// tests/kernels/test_losses.cpp) with the module's options, keeps class weights as buffers and
// rejects bad options.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/nn/loss.h>

namespace {

using accel::Reduction;
using accel::Tensor;
namespace nn = accel::nn;
using Keys = std::vector<std::string>;

void expect_same(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.sizes().vec(), b.sizes().vec());
  EXPECT_TRUE(accel::allclose(a, b, 1e-6, 1e-7)) << a << "\nvs\n" << b;
}

TEST(Losses, CrossEntropyMatchesTheFunction) {
  accel::manual_seed(1);
  const Tensor logits = accel::randn({6, 4}), target = accel::tensor({0, 3, 1, 1, -100, 2});
  const Tensor weight = accel::tensor({1.0f, 2.0f, 0.5f, 1.5f});
  nn::CrossEntropyLoss plain;
  expect_same(plain(logits, target), accel::cross_entropy(logits, target));
  nn::CrossEntropyLoss full({.weight = weight, .ignore_index = 1, .reduction = Reduction::Sum, .label_smoothing = 0.2});
  expect_same(
      full(logits, target.clamp(0)),
      accel::cross_entropy(logits, target.clamp(0),
                           {.weight = weight, .ignore_index = 1, .reduction = Reduction::Sum, .label_smoothing = 0.2}));
  // Class probabilities as targets.
  const Tensor probs = accel::softmax(accel::randn({6, 4}), 1);
  expect_same(plain(logits, probs), accel::cross_entropy(logits, probs));
}

TEST(Losses, NLLMatchesTheFunction) {
  const Tensor log_probs = accel::log_softmax(accel::randn({5, 3}), 1), target = accel::tensor({0, 2, 1, 2, 0});
  const Tensor weight = accel::tensor({0.2f, 1.0f, 3.0f});
  expect_same(nn::NLLLoss()(log_probs, target), accel::nll_loss(log_probs, target));
  expect_same(nn::NLLLoss({.weight = weight, .ignore_index = 2, .reduction = Reduction::None})(log_probs, target),
              accel::nll_loss(log_probs, target, {.weight = weight, .ignore_index = 2, .reduction = Reduction::None}));
}

TEST(Losses, RegressionLossesMatchTheFunctions) {
  const Tensor input = accel::randn({4, 3}) * 2, target = accel::randn({4, 3});
  for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
    expect_same(nn::MSELoss({.reduction = r})(input, target), accel::mse_loss(input, target, r));
    expect_same(nn::L1Loss({.reduction = r})(input, target), accel::l1_loss(input, target, r));
    expect_same(nn::SmoothL1Loss({.reduction = r, .beta = 0.5})(input, target),
                accel::smooth_l1_loss(input, target, r, 0.5));
    expect_same(nn::HuberLoss({.reduction = r, .delta = 2.0})(input, target), accel::huber_loss(input, target, r, 2.0));
  }
  // The defaults are PyTorch's: mean, beta = delta = 1.
  expect_same(nn::SmoothL1Loss()(input, target), accel::smooth_l1_loss(input, target, Reduction::Mean, 1.0));
  expect_same(nn::HuberLoss()(input, target), accel::huber_loss(input, target, Reduction::Mean, 1.0));
}

TEST(Losses, BinaryLossesMatchTheFunctions) {
  const Tensor logits = accel::randn({4, 3}), target = (accel::rand({4, 3}) > 0.5).to(accel::kFloat32);
  const Tensor weight = accel::tensor({1.0f, 0.5f, 2.0f}), pos_weight = accel::tensor({3.0f, 1.0f, 0.25f});
  const Tensor probs = accel::sigmoid(logits);
  expect_same(nn::BCELoss()(probs, target), accel::binary_cross_entropy(probs, target));
  expect_same(nn::BCELoss({.weight = weight, .reduction = Reduction::Sum})(probs, target),
              accel::binary_cross_entropy(probs, target, weight, Reduction::Sum));
  expect_same(nn::BCEWithLogitsLoss()(logits, target), accel::binary_cross_entropy_with_logits(logits, target));
  expect_same(nn::BCEWithLogitsLoss({.weight = weight, .pos_weight = pos_weight})(logits, target),
              accel::binary_cross_entropy_with_logits(logits, target, weight, Reduction::Mean, pos_weight));
}

TEST(Losses, ClassWeightsAreBuffersThatMoveWithTheModule) {
  EXPECT_TRUE(nn::CrossEntropyLoss().state_dict().empty());
  const Tensor weight = accel::tensor({1.0f, 2.0f});
  nn::CrossEntropyLoss ce({.weight = weight});
  EXPECT_EQ(ce.state_dict().keys(), Keys{"weight"});
  EXPECT_TRUE(accel::equal(ce.weight, weight));
  EXPECT_EQ(nn::BCEWithLogitsLoss({.weight = weight, .pos_weight = weight}).state_dict().keys(),
            (Keys{"weight", "pos_weight"}));
  EXPECT_EQ(nn::BCEWithLogitsLoss({.pos_weight = weight}).state_dict().keys(), Keys{"pos_weight"});
  EXPECT_EQ(nn::NLLLoss({.weight = weight}).buffers().size(), 1u);
  EXPECT_EQ(nn::BCELoss({.weight = weight}).buffers().size(), 1u);
  ce.to(accel::kFloat64);
  EXPECT_EQ(ce.weight.dtype(), accel::kFloat64);
  EXPECT_EQ(weight.dtype(), accel::kFloat32);  // the caller's tensor is not the buffer
  const Tensor logits = accel::randn({3, 2}, {.dtype = accel::kFloat64});
  EXPECT_EQ(ce(logits, accel::tensor({0, 1, 1})).dtype(), accel::kFloat64);
}

TEST(Losses, GradientsFlowAndCloneKeepsOptions) {
  const Tensor logits = accel::randn({3, 4}, {.requires_grad = true});
  auto loss = std::make_shared<nn::CrossEntropyLoss>(
      nn::CrossEntropyLossOptions{.weight = accel::tensor({1.0f, 2.0f, 3.0f, 4.0f}), .label_smoothing = 0.1});
  (*loss)(logits, accel::tensor({1, 0, 3})).backward();
  ASSERT_TRUE(logits.grad().defined());
  auto copy = std::dynamic_pointer_cast<nn::CrossEntropyLoss>(loss->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->options.label_smoothing, 0.1);
  EXPECT_TRUE(accel::equal(copy->weight, loss->weight));
  EXPECT_FALSE(copy->weight.is_same(loss->weight));
}

TEST(Losses, BadOptionsAndInputsThrow) {
  EXPECT_THROW(nn::CrossEntropyLoss({.label_smoothing = 1.5}), accel::Error);
  EXPECT_THROW(nn::SmoothL1Loss({.beta = -1}), accel::Error);
  EXPECT_THROW(nn::HuberLoss({.delta = 0}), accel::Error);
  EXPECT_THROW(nn::MSELoss()(accel::randn({3}), accel::randn({4})), accel::Error);
  EXPECT_THROW(nn::CrossEntropyLoss()(accel::randn({3, 4}), accel::tensor({0, 1})), accel::Error);
  // A loss has no single-tensor forward.
  nn::MSELoss mse;
  nn::Module& as_module = mse;
  EXPECT_THROW(as_module(accel::randn({3})), accel::Error);
}

TEST(Losses, Printing) {
  std::ostringstream os;
  os << nn::CrossEntropyLoss() << " " << nn::BCEWithLogitsLoss();
  EXPECT_EQ(os.str(), "CrossEntropyLoss() BCEWithLogitsLoss()");
}

}  // namespace
