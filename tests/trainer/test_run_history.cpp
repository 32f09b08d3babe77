// Port of pytorch-accelerated's test/test_run_history.py (§2.2), plus the prefix and error rules.
#include <gtest/gtest.h>

#include <accel/trainer/run_history.h>

using accel::trainer::InMemoryRunHistory;

TEST(RunHistory, CanIncrementEpoch) {
  InMemoryRunHistory history;
  const int64_t initial = history.current_epoch();
  history.increment_epoch();
  EXPECT_EQ(history.current_epoch(), initial + 1);
  history.increment_epoch();
  EXPECT_EQ(history.current_epoch(), initial + 2);
}

TEST(RunHistory, CanGetMetricValuesAndUpdateMetric) {
  InMemoryRunHistory history;
  for (double v : {0.0, 1.0, 2.0}) history.update_metric("my_metric", v);
  EXPECT_EQ(history.get_metric_values("my_metric"), (std::vector<double>{0, 1, 2}));
}

TEST(RunHistory, CanGetLatestMetric) {
  InMemoryRunHistory history;
  for (double v : {0.0, 1.0, 2.0}) history.update_metric("my_metric", v);
  EXPECT_EQ(history.get_latest_metric("my_metric"), 2.0);
}

TEST(RunHistory, CanNotGetLatestMetricIfNotRecorded) {
  InMemoryRunHistory history;
  EXPECT_THROW(history.get_latest_metric("my_metric"), accel::Error);
  // Asking does not create the metric (the original's defaultdict did).
  EXPECT_TRUE(history.get_metric_values("my_metric").empty());
  EXPECT_TRUE(history.get_metric_names().empty());
}

TEST(RunHistory, CanGetMetricNamesInRecordingOrder) {
  InMemoryRunHistory history;
  history.update_metric("my_metric_2", 1);
  history.update_metric("my_metric_1", 1);
  history.update_metric("my_metric_2", 2);
  EXPECT_EQ(history.get_metric_names(), (std::vector<std::string>{"my_metric_2", "my_metric_1"}));
}

TEST(RunHistory, CanResetMetricsAndEpochButNotThePrefix) {
  InMemoryRunHistory history;
  history.set_metric_name_prefix("ema_");
  history.update_metric("loss", 1);
  history.increment_epoch();
  history.reset();
  EXPECT_EQ(history.get_metric_names().size(), 0u);
  EXPECT_EQ(history.current_epoch(), 1);
  EXPECT_EQ(history.metric_name_prefix(), "ema_");
}

TEST(RunHistory, PrefixAppliesOnWriteOnly) {
  InMemoryRunHistory history;
  history.set_metric_name_prefix("ema_model_");
  history.update_metric("eval_loss_epoch", 0.5);
  EXPECT_EQ(history.get_latest_metric("ema_model_eval_loss_epoch"), 0.5);
  EXPECT_THROW(history.get_latest_metric("eval_loss_epoch"), accel::Error);
  history.set_metric_name_prefix();
  history.update_metric("eval_loss_epoch", 0.25);
  EXPECT_EQ(history.get_latest_metric("eval_loss_epoch"), 0.25);
}

TEST(RunHistory, DeleteMetric) {
  InMemoryRunHistory history;
  history.update_metric("intermediate_eval_loss", 1);
  history.delete_metric("intermediate_eval_loss");
  EXPECT_TRUE(history.get_metric_names().empty());
  EXPECT_THROW(history.delete_metric("intermediate_eval_loss"), accel::Error);
}

TEST(RunHistory, SetEpochOnRunHistory) {
  InMemoryRunHistory history;
  EXPECT_EQ(history.current_epoch(), 1);
  history.set_epoch(5);
  EXPECT_EQ(history.current_epoch(), 5);
  history.increment_epoch();
  EXPECT_EQ(history.current_epoch(), 6);
}
