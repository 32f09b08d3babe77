#pragma once
// LimitEvalStepsCallback: limits evaluation epochs to num_eval_steps batches in total over all
// processes (num_eval_steps / num_processes each, at least 1): only the step-based (intermediate)
// evaluations by default, every evaluation with limit_intermediate_only = false. It swaps in a
// BatchLoaderSlice of trainer.eval_dataloader at on_eval_epoch_start and restores the loader at
// on_eval_epoch_end. Place it before StepBasedEvaluationCallback and ProgressBarCallback.
// (In the original only the progress bar's total changed: the loop had already bound the loader.)
#include <cstdint>
#include <memory>

#include <accel/trainer/batch_loader.h>
#include <accel/trainer/callback.h>

namespace accel::trainer {

class LimitEvalStepsCallback : public TrainerCallback {
 public:
  explicit LimitEvalStepsCallback(int64_t num_eval_steps, bool limit_intermediate_only = true);

  void on_eval_epoch_start(Trainer& trainer, bool is_intermediate) override;
  void on_eval_epoch_end(Trainer& trainer, bool is_intermediate) override;

 private:
  bool applies(bool is_intermediate) const { return is_intermediate || !limit_intermediate_only_; }

  int64_t num_eval_steps_;
  bool limit_intermediate_only_;
  std::shared_ptr<BatchLoader> original_eval_dataloader_;
};

}  // namespace accel::trainer
