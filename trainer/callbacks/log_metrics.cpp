#include <accel/trainer/callbacks/log_metrics.h>

#include <charconv>
#include <cmath>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

void LogMetricsCallback::log_matching(Trainer& trainer, bool train_metrics) {
  std::vector<std::pair<std::string, double>> metrics;
  for (const std::string& name : trainer.run_history->get_metric_names()) {
    if ((name.find("train") != std::string::npos) != train_metrics) continue;
    if (trainer.run_history->get_metric_values(name).empty()) continue;
    metrics.emplace_back(name, trainer.run_history->get_latest_metric(name));
  }
  log_metrics(trainer, metrics);
}

void LogMetricsCallback::on_train_epoch_end(Trainer& trainer) { log_matching(trainer, /*train_metrics=*/true); }

void LogMetricsCallback::on_eval_epoch_end(Trainer& trainer, bool) { log_matching(trainer, /*train_metrics=*/false); }

void LogMetricsCallback::log_metrics(Trainer& trainer, const std::vector<std::pair<std::string, double>>& metrics) {
  for (const auto& [name, value] : metrics) trainer.print("\n", name, ": ", format_metric_value(value));
}

}  // namespace accel::trainer
