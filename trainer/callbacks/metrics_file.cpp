#include <accel/trainer/callbacks/metrics_file.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <accel/trainer/callbacks/log_metrics.h>
#include <accel/trainer/trainer.h>

namespace accel::trainer {

namespace fs = std::filesystem;

namespace {

void create_parent_directory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
}

// A JSON string literal (metric names are free text).
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string json_number(double value) { return std::isfinite(value) ? format_metric_value(value) : "null"; }

// A CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

MetricsFileCallback::MetricsFileCallback(MetricsFileCallbackOptions options) : options_(std::move(options)) {
  ACCEL_CHECK(!options_.jsonl_path.empty() || !options_.csv_path.empty(),
              "MetricsFileCallback: both jsonl_path and csv_path are empty; nothing would be written");
}

void MetricsFileCallback::on_training_run_start(Trainer& trainer) {
  // A reset run history starts its values from zero again.
  for (auto& [name, written] : values_written_) {
    written = std::min(written, trainer.run_history->get_metric_values(name).size());
  }
  if (started_ || !trainer.accelerator.is_main_process()) return;
  started_ = true;
  for (const std::string& path : {options_.jsonl_path, options_.csv_path}) {
    if (path.empty()) continue;
    create_parent_directory(path);
    std::ofstream truncate(path, std::ios::trunc);
    ACCEL_CHECK(truncate, "MetricsFileCallback: cannot write ", path);
  }
}

void MetricsFileCallback::on_training_run_epoch_end(Trainer& trainer) {
  if (!trainer.accelerator.is_main_process()) return;
  Row row{trainer.run_history->current_epoch(), {}};
  for (const std::string& name : trainer.run_history->get_metric_names()) {
    const std::vector<double> values = trainer.run_history->get_metric_values(name);
    size_t& written = values_written_[name];
    if (values.size() > written) row.values.insert(name, values.back());
    written = values.size();
    if (values.size() > 0 && std::find(columns_.begin(), columns_.end(), name) == columns_.end()) {
      columns_.push_back(name);
    }
  }
  rows_.push_back(row);
  if (!options_.jsonl_path.empty()) append_json_line(row);
  if (!options_.csv_path.empty()) write_csv();
}

void MetricsFileCallback::append_json_line(const Row& row) const {
  std::ofstream out(options_.jsonl_path, std::ios::app);
  ACCEL_CHECK(out, "MetricsFileCallback: cannot write ", options_.jsonl_path);
  out << "{\"epoch\":" << row.epoch;
  for (const auto& [name, value] : row.values) out << "," << json_string(name) << ":" << json_number(value);
  out << "}\n";
}

void MetricsFileCallback::write_csv() const {
  std::ostringstream csv;
  csv << "epoch";
  for (const std::string& column : columns_) csv << "," << csv_field(column);
  csv << "\n";
  for (const Row& row : rows_) {
    csv << row.epoch;
    for (const std::string& column : columns_) {
      csv << ",";
      if (const double* value = row.values.find(column)) csv << format_metric_value(*value);
    }
    csv << "\n";
  }
  // Rewritten whole (a new column changes the header): write aside and rename, so a reader never
  // sees half a file.
  const std::string temporary = options_.csv_path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    ACCEL_CHECK(out, "MetricsFileCallback: cannot write ", temporary);
    out << csv.str();
    ACCEL_CHECK(out.flush(), "MetricsFileCallback: cannot write ", temporary);
  }
  fs::rename(temporary, options_.csv_path);
}

}  // namespace accel::trainer
