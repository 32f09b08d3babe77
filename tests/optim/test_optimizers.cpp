// The optimizers against PyTorch: every case of tests/data/golden/optim.json (each optimizer and
// option set, 10 steps, parameters compared after every step to 1e-6 relative), the typed options
// structs against the same trajectories, and option validation.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <accel/optim/adagrad.h>
#include <accel/optim/adam.h>
#include <accel/optim/adamw.h>
#include <accel/optim/rmsprop.h>
#include <accel/optim/sgd.h>

#include "optim_problem.h"

namespace {

using accel::Tensor;
using namespace accel::optim;
using optim_test::json;
using optim_test::Problem;
using optim_test::expect_error;

const json& golden_case(const std::string& name) {
  for (const json& c : optim_test::golden().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no golden case " + name);
}

accel::OrderedDict<double> options_of(const json& options, accel::OrderedDict<double> base = {}) {
  for (const auto& [name, value] : options.items()) base.set(name, value.get<double>());
  return base;
}

// The optimizer built from the case through the generic path: param groups with named options.
std::unique_ptr<Optimizer> make_optimizer(const json& c, const Problem& problem) {
  const std::vector<Tensor> params = problem.params();
  const double lr = c.contains("lr") ? c["lr"].get<double>() : std::nan("");
  const accel::OrderedDict<double> options = options_of(c.at("options"));
  std::vector<ParamGroup> groups;
  if (!c.contains("groups")) {
    groups.push_back({.params = params, .lr = lr, .options = options});
  } else {
    for (const json& g : c["groups"]) {
      ParamGroup group{.params = {}, .lr = g.contains("lr") ? g["lr"].get<double>() : lr,
                       .options = options_of(g.value("options", json::object()), options)};
      for (const json& index : g.at("params")) group.params.push_back(params.at(index.get<size_t>()));
      groups.push_back(std::move(group));
    }
  }
  const std::string type = c.at("optimizer");
  if (type == "SGD") return std::make_unique<SGD>(std::move(groups));
  if (type == "Adam") return std::make_unique<Adam>(std::move(groups));
  if (type == "AdamW") return std::make_unique<AdamW>(std::move(groups));
  if (type == "RMSprop") return std::make_unique<RMSprop>(std::move(groups));
  if (type == "Adagrad") return std::make_unique<Adagrad>(std::move(groups));
  throw std::runtime_error("unknown optimizer " + type);
}

void expect_values(const Tensor& actual, const json& expected, const std::string& what) {
  const std::vector<double> got = actual.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const double want = expected[i].get<double>();
    EXPECT_NEAR(got[i], want, 1e-6 * std::abs(want) + 1e-12) << what << " element " << i;
  }
}

// Runs the golden case's steps with `optimizer` over `problem` and compares after every step.
void expect_trajectory(const std::string& name, const Problem& problem, Optimizer& optimizer) {
  const json& trajectory = golden_case(name).at("trajectory");
  ASSERT_EQ(trajectory.size(), optim_test::golden().at("steps").get<size_t>());
  for (size_t s = 0; s < trajectory.size(); ++s) {
    problem.step(optimizer);
    expect_values(problem.W, trajectory[s][0], name + " step " + std::to_string(s + 1) + " W");
    expect_values(problem.b, trajectory[s][1], name + " step " + std::to_string(s + 1) + " b");
  }
}

class GoldenTrajectory : public testing::TestWithParam<std::string> {};

TEST_P(GoldenTrajectory, MatchesPyTorchAfterEveryStep) {
  Problem problem;
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(golden_case(GetParam()), problem);
  EXPECT_EQ(optimizer->name(), golden_case(GetParam()).at("optimizer").get<std::string>());
  expect_trajectory(GetParam(), problem, *optimizer);
}

std::vector<std::string> golden_case_names() {
  std::vector<std::string> names;
  for (const json& c : optim_test::golden().at("cases")) names.push_back(c.at("name"));
  return names;
}

INSTANTIATE_TEST_SUITE_P(Optim, GoldenTrajectory, testing::ValuesIn(golden_case_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// The options structs carry PyTorch's defaults and map onto the same hyper-parameters.
TEST(OptimizerOptions, TypedOptionsFollowTheGoldenTrajectories) {
  struct Typed {
    std::string golden;
    std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)> make;
  };
  const std::vector<Typed> cases = {
      {"sgd_default_lr", [](auto p) { return std::make_unique<SGD>(std::move(p)); }},
      {"sgd_nesterov", [](auto p) { return std::make_unique<SGD>(std::move(p), SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true}); }},
      {"sgd_maximize", [](auto p) {
         return std::make_unique<SGD>(std::move(p), SGDOptions{.lr = 0.05, .momentum = 0.5, .weight_decay = 0.1, .maximize = true});
       }},
      {"adam_default_lr", [](auto p) { return std::make_unique<Adam>(std::move(p)); }},
      {"adam_amsgrad", [](auto p) { return std::make_unique<Adam>(std::move(p), AdamOptions{.lr = 0.2, .beta2 = 0.9, .amsgrad = true}); }},
      {"adamw", [](auto p) { return std::make_unique<AdamW>(std::move(p), AdamWOptions{.lr = 0.05}); }},
      {"rmsprop", [](auto p) { return std::make_unique<RMSprop>(std::move(p)); }},
      {"rmsprop_centered_momentum", [](auto p) {
         return std::make_unique<RMSprop>(std::move(p), RMSpropOptions{.momentum = 0.5, .centered = true});
       }},
      {"adagrad_lr_decay", [](auto p) { return std::make_unique<Adagrad>(std::move(p), AdagradOptions{.lr = 0.1, .lr_decay = 0.1}); }},
  };
  for (const Typed& c : cases) {
    SCOPED_TRACE(c.golden);
    Problem problem;
    const std::unique_ptr<Optimizer> optimizer = c.make(problem.params());
    expect_trajectory(c.golden, problem, *optimizer);
  }
}

TEST(OptimizerOptions, DefaultsListEveryHyperParameter) {
  Problem problem;
  EXPECT_EQ(SGD(problem.params()).defaults().keys(),
            (std::vector<std::string>{"lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"}));
  EXPECT_EQ(Adam(problem.params()).defaults().keys(),
            (std::vector<std::string>{"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize"}));
  EXPECT_EQ(AdamW(problem.params()).defaults()["weight_decay"], 0.01);
  EXPECT_EQ(Adam(problem.params()).defaults()["weight_decay"], 0.0);
  EXPECT_EQ(RMSprop(problem.params()).defaults().keys(),
            (std::vector<std::string>{"lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize"}));
  EXPECT_EQ(Adagrad(problem.params()).defaults().keys(),
            (std::vector<std::string>{"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"}));
  const RMSprop rmsprop(problem.params(), {.lr = 0.5, .centered = true});
  EXPECT_EQ(rmsprop.param_groups()[0].lr, 0.5);
  EXPECT_EQ(rmsprop.param_groups()[0].options["centered"], 1.0);
  EXPECT_EQ(rmsprop.param_groups()[0].options["alpha"], 0.99);
}

TEST(OptimizerOptions, InvalidValuesAreErrors) {
  const std::vector<Tensor> p = Problem().params();
  const double nan = std::nan("");
  expect_error([&] { SGD(p, {.lr = -0.1}); }, "SGD: invalid learning rate -0.1");
  expect_error([&] { SGD(p, {.lr = nan}); }, "SGD: invalid learning rate");
  expect_error([&] { SGD(p, {.momentum = -0.5}); }, "SGD: invalid momentum");
  expect_error([&] { SGD(p, {.weight_decay = -1}); }, "SGD: invalid weight_decay");
  expect_error([&] { SGD(p, {.nesterov = true}); }, "Nesterov momentum requires a momentum and zero dampening");
  expect_error([&] { SGD(p, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}); }, "zero dampening");
  expect_error([&] { Adam(p, {.lr = -1}); }, "Adam: invalid learning rate");
  expect_error([&] { Adam(p, {.beta1 = 1.0}); }, "Adam: invalid beta1 1");
  expect_error([&] { Adam(p, {.beta2 = -0.1}); }, "Adam: invalid beta2 -0.1");
  expect_error([&] { Adam(p, {.eps = -1e-8}); }, "Adam: invalid eps");
  expect_error([&] { Adam(p, {.weight_decay = -0.1}); }, "Adam: invalid weight_decay");
  expect_error([&] { AdamW(p, {.beta1 = 1.5}); }, "AdamW: invalid beta1 1.5");
  expect_error([&] { RMSprop(p, {.alpha = -0.1}); }, "RMSprop: invalid alpha");
  expect_error([&] { RMSprop(p, {.momentum = -0.1}); }, "RMSprop: invalid momentum");
  expect_error([&] { RMSprop(p, {.eps = -1}); }, "RMSprop: invalid eps");
  expect_error([&] { Adagrad(p, {.lr_decay = -0.1}); }, "Adagrad: invalid lr_decay");
  expect_error([&] { Adagrad(p, {.initial_accumulator_value = -1}); }, "Adagrad: invalid initial_accumulator_value");
  expect_error([&] { Adagrad(p, {.eps = -1}); }, "Adagrad: invalid eps");
}

TEST(OptimizerOptions, GroupOptionsAreCheckedToo) {
  const Problem problem;
  SGD sgd({problem.W}, {.lr = 0.1});
  expect_error([&] { sgd.add_param_group({.params = {problem.b}, .lr = -1}); }, "SGD: invalid learning rate -1");
  expect_error([&] { sgd.add_param_group({.params = {problem.b}, .options = {{"nesterov", 1}}}); }, "Nesterov");
  expect_error([&] { sgd.add_param_group({.params = {problem.b}, .options = {{"betas", 0.9}}}); },
               "unknown option 'betas' (known: momentum, dampening, weight_decay, nesterov, maximize)");
  expect_error([&] { sgd.add_param_group({.params = {problem.b}, .options = {{"lr", 0.1}}}); }, "ParamGroup::lr");
  EXPECT_EQ(sgd.param_groups().size(), 1u);
}

}  // namespace
