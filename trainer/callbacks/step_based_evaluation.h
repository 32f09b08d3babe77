#pragma once
// StepBasedEvaluationCallback: runs an evaluation epoch every eval_every_n_steps micro-batches
// inside a training epoch (at steps n, 2n, ...; step 0 never). The evaluation uses its own loss
// tracker, so the training epoch's mean loss is unaffected; it records "intermediate_eval_loss",
// which is deleted right after (read it in an on_eval_epoch_end(trainer, /*is_intermediate=*/true)
// callback). The model goes back to training mode afterwards (the original left it in eval mode).
// It runs from on_train_step_end, i.e. after the forward pass of micro-batch `step` and before its
// backward pass, as in the original.
#include <cstdint>

#include <accel/trainer/callback.h>

namespace accel::trainer {

class StepBasedEvaluationCallback : public TrainerCallback {
 public:
  explicit StepBasedEvaluationCallback(int64_t eval_every_n_steps);

  void on_train_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output,
                         int64_t step) override;

  int64_t eval_every_n_steps() const { return eval_every_n_steps_; }

 private:
  int64_t eval_every_n_steps_;
};

}  // namespace accel::trainer
