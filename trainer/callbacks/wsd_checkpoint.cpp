#include <accel/trainer/callbacks/wsd_checkpoint.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

namespace fs = std::filesystem;

namespace {
// Local time as ISO 8601, e.g. "2026-02-09T12:00:00" (Python's datetime.now().isoformat(), to the second).
std::string iso_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &local);
  return buffer;
}
}  // namespace

WSDCheckpointCallback::WSDCheckpointCallback(WSDCheckpointCallbackOptions options) : options_(std::move(options)) {
  ACCEL_CHECK(!options_.save_dir.empty(), "WSDCheckpointCallback: save_dir is empty");
  fs::create_directories(options_.save_dir);
}

const optim::WSDLrScheduler& WSDCheckpointCallback::scheduler(const Trainer& trainer) const {
  const auto* wsd = dynamic_cast<const optim::WSDLrScheduler*>(trainer.scheduler.get());
  ACCEL_CHECK(wsd, "WSDCheckpointCallback: the scheduler must implement get_checkpoint_steps() (",
              trainer.scheduler ? trainer.scheduler->name() : "no scheduler",
              " does not). Are you using WSDLrScheduler?");
  return *wsd;
}

void WSDCheckpointCallback::on_training_run_start(Trainer& trainer) {
  const optim::WSDLrScheduler& wsd = scheduler(trainer);
  checkpoint_steps_ = wsd.get_checkpoint_steps();
  decay_fraction_ = wsd.decay_phase_ratio();
  if (!options_.initial_checkpoint || !fs::exists(*options_.initial_checkpoint)) return;
  const std::string& path = *options_.initial_checkpoint;
  trainer.print("\nLoading checkpoint from ", path);
  // A directory is a pre-decay training state, a file a post-decay checkpoint.
  const Metadata metadata =
      fs::is_directory(path) ? trainer.load_training_state(path) : trainer.load_checkpoint(path).checkpoint_kwargs;
  const MetadataValue* step = metadata.find("step");
  last_checkpoint_step_ = step ? std::optional<int64_t>(metadata_as<int64_t>(*step)) : std::nullopt;
}

void WSDCheckpointCallback::on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput&, int64_t) {
  const optim::WSDLrScheduler& wsd = scheduler(trainer);
  // The updates done so far: this event comes before the micro-batch's own update.
  const int64_t total = wsd.get_current_step() + 1;
  // Every micro-batch of an accumulation window sees the same count.
  if (last_checkpoint_step_ == total) return;
  const optim::WSDPeriod& period = wsd.get_phase_info(total);
  if (total == period.pre_decay_step) {
    trainer.print("\nWSD Lr Scheduler entering decay phase at step ", total);
    save(trainer, total, "wsd_pre_decay");
  } else if (total == period.period_end) {
    save(trainer, total, "wsd_post_decay");
  }
}

void WSDCheckpointCallback::on_training_run_end(Trainer& trainer) {
  const optim::WSDLrScheduler& wsd = scheduler(trainer);
  const int64_t total = wsd.get_current_step() + 1;
  if (last_checkpoint_step_ != total && total == wsd.get_phase_info(total).period_end) {
    save(trainer, total, "wsd_post_decay");
  }
}

void WSDCheckpointCallback::save(Trainer& trainer, int64_t step, const std::string& checkpoint_type) {
  Metadata metadata;
  metadata.insert("step", step);
  metadata.insert("checkpoint_type", checkpoint_type);
  metadata.insert("total_steps", scheduler(trainer).total_steps());
  metadata.insert("decay_fraction", decay_fraction_);
  metadata.insert("timestamp", iso_timestamp());
  const fs::path name = "checkpoint_" + std::to_string(step) + "_" + checkpoint_type;
  if (checkpoint_type == "wsd_pre_decay") {
    trainer.save_training_state((fs::path(options_.save_dir) / name).string(), metadata);
  } else {
    trainer.save_checkpoint((fs::path(options_.save_dir) / name).string() + ".safetensors",
                            {.checkpoint_kwargs = metadata,
                             .save_optimizer = options_.save_optimizer,
                             .save_scheduler = options_.save_scheduler});
  }
  trainer.print("\nSaved ", checkpoint_type, " checkpoint at step ", step);
  last_checkpoint_step_ = step;
}

}  // namespace accel::trainer
