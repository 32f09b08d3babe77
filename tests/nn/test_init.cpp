// nn::init: gains and fans (PyTorch's values), the bounds and moments of each random
// initialiser, and that none of them records history.
#include <gtest/gtest.h>

#include <cmath>

#include <accel/accel.h>

namespace init = accel::nn::init;
using accel::Tensor;

TEST(Init, CalculateGainMatchesPyTorch) {
  EXPECT_DOUBLE_EQ(init::calculate_gain("linear"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("conv2d"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("sigmoid"), 1.0);
  EXPECT_DOUBLE_EQ(init::calculate_gain("tanh"), 5.0 / 3);
  EXPECT_DOUBLE_EQ(init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", std::sqrt(5.0)), std::sqrt(1.0 / 3));
  EXPECT_DOUBLE_EQ(init::calculate_gain("selu"), 0.75);
  EXPECT_THROW(init::calculate_gain("swish"), accel::Error);
}

TEST(Init, FanInAndFanOut) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(accel::empty({3, 4})), std::make_pair(int64_t{4}, int64_t{3}));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(accel::empty({8, 2, 3, 5})),
            std::make_pair(int64_t{30}, int64_t{120}));
  EXPECT_THROW(init::calculate_fan_in_and_fan_out(accel::empty({5})), accel::Error);
}

TEST(Init, ConstantsAndNoHistory) {
  Tensor w = accel::empty({3, 4}, {.requires_grad = true});
  init::constant_(w, 2.5);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.sum().item<float>(), 30.0f);
  init::zeros_(w);
  EXPECT_EQ(w.abs().sum().item<float>(), 0.0f);
  init::ones_(w);
  EXPECT_EQ(w.sum().item<float>(), 12.0f);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_EQ(w.grad_fn(), nullptr);
}

namespace {
void expect_uniform(const Tensor& t, double bound) {
  EXPECT_LE(t.abs().max().item<double>(), bound);
  EXPECT_GT(t.abs().max().item<double>(), 0.98 * bound);
  EXPECT_NEAR(t.std().item<double>(), bound / std::sqrt(3.0), 0.02 * bound);
}
void expect_normal(const Tensor& t, double mean, double std) {
  EXPECT_NEAR(t.mean().item<double>(), mean, 0.02 * std);
  EXPECT_NEAR(t.std().item<double>(), std, 0.02 * std);
}
}  // namespace

TEST(Init, KaimingUniformAndNormal) {
  accel::manual_seed(1);
  Tensor w = accel::empty({256, 128, 3}, {.requires_grad = true});
  init::kaiming_uniform_(w, 0, "fan_in", "relu");
  expect_uniform(w, std::sqrt(2.0) * std::sqrt(3.0 / (128 * 3)));
  EXPECT_TRUE(w.is_leaf());
  init::kaiming_uniform_(w, 0, "fan_out", "relu");
  expect_uniform(w, std::sqrt(2.0) * std::sqrt(3.0 / (256 * 3)));
  init::kaiming_normal_(w, 0, "fan_out", "relu");
  expect_normal(w, 0, std::sqrt(2.0 / (256 * 3)));
  init::kaiming_normal_(w, 0.2);  // leaky_relu with slope 0.2, fan_in
  expect_normal(w, 0, std::sqrt(2.0 / (1 + 0.04)) / std::sqrt(128.0 * 3));
  EXPECT_THROW(init::kaiming_normal_(w, 0, "fan_avg"), accel::Error);
  Tensor empty = accel::empty({0, 3});
  EXPECT_NO_THROW(init::kaiming_uniform_(empty));  // PyTorch skips empty tensors
}

TEST(Init, XavierUniformAndNormal) {
  accel::manual_seed(2);
  Tensor w = accel::empty({300, 200});
  init::xavier_uniform_(w, 2.0);
  expect_uniform(w, 2.0 * std::sqrt(6.0 / 500));
  init::xavier_normal_(w);
  expect_normal(w, 0, std::sqrt(2.0 / 500));
}

TEST(Init, UniformAndNormal) {
  accel::manual_seed(3);
  Tensor w = accel::empty({100000});
  init::uniform_(w, -3, 1);
  EXPECT_GE(w.min().item<double>(), -3);
  EXPECT_LT(w.max().item<double>(), 1);
  EXPECT_NEAR(w.mean().item<double>(), -1, 0.02);
  init::normal_(w, 5, 0.5);
  expect_normal(w, 5, 0.5);
}

TEST(Init, TruncNormalStaysInBoundsWithTheTruncatedMoments) {
  accel::manual_seed(4);
  Tensor w = accel::empty({200000}, {.requires_grad = true});
  init::trunc_normal_(w, 0.5, 2.0, -1.0, 3.0);
  EXPECT_GE(w.min().item<double>(), -1.0);
  EXPECT_LE(w.max().item<double>(), 3.0);
  EXPECT_TRUE(w.is_leaf());
  // Moments of N(0.5, 2) truncated to [-1, 3]: alpha = -0.75, beta = 1.25.
  const double pdf_a = std::exp(-0.75 * 0.75 / 2) / std::sqrt(2 * M_PI), pdf_b = std::exp(-1.25 * 1.25 / 2) / std::sqrt(2 * M_PI);
  const double z = 0.5 * (std::erf(1.25 / std::sqrt(2.0)) - std::erf(-0.75 / std::sqrt(2.0)));
  const double mean = 0.5 + 2.0 * (pdf_a - pdf_b) / z;
  const double var = 4.0 * (1 + (-0.75 * pdf_a - 1.25 * pdf_b) / z - std::pow((pdf_a - pdf_b) / z, 2));
  EXPECT_NEAR(w.mean().item<double>(), mean, 0.01);
  EXPECT_NEAR(w.std().item<double>(), std::sqrt(var), 0.01);
  // The common use: std 0.02 within +-2 (effectively untruncated).
  Tensor v = accel::empty({100000});
  init::trunc_normal_(v, 0, 0.02);
  expect_normal(v, 0, 0.02);
  EXPECT_THROW(init::trunc_normal_(v, 0, 1, 2, -2), accel::Error);
}

TEST(Init, ReproducibleWithManualSeed) {
  Tensor a = accel::empty({10}), b = accel::empty({10});
  accel::manual_seed(7);
  init::trunc_normal_(a);
  accel::manual_seed(7);
  init::trunc_normal_(b);
  EXPECT_TRUE(accel::equal(a, b));
}
