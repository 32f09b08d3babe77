#pragma once
// A Trainer that also records classification accuracy, the way pytorch-accelerated's
// TrainerWithMetrics example does: count correct predictions in calculate_eval_batch_loss and write
// the epoch's accuracy to the run history in eval_epoch_end. The metric ("accuracy") is then logged
// by LogMetricsCallback and can be watched by SaveBestModelCallback or EarlyStoppingCallback.
#include <cstdint>

#include <accel/accel.h>
#include <accel/trainer/trainer.h>

namespace fashion_mnist {

class AccuracyTrainer : public accel::Trainer {
 public:
  using accel::Trainer::Trainer;

  accel::trainer::BatchOutput calculate_eval_batch_loss(const accel::data::Batch& batch) override {
    accel::trainer::BatchOutput output = Trainer::calculate_eval_batch_loss(batch);
    // Gathered, so that every process counts the whole evaluation set.
    const accel::Tensor predicted = gather(output.model_outputs.argmax(1));
    const accel::Tensor targets = gather(batch[1]);
    correct_ += predicted.eq(targets).sum().item<int64_t>();
    seen_ += targets.size(0);
    return output;
  }

  void eval_epoch_start() override {
    Trainer::eval_epoch_start();
    correct_ = 0;
    seen_ = 0;
  }

  void eval_epoch_end() override {
    if (seen_ > 0) run_history->update_metric("accuracy", static_cast<double>(correct_) / static_cast<double>(seen_));
    Trainer::eval_epoch_end();
  }

 private:
  int64_t correct_ = 0;
  int64_t seen_ = 0;
};

}  // namespace fashion_mnist
