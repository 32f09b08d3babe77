#pragma once
// SaveTrainingStateCallback: saves resumable training states (Trainer::save_training_state) into
// save_dir: "step_<n>" every save_every_n_steps micro-batches (counted over the whole run),
// "epoch_<e>" every save_every_n_epochs epochs, and "final" at the end of training. With
// max_checkpoints, the oldest states this callback saved are deleted beyond that many. Each state's
// metadata has "global_step" (micro-batches so far). Resume with
// trainer.train({..., .resume_from = "training_states/epoch_2"}).
//
// An epoch state is saved at the end of the epoch's training, so it records the next epoch as its
// current_epoch: resuming from "epoch_2" starts at epoch 3 (the original re-ran epoch 2).
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include <accel/trainer/callback.h>

namespace accel::trainer {

struct SaveTrainingStateCallbackOptions {
  std::string save_dir = "training_states";
  std::optional<int64_t> save_every_n_epochs = std::nullopt;
  std::optional<int64_t> save_every_n_steps = std::nullopt;
  bool save_at_end = true;
  std::optional<int64_t> max_checkpoints = std::nullopt;  // unset: keep every state
};

class SaveTrainingStateCallback : public TrainerCallback {
 public:
  explicit SaveTrainingStateCallback(SaveTrainingStateCallbackOptions options = {});

  void on_training_run_start(Trainer& trainer) override;
  void on_train_step_end(Trainer& trainer, const data::Batch& batch, const BatchOutput& batch_output,
                         int64_t step) override;
  void on_train_epoch_end(Trainer& trainer) override;
  void on_training_run_end(Trainer& trainer) override;

  int64_t global_step() const { return global_step_; }
  // The states saved and not yet deleted, oldest first.
  const std::deque<std::string>& saved_checkpoints() const { return saved_checkpoints_; }

 private:
  void save(Trainer& trainer, const std::string& name, std::optional<int64_t> next_epoch = std::nullopt);

  SaveTrainingStateCallbackOptions options_;
  int64_t global_step_ = 0;
  std::deque<std::string> saved_checkpoints_;
};

}  // namespace accel::trainer
