#pragma once
// RunHistory: the metrics of a training run, one value per epoch (or per call of update_metric),
// and the current epoch. InMemoryRunHistory keeps them in memory; subclass RunHistory to store them
// elsewhere. Metric values are doubles (a tensor metric is recorded with .item()).
//
//   trainer.run_history->get_latest_metric("eval_loss_epoch");
//   trainer.run_history->update_metric("accuracy", correct / total);
#include <cstdint>
#include <string>
#include <vector>

#include <accel/tensor/ordered_dict.h>

namespace accel::trainer {

class RunHistory {
 public:
  virtual ~RunHistory() = default;

  // In the order the metrics were first recorded.
  virtual std::vector<std::string> get_metric_names() const = 0;
  // Every value of the metric, oldest first; empty for a metric never recorded.
  virtual std::vector<double> get_metric_values(const std::string& metric_name) const = 0;
  // The latest value; a metric never recorded is an accel::Error.
  virtual double get_latest_metric(const std::string& metric_name) const = 0;
  // Appends a value to metric_name_prefix() + metric_name (the prefix applies on write only:
  // reads use the full name, e.g. "ema_model_eval_loss_epoch").
  virtual void update_metric(const std::string& metric_name, double value) = 0;
  // Removes the metric; an unknown name is an accel::Error.
  virtual void delete_metric(const std::string& metric_name) = 0;
  virtual void set_metric_name_prefix(const std::string& prefix = "") = 0;
  virtual const std::string& metric_name_prefix() const = 0;

  // 1-based; the Trainer increments it at the end of each training epoch.
  virtual int64_t current_epoch() const = 0;
  virtual void increment_epoch() = 0;
  virtual void set_epoch(int64_t epoch) = 0;
  // Epoch back to 1 and every metric removed; the prefix is kept.
  virtual void reset() = 0;
};

class InMemoryRunHistory : public RunHistory {
 public:
  std::vector<std::string> get_metric_names() const override;
  std::vector<double> get_metric_values(const std::string& metric_name) const override;
  double get_latest_metric(const std::string& metric_name) const override;
  void update_metric(const std::string& metric_name, double value) override;
  void delete_metric(const std::string& metric_name) override;
  void set_metric_name_prefix(const std::string& prefix = "") override { prefix_ = prefix; }
  const std::string& metric_name_prefix() const override { return prefix_; }
  int64_t current_epoch() const override { return current_epoch_; }
  void increment_epoch() override { ++current_epoch_; }
  void set_epoch(int64_t epoch) override { current_epoch_ = epoch; }
  void reset() override;

 private:
  OrderedDict<std::vector<double>> metrics_;
  std::string prefix_;
  int64_t current_epoch_ = 1;
};

}  // namespace accel::trainer
