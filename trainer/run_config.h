#pragma once
// RunConfig (pytorch-accelerated's TrainerRunConfig): the settings of the current training or
// evaluation run, computed when train() or evaluate() starts. Scheduler factories read it, e.g.
// run_config.num_epochs and run_config.num_local_update_steps_per_epoch.
#include <cstdint>
#include <optional>
#include <string>

#include <accel/data/dataloader.h>
#include <accel/trainer/accelerator.h>

namespace accel::trainer {

struct RunConfig {
  int64_t num_epochs = 0;
  int64_t train_per_device_batch_size = 0;
  std::optional<data::DataLoaderOptions> train_dl_kwargs = std::nullopt;  // the train loader's options
  int64_t eval_per_device_batch_size = 0;
  std::optional<data::DataLoaderOptions> eval_dl_kwargs = std::nullopt;
  int64_t gradient_accumulation_steps = 1;
  std::optional<double> gradient_clip_value = std::nullopt;
  std::optional<double> gradient_clip_norm = std::nullopt;  // accel's addition: clip by total norm
  int64_t train_total_batch_size = 0;  // train per-device batch size * processes * accumulation steps
  int64_t eval_total_batch_size = 0;   // eval per-device batch size * processes
  // Optimizer updates per epoch over all processes, and in this process.
  int64_t num_update_steps_per_epoch = 0;
  int64_t num_local_update_steps_per_epoch = 0;
  // Updates after which training stops; without a limit, one more than the run can reach.
  int64_t max_num_train_steps = 0;
  bool is_local_process_zero = true;
  bool is_world_process_zero = true;
  bool is_distributed = false;
  std::string mixed_precision = "no";  // "no", "fp16" or "bf16"
  int64_t num_processes = 1;
  // Batches per epoch of this process's loaders (0 without one): the TRAIN_DATALOADER_LEN and
  // EVAL_DATALOADER_LEN placeholders.
  int64_t train_dataloader_len = 0;
  int64_t eval_dataloader_len = 0;
};
using TrainerRunConfig = RunConfig;

// The inputs of the run config (the arguments of the original's _create_run_config).
struct RunConfigArgs {
  int64_t num_epochs = 1;
  int64_t per_device_batch_size = 8;
  std::optional<data::DataLoaderOptions> train_dl_kwargs = std::nullopt;
  std::optional<data::DataLoaderOptions> eval_dl_kwargs = std::nullopt;
  int64_t gradient_accumulation_steps = 1;
  std::optional<int64_t> max_num_train_steps = std::nullopt;
  std::optional<double> gradient_clip_value = std::nullopt;
  std::optional<double> gradient_clip_norm = std::nullopt;
  std::optional<int64_t> train_dataloader_len = std::nullopt;  // unset: no train loader (evaluate)
  std::optional<int64_t> eval_dataloader_len = std::nullopt;
};

// The formulas of the original (§1.12):
//   per-device batch sizes: the loaders' batch_size (eval falls back to train's);
//   num_local_update_steps_per_epoch = ceil(train_dataloader_len / GA),
//   num_update_steps_per_epoch = ceil(train_dataloader_len * num_processes / GA);
//   without max_num_train_steps: max_num_train_steps = num_epochs * num_update_steps_per_epoch + 1;
//   with it: num_epochs = ceil(max_num_train_steps / num_local_update_steps_per_epoch) (accel counts
//   max steps per process, see docs/trainer.md).
// Non-positive epochs, accumulation steps, batch sizes or max steps are an accel::Error.
RunConfig create_run_config(const RunConfigArgs& args, const Accelerator& accelerator);

}  // namespace accel::trainer
