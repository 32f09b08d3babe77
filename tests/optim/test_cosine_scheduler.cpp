// pytorch-accelerated's test/scheduler/test_cosine_scheduler.py, ported (same test names), plus
// the C++ port's own checks: the fixed warmup/cosine spans (docs/optim.md), state dict keys, the
// factory and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/optim/cosine_lr_scheduler.h>

#include "scheduler_testing.h"

namespace {

using namespace accel::optim;
using accel::optim::testing::NoOpOptimizer;
using accel::optim::testing::RunConfig;

NoOpOptimizer create_optimizer(double lr_1, double lr_2) { return NoOpOptimizer({lr_1, lr_2}); }

struct GroupLrs {
  std::vector<double> group_1, group_2;
};

// step(), then read the lrs, num_epochs * num_steps_per_epoch times.
GroupLrs collect_lrs_for_scheduler(CosineLrScheduler& scheduler, int num_epochs, int num_steps_per_epoch) {
  GroupLrs lrs;
  for (int i = 0; i < num_epochs * num_steps_per_epoch; ++i) {
    scheduler.step();
    lrs.group_1.push_back(scheduler.optimizer().param_groups()[0].lr);
    lrs.group_2.push_back(scheduler.optimizer().param_groups()[1].lr);
  }
  return lrs;
}

double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }
double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
std::vector<double> last(const std::vector<double>& v, size_t n) { return {v.end() - n, v.end()}; }

TEST(CosineScheduler, test_lr_maxes_equal) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 300, 10);
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 300, 10);
  EXPECT_EQ(lrs.group_1[0], 0.01);
  EXPECT_EQ(max_of(lrs.group_1), 0.01);
  EXPECT_EQ(lrs.group_2[0], 0.002);
  EXPECT_EQ(max_of(lrs.group_2), 0.002);
}

TEST(CosineScheduler, test_lr_mins_at_schedule_end) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 1, 10, {.lr_min = 1e-4});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1, 11);
  EXPECT_EQ(lrs.group_1.back(), 1e-4);
  EXPECT_EQ(min_of(lrs.group_1), 1e-4);
  EXPECT_EQ(lrs.group_2.back(), 1e-4);
  EXPECT_EQ(min_of(lrs.group_2), 1e-4);
}

TEST(CosineScheduler, test_lr_min_ratio_at_schedule_end) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 1, 10, {.min_lr_ratio = 0.5});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1, 11);
  EXPECT_EQ(lrs.group_1.back(), 0.5 * 0.01);
  EXPECT_EQ(min_of(lrs.group_1), 0.5 * 0.01);
  EXPECT_EQ(lrs.group_2.back(), 0.5 * 0.002);
  EXPECT_EQ(min_of(lrs.group_2), 0.5 * 0.002);
}

TEST(CosineScheduler, test_cooldown_epochs_at_lr_min) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10, {.lr_min = 1e-6, .num_cooldown_epochs = 2});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  EXPECT_EQ(last(lrs.group_1, 20), std::vector<double>(20, 1e-6));
  EXPECT_EQ(last(lrs.group_2, 20), std::vector<double>(20, 1e-6));
}

TEST(CosineScheduler, test_warmup) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10, {.num_warmup_epochs = 2, .warmup_starting_lr = 1e-6});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  EXPECT_EQ(lrs.group_1[0], 1e-6);
  EXPECT_EQ(lrs.group_2[0], 1e-6);
  EXPECT_EQ(lrs.group_1[20], max_of(lrs.group_1));
  EXPECT_EQ(lrs.group_2[20], max_of(lrs.group_2));
}

TEST(CosineScheduler, test_warmup_from_ratio) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10, {.num_warmup_epochs = 2, .warmup_starting_lr_ratio = 0.01});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  EXPECT_EQ(lrs.group_1[0], 0.01 * 0.01);
  EXPECT_EQ(lrs.group_2[0], 0.01 * 0.002);
  EXPECT_EQ(lrs.group_1[20], max_of(lrs.group_1));
  EXPECT_EQ(lrs.group_2[20], max_of(lrs.group_2));
}

TEST(CosineScheduler, test_warmup_and_cooldown) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(
      optimizer, 10, 10,
      {.lr_min = 1e-6, .num_warmup_epochs = 2, .warmup_starting_lr = 1e-6, .num_cooldown_epochs = 2});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  EXPECT_EQ(lrs.group_1[0], 1e-6);
  EXPECT_EQ(lrs.group_2[0], 1e-6);
  EXPECT_EQ(lrs.group_1[20], max_of(lrs.group_1));
  EXPECT_EQ(lrs.group_2[20], max_of(lrs.group_2));
  EXPECT_EQ(last(lrs.group_1, 20), std::vector<double>(20, 1e-6));
  EXPECT_EQ(last(lrs.group_2, 20), std::vector<double>(20, 1e-6));
}

TEST(CosineScheduler, test_can_restore_scheduler_state) {
  const CosineLrSchedulerOptions options = {
      .lr_min = 1e-6, .num_warmup_epochs = 2, .warmup_starting_lr = 1e-6, .num_cooldown_epochs = 2};
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10, options);
  scheduler.step();
  const std::string scheduler_state = scheduler.state_dict();
  const OptimizerState optimizer_state = optimizer.state_dict();
  scheduler.step();
  const std::vector<double> expected = optimizer.lrs();

  optimizer.load_state_dict(optimizer_state);
  CosineLrScheduler new_scheduler(optimizer, 10, 10, options);
  new_scheduler.load_state_dict(scheduler_state);
  new_scheduler.step();
  EXPECT_EQ(optimizer.lrs(), expected);
  EXPECT_EQ(expected, (std::vector<double>{0.0005009500000000001, 0.00010094999999999999}));
}

// The port's fix: with a warmup, the cosine runs from the end of the warmup to the start of the
// cooldown (T - W - C steps) and reaches the minimum there; the original cut it short.
TEST(CosineScheduler, CosineSpansTheStepsBetweenWarmupAndCooldown) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10,
                              {.lr_min = 1e-4, .num_warmup_epochs = 2, .num_cooldown_epochs = 3});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  // Cosine over n in [20, 70): at its middle the lr is halfway between max and min.
  EXPECT_NEAR(lrs.group_1[45], 1e-4 + 0.5 * (0.01 - 1e-4), 1e-15);
  EXPECT_NEAR(lrs.group_1[69], 1e-4 + 0.5 * (0.01 - 1e-4) * (1 + std::cos(std::numbers::pi * 49 / 50)), 1e-15);
  EXPECT_GT(lrs.group_1[69], 1e-4);
  EXPECT_EQ(last(lrs.group_1, 30), std::vector<double>(30, 1e-4));
  for (size_t n = 21; n < 70; ++n) EXPECT_LT(lrs.group_1[n], lrs.group_1[n - 1]) << n;
}

// The port's fix: a warmup ratio starts each group at ratio * its lr (also before the first step)
// and rises linearly to its lr.
TEST(CosineScheduler, WarmupRatioStartsAndSlopesPerGroup) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 10, 10, {.num_warmup_epochs = 2, .warmup_starting_lr_ratio = 0.1});
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.1 * 0.01, 0.1 * 0.002}));
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 10, 10);
  for (int n = 0; n < 20; ++n) {
    EXPECT_NEAR(lrs.group_1[n], 0.001 + n * (0.009 / 20), 1e-15) << n;
    EXPECT_NEAR(lrs.group_2[n], 0.0002 + n * (0.0018 / 20), 1e-15) << n;
  }
  EXPECT_EQ(lrs.group_1[20], 0.01);
  EXPECT_EQ(lrs.group_2[20], 0.002);
}

TEST(CosineScheduler, KDecayKeepsTheLrHighForLonger) {
  NoOpOptimizer plain_optimizer = create_optimizer(0.01, 0.002);
  NoOpOptimizer k_optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler plain(plain_optimizer, 1, 10, {.lr_min = 0});
  CosineLrScheduler k_decay(k_optimizer, 1, 10, {.k_decay = 2.0, .lr_min = 0});
  const GroupLrs a = collect_lrs_for_scheduler(plain, 1, 10);
  const GroupLrs b = collect_lrs_for_scheduler(k_decay, 1, 10);
  EXPECT_NEAR(b.group_1[5], 0.5 * 0.01 * (1 + std::cos(std::numbers::pi * 25 / 100)), 1e-15);
  for (int n = 1; n < 10; ++n) EXPECT_GT(b.group_1[n], a.group_1[n]) << n;
}

TEST(CosineScheduler, StateDictHasTheOriginalKeys) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  CosineLrScheduler scheduler(optimizer, 3, 4, {.min_lr_ratio = 0.1, .num_warmup_epochs = 1});
  scheduler.step();
  const nlohmann::json state = nlohmann::json::parse(scheduler.state_dict());
  EXPECT_EQ(state, nlohmann::json::parse(R"({"total_iterations": 12, "lr_min_ratio": 0.1, "lr_min": 1e-06,
      "warmup_iterations": 4, "warmup_lr_init": 1e-06, "warmup_lr_ratio": null, "k_decay": 1.0,
      "num_cooldown_iterations": 0, "num_updates": 0})"));
  EXPECT_THROW(scheduler.load_state_dict(R"({"num_updates": 3})"), accel::Error);  // the other keys are required
}

TEST(CosineScheduler, CreateSchedulerFnReadsTheRunConfig) {
  const std::function<std::unique_ptr<Scheduler>(Optimizer&, const RunConfig&)> create =
      CosineLrScheduler::create_scheduler_fn({.lr_min = 0, .num_cooldown_epochs = 1});
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  // Two processes: 8 updates per epoch in all, 4 in each process; 3 epochs.
  const std::unique_ptr<Scheduler> scheduler = create(optimizer, {.num_epochs = 3, .num_update_steps_per_epoch = 8,
                                                                  .num_local_update_steps_per_epoch = 4});
  const nlohmann::json state = nlohmann::json::parse(scheduler->state_dict());
  EXPECT_EQ(state["total_iterations"], 12);
  EXPECT_EQ(state["num_cooldown_iterations"], 4);

  const auto fixed = CosineLrScheduler::create_scheduler_fn({}, 5, 2);
  const std::unique_ptr<Scheduler> other = fixed(optimizer, RunConfig{3, 8, 4});
  EXPECT_EQ(nlohmann::json::parse(other->state_dict())["total_iterations"], 10);
}

TEST(CosineScheduler, BadArgumentsThrow) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  EXPECT_THROW(CosineLrScheduler(optimizer, 0, 10), accel::Error);
  EXPECT_THROW(CosineLrScheduler(optimizer, 10, 0), accel::Error);
  EXPECT_THROW(CosineLrScheduler(optimizer, 10, 10, {.lr_min = -1e-6}), accel::Error);
  EXPECT_THROW(CosineLrScheduler(optimizer, 10, 10, {.num_warmup_epochs = -1}), accel::Error);
}

}  // namespace
