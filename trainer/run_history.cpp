#include <accel/trainer/run_history.h>

#include <accel/tensor/error.h>

namespace accel::trainer {

std::vector<std::string> InMemoryRunHistory::get_metric_names() const { return metrics_.keys(); }

std::vector<double> InMemoryRunHistory::get_metric_values(const std::string& metric_name) const {
  const std::vector<double>* values = metrics_.find(metric_name);
  return values ? *values : std::vector<double>{};
}

double InMemoryRunHistory::get_latest_metric(const std::string& metric_name) const {
  const std::vector<double>* values = metrics_.find(metric_name);
  ACCEL_CHECK(values && !values->empty(), "RunHistory: no values have been recorded for metric '", metric_name, "'");
  return values->back();
}

void InMemoryRunHistory::update_metric(const std::string& metric_name, double value) {
  const std::string name = prefix_ + metric_name;
  if (std::vector<double>* values = metrics_.find(name)) {
    values->push_back(value);
  } else {
    metrics_.insert(name, {value});
  }
}

void InMemoryRunHistory::delete_metric(const std::string& metric_name) {
  ACCEL_CHECK(metrics_.erase(metric_name), "RunHistory: cannot delete unknown metric '", metric_name, "'");
}

void InMemoryRunHistory::reset() {
  current_epoch_ = 1;
  metrics_.clear();
}

}  // namespace accel::trainer
