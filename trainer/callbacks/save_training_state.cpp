#include <accel/trainer/callbacks/save_training_state.h>

#include <filesystem>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

namespace fs = std::filesystem;

SaveTrainingStateCallback::SaveTrainingStateCallback(SaveTrainingStateCallbackOptions options)
    : options_(std::move(options)) {
  ACCEL_CHECK(!options_.save_dir.empty(), "SaveTrainingStateCallback: save_dir is empty");
  ACCEL_CHECK(options_.save_every_n_epochs.value_or(1) > 0,
              "SaveTrainingStateCallback: save_every_n_epochs must be positive, got ", *options_.save_every_n_epochs);
  ACCEL_CHECK(options_.save_every_n_steps.value_or(1) > 0,
              "SaveTrainingStateCallback: save_every_n_steps must be positive, got ", *options_.save_every_n_steps);
  ACCEL_CHECK(options_.max_checkpoints.value_or(1) > 0,
              "SaveTrainingStateCallback: max_checkpoints must be positive, got ", *options_.max_checkpoints);
}

void SaveTrainingStateCallback::on_training_run_start(Trainer&) {
  fs::create_directories(options_.save_dir);
  global_step_ = 0;
}

void SaveTrainingStateCallback::on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput&, int64_t) {
  ++global_step_;
  if (options_.save_every_n_steps && global_step_ % *options_.save_every_n_steps == 0) {
    save(trainer, "step_" + std::to_string(global_step_));
  }
}

void SaveTrainingStateCallback::on_train_epoch_end(Trainer& trainer) {
  const int64_t epoch = trainer.run_history->current_epoch();
  if (options_.save_every_n_epochs && epoch % *options_.save_every_n_epochs == 0) {
    save(trainer, "epoch_" + std::to_string(epoch), epoch + 1);
  }
}

void SaveTrainingStateCallback::on_training_run_end(Trainer& trainer) {
  if (options_.save_at_end) save(trainer, "final");
}

void SaveTrainingStateCallback::save(Trainer& trainer, const std::string& name, std::optional<int64_t> next_epoch) {
  const std::string path = (fs::path(options_.save_dir) / name).string();
  Metadata metadata;
  metadata.insert("global_step", global_step_);
  if (next_epoch) metadata.insert("current_epoch", *next_epoch);
  trainer.save_training_state(path, metadata);
  trainer.print("\nSaved training state to ", path);
  // A state saved again under the same name (e.g. "final" of a second run) is not a second copy.
  std::erase(saved_checkpoints_, path);
  saved_checkpoints_.push_back(path);
  while (options_.max_checkpoints && static_cast<int64_t>(saved_checkpoints_.size()) > *options_.max_checkpoints) {
    fs::remove_all(saved_checkpoints_.front());
    saved_checkpoints_.pop_front();
  }
}

}  // namespace accel::trainer
