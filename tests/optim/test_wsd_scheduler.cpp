// pytorch-accelerated's test/scheduler/test_wsd_scheduler.py, ported (same test names; the
// original's first, shadowed test_wsd_continuation_validation never ran and is not ported), plus
// the C++ port's own checks of the fixed behaviour (docs/optim.md), the factory and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/optim/wsd_lr_scheduler.h>

#include "scheduler_testing.h"

namespace {

using namespace accel::optim;
using accel::optim::testing::NoOpOptimizer;
using accel::optim::testing::RunConfig;

NoOpOptimizer create_optimizer(double lr_1, double lr_2) { return NoOpOptimizer({lr_1, lr_2}); }

struct GroupLrs {
  std::vector<double> group_1, group_2;
};

// num_steps + 1 calls of step(), so that index n holds the lr at update n.
GroupLrs collect_lrs_for_scheduler(WSDLrScheduler& scheduler, int64_t num_steps) {
  GroupLrs lrs;
  for (int64_t i = 0; i <= num_steps; ++i) {
    scheduler.step();
    lrs.group_1.push_back(scheduler.optimizer().param_groups()[0].lr);
    lrs.group_2.push_back(scheduler.optimizer().param_groups()[1].lr);
  }
  return lrs;
}

bool non_increasing(const std::vector<double>& lrs, size_t begin, size_t end) {
  for (size_t i = begin + 1; i < end; ++i)
    if (lrs[i] > lrs[i - 1]) return false;
  return true;
}

bool geometric(const std::vector<int64_t>& checkpoints) {
  std::vector<double> ratios;
  for (size_t i = 1; i < checkpoints.size(); ++i)
    ratios.push_back(static_cast<double>(checkpoints[i]) / static_cast<double>(checkpoints[i - 1]));
  for (size_t i = 1; i < ratios.size(); ++i)
    if (std::abs(ratios[i] - ratios[i - 1]) >= 0.1) return false;
  return true;
}

TEST(WSDScheduler, test_wsd_decay_info_single_checkpoint) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.1, .num_checkpoints = 1});
  EXPECT_EQ(scheduler.get_decay_info(), (std::vector<WSDPeriod>{{0, 100, 10, 90}}));
}

TEST(WSDScheduler, test_wsd_decay_info_multiple_checkpoints) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.1, .num_checkpoints = 3});
  const std::vector<WSDPeriod>& info = scheduler.get_decay_info();
  const std::vector<int64_t>& checkpoints = scheduler.get_checkpoint_steps();
  ASSERT_EQ(info.size(), checkpoints.size());
  for (size_t i = 0; i < info.size(); ++i) {
    const int64_t start = i == 0 ? 0 : checkpoints[i - 1];
    const auto decay_steps = static_cast<int64_t>(static_cast<double>(checkpoints[i] - start) * 0.1);
    EXPECT_EQ(info[i], (WSDPeriod{start, checkpoints[i], decay_steps, checkpoints[i] - decay_steps}));
    if (i > 0) {
      EXPECT_EQ(info[i - 1].period_end, info[i].period_start);
      EXPECT_LT(info[i - 1].period_end, info[i].pre_decay_step);
    }
  }
  EXPECT_EQ(info, (std::vector<WSDPeriod>{{0, 25, 2, 23}, {25, 50, 2, 48}, {50, 100, 5, 95}}));
}

TEST(WSDScheduler, test_wsd_info_consistency) {
  for (int64_t num_checkpoints : {1, 3}) {
    NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
    WSDLrScheduler scheduler(optimizer,
                             {.total_steps = 100, .decay_phase_ratio = 0.1, .num_checkpoints = num_checkpoints});
    for (const WSDPeriod& period : scheduler.get_decay_info()) {
      const int64_t length = period.period_end - period.period_start;
      for (int64_t step : {period.period_start, period.period_start + length / 2, period.period_end - 1})
        EXPECT_EQ(scheduler.checkpoint_info(step), std::make_pair(length, step - period.period_start)) << step;
    }
  }
}

TEST(WSDScheduler, test_wsd_continuation_info_consistency) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler initial(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.1, .num_checkpoints = 3});
  const std::string state = initial.state_dict();
  WSDLrScheduler continued(optimizer, {.total_steps = 50, .decay_phase_ratio = 0.1, .num_checkpoints = 3,
                                       .is_continuation_from_checkpoint = true});
  continued.load_state_dict(state);
  for (const WSDPeriod& period : continued.get_decay_info()) {
    const int64_t step = (period.period_start + period.period_end) / 2;
    const auto [length, into] = continued.checkpoint_info(step);
    EXPECT_EQ(length, period.period_end - period.period_start);
    EXPECT_EQ(into, step - period.period_start);
    EXPECT_EQ(period.decay_steps,
              static_cast<int64_t>(static_cast<double>(length) * continued.decay_phase_ratio()));
  }
}

TEST(WSDScheduler, test_wsd_stable_phase) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_checkpoints = 2});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1000);
  const std::vector<int64_t>& checkpoints = scheduler.get_checkpoint_steps();
  for (size_t i = 0; i + 1 < checkpoints.size(); ++i) {
    const int64_t start = i == 0 ? 0 : checkpoints[i - 1];
    const int64_t middle = start + (checkpoints[i] - start) / 2;
    EXPECT_EQ(lrs.group_1[middle], 0.01);
    EXPECT_EQ(lrs.group_2[middle], 0.002);
  }
}

TEST(WSDScheduler, test_wsd_warmup) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_warmup_steps = std::nullopt,
                                       .warmup_starting_lr = 1e-6, .num_checkpoints = 2});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1000);
  EXPECT_EQ(scheduler.num_warmup_steps(), 10);
  EXPECT_EQ(lrs.group_1[0], 1e-6);
  EXPECT_EQ(lrs.group_2[0], 1e-6);
  EXPECT_EQ(lrs.group_1[10], 0.01);
  EXPECT_EQ(lrs.group_2[10], 0.002);
}

double calculate_scale(double relative_step, double lr_min) {
  return lr_min + (1 - lr_min) * (1 - std::sqrt(std::min(relative_step, 1.0)));
}

TEST(WSDScheduler, test_wsd_decay) {
  const int64_t num_steps = 1000;
  const double lr_min = 1e-6;
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = num_steps, .decay_phase_ratio = 0.1, .lr_min = lr_min,
                                       .use_inverse_sqrt_decay = true, .num_checkpoints = 3});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, num_steps);
  const std::vector<int64_t>& checkpoints = scheduler.get_checkpoint_steps();
  EXPECT_EQ(checkpoints, (std::vector<int64_t>{250, 500, 1000}));
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const int64_t start = i == 0 ? 0 : checkpoints[i - 1];
    const auto decay_steps = static_cast<int64_t>(static_cast<double>(checkpoints[i] - start) * 0.1);
    const int64_t decay_start = checkpoints[i] - decay_steps;
    EXPECT_NEAR(lrs.group_1[decay_start - 1], 0.01, 0.01 * 1e-5);
    EXPECT_NEAR(lrs.group_2[decay_start - 1], 0.002, 0.002 * 1e-5);
    for (int64_t step : {decay_start, decay_start + decay_steps / 2, std::min(checkpoints[i] - 1, num_steps - 1)}) {
      const double scale =
          calculate_scale(static_cast<double>(step - decay_start) / static_cast<double>(decay_steps), lr_min);
      EXPECT_NEAR(lrs.group_1[step], 0.01 * scale, 0.01 * scale * 1e-5) << step;
      EXPECT_NEAR(lrs.group_2[step], 0.002 * scale, 0.002 * scale * 1e-5) << step;
    }
    EXPECT_TRUE(non_increasing(lrs.group_1, decay_start, std::min(checkpoints[i], num_steps)));
  }
}

TEST(WSDScheduler, test_wsd_resume_from_checkpoint) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_checkpoints = 2});
  scheduler.step();
  const std::string scheduler_state = scheduler.state_dict();
  const OptimizerState optimizer_state = optimizer.state_dict();
  scheduler.step();
  const std::vector<double> expected = optimizer.lrs();

  optimizer.load_state_dict(optimizer_state);
  WSDLrScheduler new_scheduler(optimizer, {.total_steps = 1000, .num_checkpoints = 2});
  new_scheduler.load_state_dict(scheduler_state);
  new_scheduler.step();
  EXPECT_EQ(optimizer.lrs(), expected);
}

TEST(WSDScheduler, test_wsd_decay_formulas) {
  for (const auto& [lr_max, lr_min_ratio] :
       std::vector<std::pair<double, double>>{{1.0, 0.1}, {0.01, 0.1}, {0.001, 0.1}, {0.1, 0.01}, {0.01, 0.01}}) {
    SCOPED_TRACE(lr_max);
    NoOpOptimizer optimizer = create_optimizer(lr_max, lr_max);
    WSDLrScheduler scheduler(optimizer,
                             {.total_steps = 1000, .decay_phase_ratio = 0.1, .lr_min = lr_min_ratio, .num_checkpoints = 2});
    const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1000);
    const int64_t first_checkpoint = scheduler.get_checkpoint_steps()[0];
    const auto decay_steps = static_cast<int64_t>(static_cast<double>(first_checkpoint) * 0.1);
    EXPECT_GE(*std::min_element(lrs.group_1.begin(), lrs.group_1.end()), lr_max * lr_min_ratio);
    EXPECT_TRUE(non_increasing(lrs.group_1, first_checkpoint - decay_steps, first_checkpoint));
    EXPECT_LT(lrs.group_1[first_checkpoint - 1], lr_max);  // the slice does decay
  }
}

TEST(WSDScheduler, test_wsd_invalid_configurations) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 1000, .decay_phase_ratio = 1.5}), accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 0}), accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 1000, .lr_min = -0.1}), accel::Error);
}

TEST(WSDScheduler, test_wsd_checkpoint_spacing) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_checkpoints = 3});
  EXPECT_TRUE(geometric(scheduler.get_checkpoint_steps()));
}

TEST(WSDScheduler, test_wsd_warmup_edge_cases) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler no_warmup(optimizer, {.total_steps = 1000, .num_warmup_steps = 0});
  no_warmup.step();
  EXPECT_EQ(optimizer.param_groups()[0].lr, 0.01);

  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_warmup_steps = 1000, .warmup_starting_lr = 1e-8});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 1000);
  EXPECT_EQ(lrs.group_1[0], 1e-8);
  EXPECT_LE(*std::max_element(lrs.group_1.begin(), lrs.group_1.end()), 0.01);
  EXPECT_GT(lrs.group_1[250], lrs.group_1[0]);
  EXPECT_LT(lrs.group_1[250], 0.01);
  EXPECT_DOUBLE_EQ(lrs.group_1[250], 0.0025000075);
}

TEST(WSDScheduler, test_wsd_pre_decay_continuation) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler initial(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.1, .num_checkpoints = 1});
  collect_lrs_for_scheduler(initial, 90);  // to the pre-decay step
  const std::string state = initial.state_dict();

  WSDLrScheduler continued(optimizer, {.total_steps = 50, .is_continuation_from_checkpoint = true});
  continued.load_state_dict(state);
  const GroupLrs lrs = collect_lrs_for_scheduler(continued, 50);
  const auto new_decay_start = static_cast<int64_t>(50 * (1 - continued.decay_phase_ratio()));
  for (int64_t n = 0; n < new_decay_start; ++n) EXPECT_EQ(lrs.group_1[n], 0.01) << n;
  EXPECT_LT(lrs.group_1[new_decay_start + 1], 0.01);
  EXPECT_LE(lrs.group_1.back(), 0.01 * continued.lr_min() * 1.1);
  // The original's values.
  EXPECT_EQ(lrs.group_1[45], 0.01);
  EXPECT_DOUBLE_EQ(lrs.group_1[46], 0.005527868517136376);
  EXPECT_DOUBLE_EQ(lrs.group_1[49], 0.0010557370342727515);
  EXPECT_DOUBLE_EQ(lrs.group_1[50], 1e-8);
}

TEST(WSDScheduler, test_wsd_pre_decay_continuation_multiple_checkpoints) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler initial(optimizer, {.total_steps = 500, .decay_phase_ratio = 0.1, .num_checkpoints = 3});
  const int64_t pre_decay_step = initial.get_decay_info()[0].pre_decay_step;
  EXPECT_EQ(pre_decay_step, 113);
  EXPECT_EQ(collect_lrs_for_scheduler(initial, pre_decay_step).group_1.back(), 0.01);
  const std::string state = initial.state_dict();

  WSDLrScheduler continued(optimizer, {.total_steps = 200, .decay_phase_ratio = 0.1, .num_checkpoints = 3,
                                       .is_continuation_from_checkpoint = true});
  continued.load_state_dict(state);
  EXPECT_EQ(continued.get_checkpoint_steps(), (std::vector<int64_t>{50, 100, 200}));
  const GroupLrs lrs = collect_lrs_for_scheduler(continued, 200);
  for (const WSDPeriod& period : continued.get_decay_info()) {
    EXPECT_EQ(lrs.group_1[period.period_start], 0.01);
    for (int64_t n = period.period_start; n < period.pre_decay_step; ++n) EXPECT_NEAR(lrs.group_1[n], 0.01, 1e-10);
    EXPECT_TRUE(non_increasing(lrs.group_1, period.pre_decay_step,
                               std::min<size_t>(period.period_end, lrs.group_1.size())));
  }
  for (double lr : lrs.group_1) EXPECT_GE(lr, 0.01 * continued.lr_min());
  EXPECT_TRUE(geometric(continued.get_checkpoint_steps()));
}

TEST(WSDScheduler, test_wsd_continuation_validation) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .is_continuation_from_checkpoint = true});
  EXPECT_EQ(scheduler.get_updated_values(0), scheduler.base_lr_values());
  scheduler.load_state_dict(R"({
      "total_steps": 1000, "num_warmup_steps": 0, "decay_phase_ratio": 0.1, "lr_min": 1e-6,
      "warmup_starting_lr": 1e-6, "use_inverse_sqrt_decay": true, "num_checkpoints": 2,
      "is_continuation_from_checkpoint": true, "previous_checkpoint_step": 500,
      "checkpoint_steps": [250, 500, 750, 1000],
      "checkpoint_decay_info": [
          {"period_start": 0, "period_end": 500, "decay_steps": 50, "pre_decay_step": 450},
          {"period_start": 500, "period_end": 1000, "decay_steps": 50, "pre_decay_step": 950}]})");
  EXPECT_EQ(scheduler.get_updated_values(0), scheduler.base_lr_values());
  EXPECT_EQ(scheduler.base_lr_values(), (std::vector<double>{0.01, 0.01}));
}

TEST(WSDScheduler, test_wsd_continuation_state) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.01);
  WSDLrScheduler initial(optimizer, {.total_steps = 1000, .decay_phase_ratio = 0.1});
  const int64_t first_checkpoint = initial.get_checkpoint_steps()[0];
  const auto decay_steps = static_cast<int64_t>(static_cast<double>(first_checkpoint) * 0.1);
  collect_lrs_for_scheduler(initial, first_checkpoint - decay_steps - 1);
  const std::string state = initial.state_dict();

  WSDLrScheduler continued(optimizer, {.total_steps = 500, .decay_phase_ratio = 0.2,
                                       .is_continuation_from_checkpoint = true});
  continued.load_state_dict(state);
  EXPECT_EQ(continued.previous_checkpoint_step(), std::nullopt);
  EXPECT_EQ(continued.total_steps(), 500);
  EXPECT_EQ(continued.decay_phase_ratio(), 0.1);
  EXPECT_EQ(static_cast<int64_t>(continued.get_checkpoint_steps().size()),
            nlohmann::json::parse(state)["num_checkpoints"].get<int64_t>());
  EXPECT_TRUE(geometric(continued.get_checkpoint_steps()));
}

TEST(WSDScheduler, test_phase_transitions) {
  const double lr_max = 0.01, lr_min = 1e-6;
  NoOpOptimizer optimizer = create_optimizer(lr_max, lr_max);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 1000, .num_warmup_steps = 100, .decay_phase_ratio = 0.1,
                                       .lr_min = lr_min, .num_checkpoints = 2});
  const std::vector<double> lrs = collect_lrs_for_scheduler(scheduler, 1000).group_1;
  EXPECT_LT(std::abs(lrs[99] - lr_max), 1e-4);
  EXPECT_EQ(lrs[100], lr_max);
  for (const WSDPeriod& period : scheduler.get_decay_info()) {
    EXPECT_LT(std::abs(lrs[period.pre_decay_step - 1] - lr_max), 1e-4);
    EXPECT_LT(std::abs(lrs[period.pre_decay_step] - lr_max), 1e-4);
    EXPECT_LT(lrs[period.pre_decay_step + 1], lr_max);
  }
  const std::vector<int64_t>& checkpoints = scheduler.get_checkpoint_steps();
  for (size_t i = 0; i + 1 < checkpoints.size(); ++i)
    EXPECT_TRUE(std::abs(lrs[checkpoints[i] + 1] - lr_max) < 1e-4 || lrs[checkpoints[i] + 1] <= lrs[checkpoints[i]]);
  EXPECT_LT(std::abs(lrs.back() - lr_max * lr_min) / (lr_max * lr_min), 0.1);
}

// The port's own checks.

TEST(WSDScheduler, CheckpointsEndAtTotalSteps) {
  EXPECT_EQ(estimate_checkpoint_steps(100, 1), (std::vector<int64_t>{100}));
  EXPECT_EQ(estimate_checkpoint_steps(100, 3), (std::vector<int64_t>{25, 50, 100}));
  EXPECT_EQ(estimate_checkpoint_steps(100000, 2), (std::vector<int64_t>{50000, 100000}));
  EXPECT_EQ(estimate_checkpoint_steps(1000, 4), (std::vector<int64_t>{125, 250, 500, 1000}));
  EXPECT_EQ(estimate_checkpoint_steps(50, 3), (std::vector<int64_t>{12, 25, 50}));
  EXPECT_EQ(estimate_checkpoint_steps(10, 5), (std::vector<int64_t>{1, 2, 5, 10}));  // no checkpoint at 0
  EXPECT_THROW(estimate_checkpoint_steps(0, 2), accel::Error);
}

TEST(WSDScheduler, LrStaysDecayedAfterTheLastCheckpoint) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100, .lr_min = 0.1, .num_checkpoints = 2});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 150);
  EXPECT_EQ(lrs.group_1[50], 0.01);  // a new period starts stable
  for (int64_t n = 100; n <= 150; ++n) {
    EXPECT_DOUBLE_EQ(lrs.group_1[n], 0.01 * 0.1) << n;
    EXPECT_DOUBLE_EQ(lrs.group_2[n], 0.002 * 0.1) << n;
  }
  EXPECT_EQ(scheduler.get_phase_info(150), scheduler.get_decay_info().back());
  EXPECT_EQ(scheduler.get_current_step(), 150);
}

TEST(WSDScheduler, PeriodsWithoutDecayStepsDoNotDivideByZero) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 20, .decay_phase_ratio = 0.0, .lr_min = 0.5});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 25);
  for (int64_t n = 0; n < 20; ++n) EXPECT_EQ(lrs.group_1[n], 0.01) << n;
  for (int64_t n = 20; n <= 25; ++n) EXPECT_DOUBLE_EQ(lrs.group_1[n], 0.005) << n;
}

TEST(WSDScheduler, InverseProportionalDecay) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.2, .lr_min = 0.01,
                                       .use_inverse_sqrt_decay = false});
  const GroupLrs lrs = collect_lrs_for_scheduler(scheduler, 100);
  for (int64_t n = 80; n <= 100; ++n) {
    const double t = std::min((n - 80) / 20.0, 1.0);
    EXPECT_DOUBLE_EQ(lrs.group_1[n], 0.01 / (t * 100 + (1 - t))) << n;
  }
  EXPECT_EQ(scheduler.previous_checkpoint_step(), 79);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .lr_min = 0, .use_inverse_sqrt_decay = false}),
               accel::Error);
}

TEST(WSDScheduler, StateDictRestoresTheCount) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100, .num_checkpoints = 2});
  collect_lrs_for_scheduler(scheduler, 46);
  const std::string state = scheduler.state_dict();
  for (const char* key : {"base_lr_values", "checkpoint_decay_info", "checkpoint_steps", "decay_phase_ratio",
                          "is_continuation_from_checkpoint", "lr_min", "num_checkpoints", "num_warmup_steps",
                          "param_group_field", "previous_checkpoint_step", "total_steps", "use_inverse_sqrt_decay",
                          "warmup_starting_lr", "num_updates"})
    EXPECT_TRUE(nlohmann::json::parse(state).contains(key)) << key;
  scheduler.step();
  const std::vector<double> expected = optimizer.lrs();

  NoOpOptimizer other = create_optimizer(0.01, 0.002);
  WSDLrScheduler restored(other, {.total_steps = 100, .num_checkpoints = 2});
  restored.load_state_dict(state);
  EXPECT_EQ(restored.get_current_step(), 46);
  EXPECT_EQ(restored.previous_checkpoint_step(), 44);
  restored.step();
  EXPECT_EQ(other.lrs(), expected);
  EXPECT_LT(expected[0], 0.01);  // step 47 is in the first decay phase
}

TEST(WSDScheduler, ContinuationNeverWarmsUp) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  WSDLrScheduler initial(optimizer, {.total_steps = 100, .num_warmup_steps = 10});
  collect_lrs_for_scheduler(initial, 50);
  WSDLrScheduler continued(optimizer, {.total_steps = 40, .is_continuation_from_checkpoint = true});
  continued.load_state_dict(initial.state_dict());
  EXPECT_TRUE(continued.is_continuation_from_checkpoint());
  EXPECT_EQ(continued.num_warmup_steps(), 10);
  continued.step();
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.01, 0.002}));
  EXPECT_EQ(continued.get_current_step(), 0);
}

TEST(WSDScheduler, CreateSchedulerFnUsesPerProcessSteps) {
  const std::function<std::unique_ptr<Scheduler>(Optimizer&, const RunConfig&)> create =
      WSDLrScheduler::create_scheduler_fn({.num_warmup_epochs = 1, .num_checkpoints = 2});
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  const std::unique_ptr<Scheduler> scheduler = create(optimizer, {.num_epochs = 5, .num_update_steps_per_epoch = 40,
                                                                  .num_local_update_steps_per_epoch = 20});
  const auto& wsd = dynamic_cast<const WSDLrScheduler&>(*scheduler);
  EXPECT_EQ(wsd.total_steps(), 100);
  EXPECT_EQ(wsd.num_warmup_steps(), 20);
  EXPECT_EQ(wsd.get_checkpoint_steps(), (std::vector<int64_t>{50, 100}));

  const auto default_warmup = WSDLrScheduler::create_scheduler_fn({.total_num_epochs = 10});
  const std::unique_ptr<Scheduler> other_scheduler = default_warmup(optimizer, RunConfig{5, 40, 20});
  const auto& other = dynamic_cast<const WSDLrScheduler&>(*other_scheduler);
  EXPECT_EQ(other.total_steps(), 200);
  EXPECT_EQ(other.num_warmup_steps(), 2);  // 1%
}

TEST(WSDScheduler, BadArgumentsThrow) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.002);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.num_epochs = 2, .num_update_steps_per_epoch = 5, .total_steps = 10}),
               accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.num_epochs = 2}), accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .warmup_starting_lr = 0.02}), accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.4, .num_checkpoints = 2}),
               accel::Error);
  EXPECT_NO_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .decay_phase_ratio = 0.4}));
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .num_checkpoints = 0}), accel::Error);
  EXPECT_THROW(WSDLrScheduler(optimizer, {.total_steps = 100, .num_warmup_steps = -1}), accel::Error);
  WSDLrScheduler scheduler(optimizer, {.total_steps = 100});
  EXPECT_THROW(scheduler.load_state_dict(R"({"checkpoint_steps": []})"), accel::Error);
  EXPECT_THROW(scheduler.load_state_dict(R"({"checkpoint_decay_info": [{"period_start": 0}]})"), accel::Error);
}

}  // namespace
