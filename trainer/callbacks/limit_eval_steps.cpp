#include <accel/trainer/callbacks/limit_eval_steps.h>

#include <algorithm>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

LimitEvalStepsCallback::LimitEvalStepsCallback(int64_t num_eval_steps, bool limit_intermediate_only)
    : num_eval_steps_(num_eval_steps), limit_intermediate_only_(limit_intermediate_only) {
  ACCEL_CHECK(num_eval_steps > 0, "LimitEvalStepsCallback: num_eval_steps must be positive, got ", num_eval_steps);
}

void LimitEvalStepsCallback::on_eval_epoch_start(Trainer& trainer, bool is_intermediate) {
  if (!applies(is_intermediate) || !trainer.eval_dataloader) return;
  const int64_t num_processes = trainer.run_config ? trainer.run_config->num_processes : 1;
  const int64_t steps_per_process = std::max<int64_t>(num_eval_steps_ / num_processes, 1);
  original_eval_dataloader_ = trainer.eval_dataloader;
  trainer.eval_dataloader = std::make_shared<BatchLoaderSlice>(original_eval_dataloader_, steps_per_process);
  trainer.print("Limiting evaluation to ", steps_per_process, " steps per process");
}

void LimitEvalStepsCallback::on_eval_epoch_end(Trainer& trainer, bool is_intermediate) {
  if (!applies(is_intermediate) || !original_eval_dataloader_) return;
  trainer.eval_dataloader = std::move(original_eval_dataloader_);
  original_eval_dataloader_ = nullptr;
}

}  // namespace accel::trainer
