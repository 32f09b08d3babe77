// pytorch-accelerated's test/scheduler/test_scheduler_base.py, ported, plus the C++ port's own
// checks of SchedulerBase (other fields than lr, state dicts, errors).
#include <gtest/gtest.h>

#include <vector>

#include <accel/optim/scheduler_base.h>

#include "scheduler_testing.h"

namespace {

using namespace accel::optim;
using accel::optim::testing::NoOpOptimizer;

// Sets every group to the number of updates.
class EqualIterationScheduler : public SchedulerBase {
 public:
  using SchedulerBase::SchedulerBase;
  std::vector<double> get_updated_values(int64_t num_updates) override { return {static_cast<double>(num_updates)}; }
  const char* name() const override { return "EqualIterationScheduler"; }
};

class StatefulEqualIterationScheduler : public StatefulSchedulerBase {
 public:
  using StatefulSchedulerBase::StatefulSchedulerBase;
  std::vector<double> get_updated_values(int64_t num_updates) override { return {static_cast<double>(num_updates)}; }
  const char* name() const override { return "StatefulEqualIterationScheduler"; }
};

// The original's SGD with two groups: lr 0.01 (the default) and 0.001.
NoOpOptimizer create_optimizer(double lr_1, double lr_2) { return NoOpOptimizer({lr_1, lr_2}); }

TEST(SchedulerBase, test_stores_initial_lr_on_creation) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.001);
  EqualIterationScheduler scheduler(optimizer);
  EXPECT_EQ(optimizer.param_groups()[0].initial_lr, 0.01);
  EXPECT_EQ(optimizer.param_groups()[1].initial_lr, 0.001);
}

TEST(SchedulerBase, test_can_update_parameter_groups) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.001);
  EqualIterationScheduler scheduler(optimizer);
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.01, 0.001}));
  scheduler.step_update(1);
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{1, 1}));
}

TEST(SchedulerBase, test_stateful_scheduler_can_update_parameter_groups) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.001);
  StatefulEqualIterationScheduler scheduler(optimizer);
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.01, 0.001}));
  scheduler.step();
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0, 0}));
  scheduler.step();
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{1, 1}));
}

TEST(SchedulerBase, KeepsAnInitialLrSetEarlier) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.001);
  optimizer.param_groups()[0].initial_lr = 0.5;
  EqualIterationScheduler scheduler(optimizer);
  EXPECT_EQ(scheduler.base_lr_values(), (std::vector<double>{0.5, 0.001}));
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.5, 0.001}));
}

class PerGroupScheduler : public SchedulerBase {
 public:
  using SchedulerBase::SchedulerBase;
  std::vector<double> get_updated_values(int64_t num_updates) override {
    if (num_updates < 0) return {};
    std::vector<double> values;
    for (double base : base_lr_values()) values.push_back(base * static_cast<double>(num_updates));
    return values;
  }
  const char* name() const override { return "PerGroupScheduler"; }
};

TEST(SchedulerBase, SchedulesAnyGroupOption) {
  NoOpOptimizer optimizer({0.1, 0.2}, {{"weight_decay", 0.01}});
  optimizer.param_groups()[1].options["weight_decay"] = 0.03;
  PerGroupScheduler scheduler(optimizer, "weight_decay");
  EXPECT_EQ(scheduler.param_group_field(), "weight_decay");
  EXPECT_EQ(scheduler.base_lr_values(), (std::vector<double>{0.01, 0.03}));
  scheduler.step_update(2);
  EXPECT_EQ(optimizer.option("weight_decay"), (std::vector<double>{0.02, 0.06}));
  EXPECT_EQ(optimizer.lrs(), (std::vector<double>{0.1, 0.2}));
  scheduler.step_update(-1);  // no values: nothing changes
  EXPECT_EQ(optimizer.option("weight_decay"), (std::vector<double>{0.02, 0.06}));
  EXPECT_THROW(PerGroupScheduler(optimizer, "momentum"), accel::Error);
}

TEST(SchedulerBase, StateDictRoundTrip) {
  NoOpOptimizer optimizer = create_optimizer(0.01, 0.001);
  StatefulEqualIterationScheduler scheduler(optimizer);
  for (int i = 0; i < 3; ++i) scheduler.step();
  NoOpOptimizer other = create_optimizer(0.02, 0.002);
  StatefulEqualIterationScheduler restored(other);
  restored.load_state_dict(scheduler.state_dict());
  EXPECT_EQ(restored.num_updates(), 2);
  EXPECT_EQ(restored.base_lr_values(), (std::vector<double>{0.01, 0.001}));
  restored.step();
  EXPECT_EQ(other.lrs(), (std::vector<double>{3, 3}));

  EXPECT_THROW(restored.load_state_dict(R"({"base_lr_values": [1.0]})"), accel::Error);
  EXPECT_THROW(restored.load_state_dict(R"({"param_group_field": "momentum"})"), accel::Error);
  EXPECT_THROW(restored.load_state_dict(R"({"num_updates": 1.5})"), accel::Error);
}

TEST(SchedulerBase, WrongNumberOfValuesThrows) {
  NoOpOptimizer optimizer({0.1, 0.2, 0.3});
  class TwoValues : public SchedulerBase {
   public:
    using SchedulerBase::SchedulerBase;
    std::vector<double> get_updated_values(int64_t) override { return {1.0, 2.0}; }
    const char* name() const override { return "TwoValues"; }
  } scheduler(optimizer);
  EXPECT_THROW(scheduler.step_update(0), accel::Error);
}

}  // namespace
