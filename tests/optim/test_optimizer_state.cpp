// The Optimizer base: parameter groups, zero_grad, skipping parameters without gradients, and
// state dicts (round trips that continue the exact trajectory, and the errors of load_state_dict).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/optim/adagrad.h>
#include <accel/optim/adam.h>
#include <accel/optim/adamw.h>
#include <accel/optim/rmsprop.h>
#include <accel/optim/sgd.h>
#include <accel/tensor/serialization.h>

#include "optim_problem.h"

namespace {

using accel::Tensor;
using namespace accel::optim;
using optim_test::json;
using optim_test::Problem;
using optim_test::expect_error;

TEST(ParamGroups, AddParamGroupFillsDefaultsAndKeepsItsOwnValues) {
  const Problem problem;
  SGD sgd({problem.W}, {.lr = 0.1, .momentum = 0.9});
  sgd.add_param_group({.params = {problem.b}, .lr = 0.01, .options = {{"weight_decay", 0.5}}});
  ASSERT_EQ(sgd.param_groups().size(), 2u);
  const ParamGroup& added = sgd.param_groups()[1];
  EXPECT_EQ(added.lr, 0.01);
  EXPECT_EQ(added.options.keys(), (std::vector<std::string>{"momentum", "dampening", "weight_decay", "nesterov", "maximize"}));
  EXPECT_EQ(added.options["momentum"], 0.9);
  EXPECT_EQ(added.options["weight_decay"], 0.5);
  sgd.add_param_group({.params = {accel::zeros({2}, {.dtype = accel::kFloat64})}});
  EXPECT_EQ(sgd.param_groups()[2].lr, 0.1);
}

TEST(ParamGroups, EachGroupStepsWithItsOwnLearningRate) {
  const Tensor a = accel::ones({2}).requires_grad_();
  const Tensor b = accel::ones({2}).requires_grad_();
  SGD sgd(std::vector<ParamGroup>{{.params = {a}}, {.params = {b}, .lr = 0.5}}, {.lr = 0.1});
  (a.sum() + b.sum()).backward();  // both gradients are ones
  sgd.step();
  EXPECT_EQ(a.to_vector<float>(), (std::vector<float>{0.9f, 0.9f}));
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{0.5f, 0.5f}));
  // A scheduler changes a group's lr between steps.
  sgd.param_groups()[1].lr = 0.25;
  sgd.step();
  EXPECT_EQ(b.to_vector<float>(), (std::vector<float>{0.25f, 0.25f}));
}

TEST(ParamGroups, InvalidParametersAreErrors) {
  const Problem problem;
  expect_error([&] { SGD(std::vector<ParamGroup>{}); }, "empty list of parameter groups");
  expect_error([&] { SGD({problem.W, problem.W}); }, "parameter 1 appears twice");
  expect_error([&] { SGD({Tensor()}); }, "parameter 0 is undefined");
  expect_error([&] { SGD({accel::zeros({2}, {.dtype = accel::kInt64})}); }, "only floating-point tensors");
  expect_error([&] { SGD({problem.W * 2}); }, "parameter 0 is not a leaf");
  SGD sgd({problem.W, problem.b});
  expect_error([&] { sgd.add_param_group({.params = {problem.b}}); }, "parameter 0 appears twice");
  EXPECT_EQ(sgd.param_groups().size(), 1u);
}

TEST(ZeroGrad, SetToNoneOrZeroInPlace) {
  const Problem problem;
  SGD sgd(problem.params(), {.lr = 0.1});
  problem.loss().backward();
  const Tensor grad = problem.W.grad();
  sgd.zero_grad(/*set_to_none=*/false);
  ASSERT_TRUE(problem.W.grad().defined());
  EXPECT_TRUE(problem.W.grad().is_same(grad));  // the same tensor, zeroed
  EXPECT_EQ(grad.to_vector<double>(), std::vector<double>(12, 0.0));
  sgd.zero_grad();
  EXPECT_FALSE(problem.W.grad().defined());
  EXPECT_FALSE(problem.b.grad().defined());
  sgd.zero_grad();  // no gradients: nothing to do
}

TEST(Step, SkipsParametersWithoutGradient) {
  const Problem problem;
  const Tensor unused = accel::ones({3}, {.dtype = accel::kFloat64}).requires_grad_();
  Adam adam({problem.W, unused, problem.b}, {.lr = 0.1, .weight_decay = 0.1});
  const std::vector<double> W_before = problem.W.to_vector<double>();
  problem.step(adam);
  EXPECT_NE(problem.W.to_vector<double>(), W_before);
  EXPECT_EQ(unused.to_vector<double>(), std::vector<double>(3, 1.0));  // not even weight decay
  const OptimizerState state = adam.state_dict();
  EXPECT_EQ(state.tensors.keys(), (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq",
                                                             "state.2.exp_avg", "state.2.exp_avg_sq"}));
  EXPECT_FALSE(json::parse(state.json).at("state").contains("1"));
}

TEST(StateDict, LayoutFollowsPyTorch) {
  const Problem problem;
  SGD sgd(std::vector<ParamGroup>{{.params = {problem.W}}, {.params = {problem.b}, .lr = 0.01}},
          {.lr = 0.1, .momentum = 0.9});
  sgd.param_groups()[0].initial_lr = 0.2;
  problem.step(sgd);
  const OptimizerState state = sgd.state_dict();
  EXPECT_EQ(state.tensors.keys(), (std::vector<std::string>{"state.0.momentum_buffer", "state.1.momentum_buffer"}));
  const json j = json::parse(state.json);
  EXPECT_EQ(j.at("optimizer"), "SGD");
  EXPECT_EQ(j.at("param_groups").size(), 2u);
  EXPECT_EQ(j["param_groups"][0].at("params"), json::array({0}));
  EXPECT_EQ(j["param_groups"][1].at("params"), json::array({1}));
  EXPECT_EQ(j["param_groups"][0].at("lr"), 0.1);
  EXPECT_EQ(j["param_groups"][0].at("initial_lr"), 0.2);
  EXPECT_FALSE(j["param_groups"][1].contains("initial_lr"));
  EXPECT_EQ(j["param_groups"][1].at("lr"), 0.01);
  EXPECT_EQ(j["param_groups"][1].at("momentum"), 0.9);
  EXPECT_EQ(j.at("state").at("0").at("step"), 0);  // SGD does not count steps
  // The tensors are the optimizer's buffers, as in PyTorch (a checkpoint writes them out at once).
  problem.step(sgd);
  EXPECT_TRUE(sgd.state_dict().tensors["state.1.momentum_buffer"].is_same(state.tensors["state.1.momentum_buffer"]));
}

// Trains `steps` steps, checkpoints, then continues both the original and a restored copy (a new
// optimizer over new parameters with the checkpoint's values, built with different options, which
// the checkpoint overrides): both must follow exactly the same trajectory.
void expect_round_trip(const std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>, double lr)>& make,
                       double lr) {
  const Problem original;
  const std::unique_ptr<Optimizer> optimizer = make(original.params(), lr);
  optimizer->param_groups()[0].initial_lr = lr;
  for (int i = 0; i < 4; ++i) original.step(*optimizer);
  const OptimizerState checkpoint = optimizer->state_dict();

  const Problem restored;
  {
    accel::NoGradGuard no_grad;
    restored.W.copy_(original.W);
    restored.b.copy_(original.b);
  }
  const std::unique_ptr<Optimizer> resumed = make(restored.params(), lr * 3);
  resumed->load_state_dict(checkpoint);
  EXPECT_EQ(resumed->param_groups()[0].lr, lr);
  EXPECT_EQ(resumed->param_groups()[0].initial_lr, lr);
  EXPECT_EQ(resumed->state_dict().json, checkpoint.json);
  for (int i = 0; i < 6; ++i) {
    original.step(*optimizer);
    restored.step(*resumed);
    EXPECT_EQ(restored.W.to_vector<double>(), original.W.to_vector<double>()) << "step " << i;
    EXPECT_EQ(restored.b.to_vector<double>(), original.b.to_vector<double>()) << "step " << i;
  }
}

TEST(StateDict, RoundTripContinuesTheTrajectory) {
  expect_round_trip([](auto p, double lr) { return std::make_unique<SGD>(p, SGDOptions{.lr = lr, .momentum = 0.9, .nesterov = true}); }, 0.1);
  expect_round_trip([](auto p, double lr) { return std::make_unique<Adam>(p, AdamOptions{.lr = lr, .amsgrad = true}); }, 0.05);
  expect_round_trip([](auto p, double lr) { return std::make_unique<AdamW>(p, AdamWOptions{.lr = lr}); }, 0.05);
  expect_round_trip([](auto p, double lr) { return std::make_unique<RMSprop>(p, RMSpropOptions{.lr = lr, .momentum = 0.5, .centered = true}); }, 0.01);
  expect_round_trip([](auto p, double lr) { return std::make_unique<Adagrad>(p, AdagradOptions{.lr = lr, .lr_decay = 0.1}); }, 0.1);
}

TEST(StateDict, LoadCopiesTheTensors) {
  const Problem problem;
  Adam adam(problem.params(), {.lr = 0.1});
  problem.step(adam);
  OptimizerState checkpoint = adam.state_dict();
  Adam restored(problem.params());
  restored.load_state_dict(checkpoint);
  checkpoint.tensors["state.0.exp_avg"].zero_();  // the live buffer of `adam`
  EXPECT_NE(restored.state_dict().tensors["state.0.exp_avg"].to_vector<double>(), std::vector<double>(12, 0.0));
}

TEST(StateDict, LoadErrorsLeaveTheOptimizerUnchanged) {
  const Problem problem;
  SGD sgd(problem.params(), {.lr = 0.1, .momentum = 0.9});
  problem.step(sgd);
  const OptimizerState saved = sgd.state_dict();

  SGD target(problem.params(), {.lr = 0.3, .momentum = 0.9});
  const std::string before = target.state_dict().json;
  auto with_json = [&](const std::function<void(json&)>& edit) {
    json j = json::parse(saved.json);
    edit(j);
    return OptimizerState{saved.tensors, j.dump()};
  };

  expect_error([&] { Adam(problem.params()).load_state_dict(saved); }, "the state is from SGD, not Adam");
  expect_error([&] { target.load_state_dict({saved.tensors, "{not json"}); }, "does not parse");
  expect_error([&] { SGD({problem.W}, {.momentum = 0.9}).load_state_dict(saved); }, "group 0 has 1 parameters, the state 2");
  expect_error([&] { SGD(std::vector<ParamGroup>{{.params = {problem.W}}, {.params = {problem.b}}}).load_state_dict(saved); },
               "has 2 parameter groups, the state 1");
  const Tensor W_t = accel::zeros({4, 3}, {.dtype = accel::kFloat64}).requires_grad_();
  expect_error([&] { SGD({W_t, problem.b}, {.momentum = 0.9}).load_state_dict(saved); },
               "'state.0.momentum_buffer' has shape [3, 4] but the parameter has shape [4, 3]");
  expect_error([&] { target.load_state_dict(with_json([](json& j) { j["param_groups"][0]["betas"] = 0.9; })); },
               "option 'betas', which SGD does not know");
  expect_error([&] { target.load_state_dict(with_json([](json& j) { j["param_groups"][0].erase("momentum"); })); },
               "has no number 'momentum'");
  expect_error([&] { target.load_state_dict(with_json([](json& j) { j["param_groups"][0]["lr"] = -1; })); },
               "SGD: invalid learning rate -1");
  expect_error([&] { target.load_state_dict(with_json([](json& j) { j["state"]["7"] = {{"step", 1}}; })); },
               "state of parameter 7, which no group lists");
  OptimizerState extra = saved;
  extra.tensors.insert("momentum_buffer", accel::zeros({3, 4}, {.dtype = accel::kFloat64}));
  expect_error([&] { target.load_state_dict(extra); }, "unexpected tensor 'momentum_buffer'");
  EXPECT_EQ(target.state_dict().json, before);
  EXPECT_TRUE(target.state_dict().tensors.empty());
}

// A path in the temporary directory, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               (name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                std::to_string(reinterpret_cast<uintptr_t>(this)) + ".safetensors"))
                  .string()) {}
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(StateDict, SaveAndLoadAFile) {
  const TempFile file("accel-optim-state");
  const Problem original;
  RMSprop optimizer(original.params(), {.lr = 0.01, .momentum = 0.5, .centered = true});
  for (int i = 0; i < 3; ++i) original.step(optimizer);
  optimizer.save(file.path());
  EXPECT_EQ(accel::load(file.path()).keys(), optimizer.state_dict().tensors.keys());

  const Problem restored;
  {
    accel::NoGradGuard no_grad;
    restored.W.copy_(original.W);
    restored.b.copy_(original.b);
  }
  RMSprop resumed(restored.params());
  resumed.load(file.path());
  for (int i = 0; i < 3; ++i) {
    original.step(optimizer);
    restored.step(resumed);
  }
  EXPECT_EQ(restored.W.to_vector<double>(), original.W.to_vector<double>());
  EXPECT_EQ(restored.b.to_vector<double>(), original.b.to_vector<double>());
}

TEST(StateDict, LoadingAFileWithoutOptimizerStateIsAnError) {
  const TempFile file("accel-optim-weights");
  const Problem problem;
  accel::save(accel::StateDict{{"weight", problem.W.detach()}}, file.path());
  SGD sgd(problem.params());
  expect_error([&] { sgd.load(file.path()); }, "holds no optimizer state (no metadata entry 'optimizer')");
  expect_error([&] { sgd.load(file.path() + ".missing"); }, ".missing");
}

}  // namespace
