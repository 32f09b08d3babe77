#include <accel/trainer/callbacks/step_based_evaluation.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

StepBasedEvaluationCallback::StepBasedEvaluationCallback(int64_t eval_every_n_steps)
    : eval_every_n_steps_(eval_every_n_steps) {
  ACCEL_CHECK(eval_every_n_steps > 0, "StepBasedEvaluationCallback: eval_every_n_steps must be positive, got ",
              eval_every_n_steps);
}

void StepBasedEvaluationCallback::on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput&,
                                                    int64_t step) {
  if (step == 0 || step % eval_every_n_steps_ != 0) return;
  ACCEL_CHECK(trainer.eval_dataloader, "StepBasedEvaluationCallback: the run has no eval_dataset to evaluate on");
  trainer.print("\nRunning evaluation after ", step, " training steps");
  const LossTracker training_losses = trainer.loss_tracker;
  trainer.loss_tracker = LossTracker();
  trainer.run_eval_epoch(/*is_intermediate=*/true);
  trainer.loss_tracker = training_losses;
  trainer.run_history->delete_metric("intermediate_eval_loss");
  trainer.print("\nResuming training...");
}

}  // namespace accel::trainer
