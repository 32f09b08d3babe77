#pragma once
// ConvertSyncBatchNormCallback: in a distributed run, the original converts every BatchNorm layer to
// SyncBatchNorm at the start of training, so that batch statistics are computed over all
// processes. accel has no SyncBatchNorm yet (it comes with the distributed layer), so this callback
// changes nothing: in a single-process run there is nothing to convert, and in a distributed run it
// prints a warning that batch norm layers keep per-process statistics.
#include <accel/trainer/callback.h>

namespace accel::trainer {

class ConvertSyncBatchNormCallback : public TrainerCallback {
 public:
  void on_training_run_start(Trainer& trainer) override;
};

}  // namespace accel::trainer
