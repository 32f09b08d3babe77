#pragma once
// LossTracker: the running, sample-weighted mean of the per-batch losses of one epoch.
#include <cstdint>

namespace accel::trainer {

class LossTracker {
 public:
  // Records a batch's mean loss, weighted by the samples it averages over.
  void update(double loss, int64_t batch_size = 1) {
    loss_value = loss;
    total_loss += loss * static_cast<double>(batch_size);
    running_count += batch_size;
    average_ = total_loss / static_cast<double>(running_count);
  }
  void reset() { *this = LossTracker(); }
  // total_loss / running_count; 0 before the first update.
  double average() const { return average_; }

  double loss_value = 0.0;  // the latest batch's loss
  double total_loss = 0.0;  // sum of loss * batch_size
  int64_t running_count = 0;

 private:
  double average_ = 0.0;
};

}  // namespace accel::trainer
