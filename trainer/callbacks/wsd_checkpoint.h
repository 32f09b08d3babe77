#pragma once
// WSDCheckpointCallback: checkpoints for Warmup-Stable-Decay training (optim::WSDLrScheduler).
// When the schedule is about to enter a decay phase it saves a resumable training state
// "checkpoint_<step>_wsd_pre_decay" (a directory: continue the stable phase from it, WSD); when a
// decay phase has ended it saves a checkpoint file "checkpoint_<step>_wsd_post_decay.safetensors"
// (the decayed model, WSD-S). <step> is the number of optimizer updates done. Both carry the
// metadata step, checkpoint_type, total_steps (the scheduler's), decay_fraction and timestamp.
// initial_checkpoint (a directory or a file, when it exists) is loaded at the start of training.
// The scheduler must be a WSDLrScheduler (create_scheduler_fn = WSDLrScheduler::create_scheduler_fn()).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <accel/optim/wsd_lr_scheduler.h>
#include <accel/trainer/callback.h>

namespace accel::trainer {

struct WSDCheckpointCallbackOptions {
  std::string save_dir = "checkpoints";  // created by the constructor
  bool save_optimizer = true;            // in post-decay checkpoints (training states hold everything)
  bool save_scheduler = true;
  std::optional<std::string> initial_checkpoint = std::nullopt;
};

class WSDCheckpointCallback : public TrainerCallback {
 public:
  explicit WSDCheckpointCallback(WSDCheckpointCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_train_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output,
                         int64_t step) override;
  void on_training_run_end(Trainer& trainer) override;

  // The update count of the latest checkpoint saved or loaded.
  std::optional<int64_t> last_checkpoint_step() const { return last_checkpoint_step_; }
  const std::vector<int64_t>& checkpoint_steps() const { return checkpoint_steps_; }

 private:
  const optim::WSDLrScheduler& scheduler(const Trainer& trainer) const;
  void save(Trainer& trainer, int64_t step, const std::string& checkpoint_type);

  WSDCheckpointCallbackOptions options_;
  std::optional<int64_t> last_checkpoint_step_;
  std::vector<int64_t> checkpoint_steps_;
  double decay_fraction_ = 0.0;
};

}  // namespace accel::trainer
