#pragma once
// LimitBatchesCallback: limits every train and eval epoch to the first num_batches batches, by
// replacing trainer.train_dataloader and trainer.eval_dataloader with BatchLoaderSlices at the start
// of a training run (and the eval loader at the start of an evaluation run). The run config, and so
// the scheduler's length, was computed before, from the full loaders. The Trainer adds it first when
// ACCEL_LIMIT_BATCHES is set (see LimitBatches in trainer/limit_batches.h).
#include <cstdint>

#include <accel/trainer/callback.h>

namespace accel::trainer {

class LimitBatchesCallback : public TrainerCallback {
 public:
  explicit LimitBatchesCallback(int64_t num_batches);

  void on_training_run_start(Trainer& trainer) override;
  void on_evaluation_run_start(Trainer& trainer) override;

  int64_t num_batches() const { return num_batches_; }

 private:
  int64_t num_batches_;
};

}  // namespace accel::trainer
