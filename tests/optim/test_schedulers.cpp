// PyTorch's learning-rate schedulers: every value against the reference PyTorch
// (tools/gen_scheduler_golden.py writes tests/data/golden/schedulers.json), plus state dicts and
// errors on bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/optim/lr_schedulers.h>
#include <accel/optim/one_cycle_lr.h>
#include <accel/optim/sequential_lr.h>

#include "scheduler_testing.h"

namespace {

using json = nlohmann::json;
using namespace accel::optim;
using accel::optim::testing::NoOpOptimizer;

std::string data_dir() {
  if (const char* env = std::getenv("ACCEL_TEST_DATA_DIR"); env && *env) return env;
  return ACCEL_TEST_DATA_DIR;
}

const json& golden_cases() {
  static const json cases = [] {
    const std::string path = data_dir() + "/golden/schedulers.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in).at("cases");
  }();
  return cases;
}

// The functions tools/gen_scheduler_golden.py names in LAMBDAS.
LambdaLR::Lambda lambda_named(const std::string& name) {
  if (name == "pow_0.95") return [](int64_t epoch) { return std::pow(0.95, static_cast<double>(epoch)); };
  if (name == "inverse") return [](int64_t epoch) { return 1.0 / static_cast<double>(epoch + 1); };
  throw std::runtime_error("unknown lambda " + name);
}

std::vector<double> doubles(const json& value) {
  return value.is_array() ? value.get<std::vector<double>>() : std::vector<double>{value.get<double>()};
}

std::shared_ptr<Scheduler> build(Optimizer& optimizer, const json& spec) {
  const std::string type = spec.at("type");
  const json& args = spec.at("args");
  if (type == "LambdaLR") {
    const json& names = args.at("lr_lambda");
    if (!names.is_array()) return std::make_shared<LambdaLR>(optimizer, lambda_named(names));
    std::vector<LambdaLR::Lambda> lambdas;
    for (const json& name : names) lambdas.push_back(lambda_named(name));
    return std::make_shared<LambdaLR>(optimizer, lambdas);
  }
  if (type == "StepLR") return std::make_shared<StepLR>(optimizer, args.at("step_size"), args.value("gamma", 0.1));
  if (type == "MultiStepLR")
    return std::make_shared<MultiStepLR>(optimizer, args.at("milestones").get<std::vector<int64_t>>(),
                                         args.value("gamma", 0.1));
  if (type == "ExponentialLR") return std::make_shared<ExponentialLR>(optimizer, args.at("gamma"));
  if (type == "CosineAnnealingLR")
    return std::make_shared<CosineAnnealingLR>(optimizer, args.at("T_max"), args.value("eta_min", 0.0));
  if (type == "LinearLR") {
    LinearLROptions options;
    options.start_factor = args.value("start_factor", options.start_factor);
    options.end_factor = args.value("end_factor", options.end_factor);
    options.total_iters = args.value("total_iters", options.total_iters);
    return std::make_shared<LinearLR>(optimizer, options);
  }
  if (type == "OneCycleLR") {
    OneCycleLROptions options;
    if (args.contains("total_steps")) options.total_steps = args["total_steps"].get<int64_t>();
    if (args.contains("epochs")) options.epochs = args["epochs"].get<int64_t>();
    if (args.contains("steps_per_epoch")) options.steps_per_epoch = args["steps_per_epoch"].get<int64_t>();
    options.pct_start = args.value("pct_start", options.pct_start);
    options.anneal_strategy = args.value("anneal_strategy", options.anneal_strategy);
    options.cycle_momentum = args.value("cycle_momentum", options.cycle_momentum);
    if (args.contains("base_momentum")) options.base_momentum = doubles(args["base_momentum"]);
    if (args.contains("max_momentum")) options.max_momentum = doubles(args["max_momentum"]);
    options.div_factor = args.value("div_factor", options.div_factor);
    options.final_div_factor = args.value("final_div_factor", options.final_div_factor);
    options.three_phase = args.value("three_phase", options.three_phase);
    return std::make_shared<OneCycleLR>(optimizer, doubles(args.at("max_lr")), options);
  }
  if (type == "SequentialLR") {
    std::vector<std::shared_ptr<LRScheduler>> children;
    for (const json& child : args.at("schedulers"))
      children.push_back(std::dynamic_pointer_cast<LRScheduler>(build(optimizer, child)));
    return std::make_shared<SequentialLR>(optimizer, children, args.at("milestones").get<std::vector<int64_t>>());
  }
  throw std::runtime_error("unknown scheduler " + type);
}

void expect_close(const std::vector<double>& actual, const json& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t g = 0; g < actual.size(); ++g) {
    const double e = expected[g].get<double>();
    EXPECT_NEAR(actual[g], e, 1e-12 * std::abs(e)) << what << ", group " << g;
  }
}

TEST(Schedulers, MatchPyTorch) {
  std::set<std::string> types;
  for (const json& c : golden_cases()) {
    const std::string name = c.at("name");
    SCOPED_TRACE(name);
    types.insert(c.at("scheduler").at("type").get<std::string>());
    const bool adam = c.at("optimizer") == "adam";
    const std::string momentum = adam ? "beta1" : "momentum";
    NoOpOptimizer optimizer(c.at("group_lrs").get<std::vector<double>>(),
                            adam ? accel::OrderedDict<double>{{"beta1", 0.9}, {"beta2", 0.999}}
                                 : accel::OrderedDict<double>{{"momentum", 0.9}});
    std::shared_ptr<Scheduler> scheduler = build(optimizer, c.at("scheduler"));
    const json& lrs = c.at("lrs");
    const json& momenta = c.at("momentum");
    for (size_t step = 0; step < lrs.size(); ++step) {
      if (step > 0) scheduler->step();
      expect_close(optimizer.lrs(), lrs[step], "lr after step " + std::to_string(step));
      expect_close(optimizer.option(momentum), momenta[step], momentum + " after step " + std::to_string(step));
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                          "LinearLR", "OneCycleLR", "SequentialLR"}));
}

TEST(Schedulers, ConstructionRecordsInitialLrAndTakesFirstStep) {
  NoOpOptimizer optimizer({0.1, 0.01});
  StepLR first(optimizer, 2, 0.5);
  EXPECT_EQ(first.last_epoch(), 0);
  EXPECT_EQ(optimizer.param_groups()[0].initial_lr, 0.1);
  EXPECT_EQ(optimizer.param_groups()[1].initial_lr, 0.01);
  first.step();
  first.step();
  EXPECT_EQ(first.get_last_lr(), (std::vector<double>{0.05, 0.005}));
  EXPECT_EQ(first.get_last_lr(), optimizer.lrs());
  // A second scheduler keeps the recorded initial lr as its base (PyTorch's setdefault).
  ExponentialLR second(optimizer, 0.9);
  EXPECT_EQ(second.base_lrs(), (std::vector<double>{0.1, 0.01}));
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.05, 0.005}));
}

TEST(Schedulers, StateDictRestoresPosition) {
  NoOpOptimizer optimizer({0.1, 0.01});
  CosineAnnealingLR scheduler(optimizer, 10, 0.001);
  for (int i = 0; i < 4; ++i) scheduler.step();
  const std::string state = scheduler.state_dict();
  const accel::optim::OptimizerState optimizer_state = optimizer.state_dict();
  scheduler.step();
  const std::vector<double> expected = optimizer.lrs();

  NoOpOptimizer restored_optimizer({0.1, 0.01});
  CosineAnnealingLR restored(restored_optimizer, 3);  // the state's T_max and eta_min win
  restored_optimizer.load_state_dict(optimizer_state);
  restored.load_state_dict(state);
  EXPECT_EQ(restored.last_epoch(), 4);
  restored.step();
  EXPECT_EQ(restored_optimizer.lrs(), expected);
  EXPECT_EQ(restored.get_last_lr(), expected);
}

TEST(Schedulers, SequentialLRStateDictNestsSchedulers) {
  auto make = [](NoOpOptimizer& optimizer) {
    auto warmup = std::make_shared<LinearLR>(optimizer, LinearLROptions{.start_factor = 0.1, .total_iters = 3});
    auto decay = std::make_shared<ExponentialLR>(optimizer, 0.9);
    return std::make_unique<SequentialLR>(optimizer, std::vector<std::shared_ptr<LRScheduler>>{warmup, decay},
                                          std::vector<int64_t>{3});
  };
  NoOpOptimizer optimizer({0.1});
  auto scheduler = make(optimizer);
  for (int i = 0; i < 5; ++i) scheduler->step();
  const std::string state = scheduler->state_dict();
  EXPECT_EQ(json::parse(state).at("_schedulers").size(), 2u);
  const accel::optim::OptimizerState optimizer_state = optimizer.state_dict();
  scheduler->step();
  const std::vector<double> expected = optimizer.lrs();

  NoOpOptimizer restored_optimizer({0.1});
  auto restored = make(restored_optimizer);
  restored_optimizer.load_state_dict(optimizer_state);
  restored->load_state_dict(state);
  EXPECT_EQ(restored->last_epoch(), 5);
  restored->step();
  EXPECT_EQ(restored_optimizer.lrs(), expected);
}

TEST(Schedulers, OneCycleLRRefusesToStepPastTotalSteps) {
  NoOpOptimizer optimizer({0.1}, {{"momentum", 0.9}});
  OneCycleLR scheduler(optimizer, 1.0, {.total_steps = 3});
  for (int i = 0; i < 3; ++i) scheduler.step();
  EXPECT_THROW(scheduler.step(), accel::Error);
}

TEST(Schedulers, BadArgumentsThrow) {
  NoOpOptimizer optimizer({0.1, 0.01});
  EXPECT_THROW(StepLR(optimizer, 0), accel::Error);
  EXPECT_THROW(CosineAnnealingLR(optimizer, 0), accel::Error);
  EXPECT_THROW(LinearLR(optimizer, {.start_factor = 0.0}), accel::Error);
  EXPECT_THROW(LinearLR(optimizer, {.start_factor = 1.5}), accel::Error);
  EXPECT_THROW(LinearLR(optimizer, {.end_factor = -0.1}), accel::Error);
  EXPECT_THROW(LinearLR(optimizer, {.total_iters = 0}), accel::Error);
  EXPECT_THROW(LambdaLR(optimizer, std::vector<LambdaLR::Lambda>{lambda_named("inverse")}), accel::Error);
  EXPECT_THROW(LambdaLR(optimizer, LambdaLR::Lambda{}), accel::Error);

  EXPECT_THROW(OneCycleLR(optimizer, 1.0), accel::Error);  // no length
  EXPECT_THROW(OneCycleLR(optimizer, 1.0, {.epochs = 2}), accel::Error);
  EXPECT_THROW(OneCycleLR(optimizer, 1.0, {.total_steps = 0}), accel::Error);
  EXPECT_THROW(OneCycleLR(optimizer, 1.0, {.total_steps = 10, .pct_start = 1.5}), accel::Error);
  EXPECT_THROW(OneCycleLR(optimizer, 1.0, {.total_steps = 10, .anneal_strategy = "exp"}), accel::Error);
  EXPECT_THROW(OneCycleLR(optimizer, {1.0, 2.0, 3.0}, {.total_steps = 10}), accel::Error);
  // A first phase of no steps (PyTorch divides by zero there).
  EXPECT_THROW(OneCycleLR(optimizer, 1.0, {.total_steps = 10, .pct_start = 0.1}), accel::Error);
  NoOpOptimizer no_momentum({0.1}, {{"weight_decay", 0.0}});
  EXPECT_THROW(OneCycleLR(no_momentum, 1.0, {.total_steps = 10}), accel::Error);
  EXPECT_NO_THROW(OneCycleLR(no_momentum, 1.0, {.total_steps = 10, .cycle_momentum = false}));

  NoOpOptimizer other({0.1});
  auto mine = std::make_shared<ExponentialLR>(optimizer, 0.9);
  auto theirs = std::make_shared<ExponentialLR>(other, 0.9);
  EXPECT_THROW(SequentialLR(optimizer, {mine, theirs}, {2}), accel::Error);
  EXPECT_THROW(SequentialLR(optimizer, {mine, mine}, {}), accel::Error);
  EXPECT_THROW(SequentialLR(optimizer, {mine, mine, mine}, {4, 2}), accel::Error);
  EXPECT_THROW(SequentialLR(optimizer, {}, {}), accel::Error);
}

TEST(Schedulers, BadStateDictThrows) {
  NoOpOptimizer optimizer({0.1, 0.01});
  StepLR scheduler(optimizer, 2);
  EXPECT_THROW(scheduler.load_state_dict("not json"), accel::Error);
  EXPECT_THROW(scheduler.load_state_dict("[1, 2]"), accel::Error);
  EXPECT_THROW(scheduler.load_state_dict(R"({"last_epoch": "three"})"), accel::Error);
  EXPECT_THROW(scheduler.load_state_dict(R"({"base_lrs": [0.1]})"), accel::Error);
  EXPECT_THROW(scheduler.load_state_dict(R"({"step_size": 0})"), accel::Error);
  EXPECT_NO_THROW(scheduler.load_state_dict(R"({"gamma": 0.5})"));
}

}  // namespace
