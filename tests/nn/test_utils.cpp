// nn::utils: clip_grad_norm_ against the reference PyTorch (tools/gen_nn_golden.py, "clip" cases:
// norms 1, 2, 3 and inf, clipped or not, non-finite gradients), clip_grad_value_, the vector
// conversions and parameter counting.
#include <gtest/gtest.h>

#include <cmath>

#include "../golden_json.h"

namespace utils = accel::nn::utils;
using accel::Tensor;

TEST(ClipGradNorm, MatchesPyTorch) {
  const golden::json file = golden::load("nn_layers.json");
  ASSERT_EQ(file.at("clip").size(), 7u);
  for (const golden::json& c : file.at("clip")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    std::vector<Tensor> params;
    for (const golden::json& g : c.at("grads")) {
      Tensor grad = golden::tensor(g);
      Tensor p = accel::zeros(grad.sizes(), {.requires_grad = true});
      p.mutable_grad() = grad;
      params.push_back(p);
    }
    const double total = utils::clip_grad_norm_(params, golden::number(c.at("max_norm")),
                                                golden::number(c.at("norm_type")));
    const double expected = golden::number(c.at("total_norm"));
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(total));
    } else if (std::isinf(expected)) {
      EXPECT_EQ(total, expected);
    } else {
      EXPECT_NEAR(total, expected, 1e-5 * expected);
    }
    for (size_t i = 0; i < params.size(); ++i)
      EXPECT_TRUE(accel::allclose(params[i].grad(), golden::tensor(c.at("clipped")[i]), 1e-5, 1e-6, /*equal_nan=*/true))
          << params[i].grad();
  }
}

TEST(ClipGradNorm, NonFiniteErrorLeavesGradientsAlone) {
  Tensor p = accel::zeros({3}, {.requires_grad = true});
  p.mutable_grad() = accel::tensor({1.0f, std::numeric_limits<float>::infinity(), 2.0f});
  EXPECT_THROW(utils::clip_grad_norm_({p}, 1.0, 2.0, /*error_if_nonfinite=*/true), accel::Error);
  EXPECT_EQ(p.grad()[0].item<float>(), 1.0f);
}

TEST(ClipGradNorm, SkipsParametersWithoutGradients) {
  Tensor a = accel::zeros({2}, {.requires_grad = true}), b = accel::zeros({2}, {.requires_grad = true});
  EXPECT_EQ(utils::clip_grad_norm_({a, b}, 1.0), 0.0);
  b.mutable_grad() = accel::tensor({3.0f, 4.0f});
  EXPECT_NEAR(utils::clip_grad_norm_({a, b}, 1.0), 5.0, 1e-6);
  EXPECT_NEAR(b.grad().norm().item<double>(), 1.0, 1e-5);
}

TEST(ClipGradValue, Clamps) {
  Tensor p = accel::zeros({4}, {.requires_grad = true});
  p.mutable_grad() = accel::tensor({-3.0f, -0.5f, 0.5f, 3.0f});
  utils::clip_grad_value_({p}, 1.0);
  EXPECT_EQ(p.grad().to_vector<float>(), (std::vector<float>{-1.0f, -0.5f, 0.5f, 1.0f}));
}

TEST(ParameterVector, RoundTrip) {
  auto linear = std::make_shared<accel::nn::Linear>(3, 2);
  Tensor v = utils::parameters_to_vector(linear->parameters());
  EXPECT_EQ(v.sizes(), accel::IntArrayRef({8}));
  EXPECT_TRUE(accel::equal(v.narrow(0, 0, 6).view({2, 3}), linear->weight));
  utils::vector_to_parameters(accel::arange(8, {.dtype = accel::kFloat32}), linear->parameters());
  EXPECT_EQ(linear->bias.to_vector<float>(), (std::vector<float>{6.0f, 7.0f}));
  EXPECT_TRUE(linear->weight.is_leaf());
  EXPECT_THROW(utils::vector_to_parameters(accel::zeros({7}), linear->parameters()), accel::Error);
}

TEST(ParameterCount, CountsTrainableOnly) {
  auto linear = std::make_shared<accel::nn::Linear>(3, 2);
  linear->bias.requires_grad_(false);
  EXPECT_EQ(utils::num_parameters(linear->parameters()), 8);
  EXPECT_EQ(utils::num_parameters(linear->parameters(), /*only_trainable=*/true), 6);
  EXPECT_EQ(linear->num_parameters(true), 6);
}
