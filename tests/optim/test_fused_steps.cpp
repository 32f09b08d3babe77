// SGD and Adam update contiguous float parameters with one fused backend kernel (Backend::sgd_step,
// adam_step) and anything else with tensor ops. The golden trajectories (test_optimizers.cpp, float64)
// check the fused path against PyTorch; here the two paths are checked against each other in float32,
// for every option, by giving the same values to a contiguous parameter and to a transposed one.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include <accel/accel.h>

namespace {

using namespace accel;
using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

// Five steps with the same gradients on a fused-path and a tensor-op-path parameter.
void expect_paths_agree(const std::string& what, const MakeOptimizer& make) {
  SCOPED_TRACE(what);
  manual_seed(7);
  const Tensor start = randn({6, 9});
  const Tensor fused = start.clone().requires_grad_();
  const Tensor unfused = start.t().contiguous().t().requires_grad_();  // the same values, transposed strides
  ASSERT_FALSE(unfused.is_contiguous());
  auto fused_optimizer = make({fused});
  auto unfused_optimizer = make({unfused});
  for (int step = 0; step < 5; ++step) {
    const Tensor grad = randn({6, 9});
    fused.mutable_grad() = grad.clone();
    unfused.mutable_grad() = grad.t().contiguous().t();
    fused_optimizer->step();
    unfused_optimizer->step();
    EXPECT_TRUE(allclose(fused, unfused, 1e-6, 1e-7)) << "step " << step << ": max difference "
                                                      << (fused - unfused).abs().max().item<float>();
  }
}

}  // namespace

TEST(FusedSteps, SgdMatchesTheTensorOpUpdateForEveryOption) {
  const std::pair<std::string, optim::SGDOptions> cases[] = {
      {"plain", {.lr = 0.1}},
      {"momentum", {.lr = 0.1, .momentum = 0.9}},
      {"dampening", {.lr = 0.1, .momentum = 0.9, .dampening = 0.3}},
      {"nesterov + weight decay", {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true}},
      {"maximize", {.lr = 0.1, .momentum = 0.5, .maximize = true}},
  };
  for (const auto& [what, options] : cases)
    expect_paths_agree("SGD " + what,
                       [&](std::vector<Tensor> p) { return std::make_unique<optim::SGD>(std::move(p), options); });
}

TEST(FusedSteps, AdamAndAdamWMatchTheTensorOpUpdateForEveryOption) {
  const std::pair<std::string, optim::AdamOptions> cases[] = {
      {"plain", {.lr = 0.01}},
      {"weight decay", {.lr = 0.01, .weight_decay = 0.1}},
      {"amsgrad", {.lr = 0.01, .amsgrad = true}},
      {"maximize", {.lr = 0.01, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .maximize = true}},
  };
  for (const auto& [what, options] : cases)
    expect_paths_agree("Adam " + what,
                       [&](std::vector<Tensor> p) { return std::make_unique<optim::Adam>(std::move(p), options); });
  expect_paths_agree("AdamW", [](std::vector<Tensor> p) {
    return std::make_unique<optim::AdamW>(std::move(p), optim::AdamWOptions{.lr = 0.01, .weight_decay = 0.1});
  });
}

TEST(FusedSteps, TheUpdateCountsAsAnInPlaceChange) {
  // A graph that saved the parameter before the step must refuse to run backward after it.
  const Tensor w = ones({3}).requires_grad_();
  optim::SGD optimizer({w}, {.lr = 0.1, .momentum = 0.9});
  w.mutable_grad() = ones({3});
  const Tensor loss = (w * w).sum();
  optimizer.step();
  EXPECT_THROW(loss.backward(), Error);
}
