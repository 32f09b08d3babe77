#pragma once
// LogMetricsCallback: at the end of each train epoch, logs the latest value of every metric whose
// name contains "train"; at the end of each eval epoch, every other metric. Metrics come in the
// order they were first recorded (the original's came from a set, in no fixed order).
// The default log_metrics prints "\n<name>: <value>" on the local main process; override it to send
// the metrics elsewhere (e.g. only when trainer.accelerator.is_main_process()).
#include <string>
#include <utility>
#include <vector>

#include <accel/trainer/callback.h>

namespace accel::trainer {

class LogMetricsCallback : public TrainerCallback {
 public:
  void on_train_epoch_end(Trainer& trainer) override;
  void on_eval_epoch_end(Trainer& trainer, bool is_intermediate) override;

  virtual void log_metrics(Trainer& trainer, const std::vector<std::pair<std::string, double>>& metrics);

 private:
  void log_matching(Trainer& trainer, bool train_metrics);
};

// The value as the shortest decimal that reads back to the same double (Python's repr of a float).
std::string format_metric_value(double value);

}  // namespace accel::trainer
