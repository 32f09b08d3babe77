#pragma once
// MetricsFileCallback: writes each training epoch's metrics to files that plotting tools read,
// on the world's main process:
//   JSON lines (one object per epoch):  {"epoch":1,"train_loss_epoch":0.52,"eval_loss_epoch":0.47}
//   CSV (a header, one row per epoch):  epoch,train_loss_epoch,eval_loss_epoch
// A row holds the metrics recorded during that epoch (a metric not recorded in an epoch leaves an
// empty cell, or is absent from the JSON object; NaN and infinities are JSON null). A metric first
// recorded in a later epoch adds a CSV column, and the CSV is rewritten with it. The files are
// started afresh by the first training run of this callback and continued by later runs (e.g.
// train() again with reset_run_history = false). Either path may be empty to skip that format.
//
//   trainer.callback_handler->add_callback(std::make_shared<MetricsFileCallback>(
//       MetricsFileCallbackOptions{.jsonl_path = "run/metrics.jsonl", .csv_path = "run/metrics.csv"}));
//
//   python -c "import pandas as pd; pd.read_csv('run/metrics.csv').plot(x='epoch').figure.savefig('loss.png')"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <accel/tensor/ordered_dict.h>
#include <accel/trainer/callback.h>

namespace accel::trainer {

struct MetricsFileCallbackOptions {
  std::string jsonl_path = "metrics.jsonl";
  std::string csv_path = "metrics.csv";
};

class MetricsFileCallback : public TrainerCallback {
 public:
  explicit MetricsFileCallback(MetricsFileCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_training_run_epoch_end(Trainer& trainer) override;

 private:
  struct Row {
    int64_t epoch;
    OrderedDict<double> values;
  };
  void write_csv() const;
  void append_json_line(const Row& row) const;

  MetricsFileCallbackOptions options_;
  bool started_ = false;
  // Values of each metric already written, to find those recorded in the current epoch.
  std::map<std::string, size_t> values_written_;
  std::vector<std::string> columns_;
  std::vector<Row> rows_;
};

}  // namespace accel::trainer
