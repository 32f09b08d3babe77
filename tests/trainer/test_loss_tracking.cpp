// Port of pytorch-accelerated's test/test_loss_tracking.py (§2.4): exact doubles.
#include <gtest/gtest.h>

#include <accel/trainer/loss_tracker.h>

using accel::trainer::LossTracker;

namespace {
const std::vector<double> kLosses = {105.5, 94.7, 98.0, 55.2, 32.5};
const std::vector<int64_t> kBatchSizes = {64, 32, 16, 8, 4};
}  // namespace

TEST(LossTracker, CanTrackLossIncrementally) {
  LossTracker tracker;
  double sum = 0;
  for (double loss : kLosses) {
    tracker.update(loss);
    sum += loss;
  }
  EXPECT_EQ(tracker.average(), sum / 5);
  EXPECT_EQ(tracker.average(), 77.17999999999999);
  EXPECT_EQ(tracker.loss_value, 32.5);
}

TEST(LossTracker, CanTrackLossForVaryingBatchSizes) {
  LossTracker tracker;
  for (size_t i = 0; i < kLosses.size(); ++i) tracker.update(kLosses[i], kBatchSizes[i]);
  EXPECT_EQ(tracker.average(), 11922.0 / 124);
  EXPECT_EQ(tracker.average(), 96.14516129032258);
}

TEST(LossTracker, CalculateLossAverageCalculation) {
  LossTracker tracker;
  for (size_t i = 0; i < kLosses.size(); ++i) tracker.update(kLosses[i], kBatchSizes[i]);
  EXPECT_EQ(tracker.total_loss / static_cast<double>(tracker.running_count), 96.14516129032258);
  EXPECT_EQ(tracker.running_count, 124);
}

TEST(LossTracker, ResetZerosEverything) {
  LossTracker tracker;
  tracker.update(3.0, 2);
  tracker.reset();
  EXPECT_EQ(tracker.average(), 0.0);
  EXPECT_EQ(tracker.total_loss, 0.0);
  EXPECT_EQ(tracker.running_count, 0);
  EXPECT_EQ(tracker.loss_value, 0.0);
}
