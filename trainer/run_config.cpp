#include <accel/trainer/run_config.h>

#include <accel/tensor/error.h>

namespace accel::trainer {

namespace {
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

RunConfig create_run_config(const RunConfigArgs& args, const Accelerator& accelerator) {
  ACCEL_CHECK(args.num_epochs > 0, "Trainer: num_epochs must be positive, got ", args.num_epochs);
  ACCEL_CHECK(args.per_device_batch_size > 0, "Trainer: per_device_batch_size must be positive, got ",
              args.per_device_batch_size);
  ACCEL_CHECK(args.gradient_accumulation_steps > 0, "Trainer: gradient_accumulation_steps must be positive, got ",
              args.gradient_accumulation_steps);
  ACCEL_CHECK(!args.max_num_train_steps || *args.max_num_train_steps > 0,
              "Trainer: max_num_train_steps must be positive, got ", args.max_num_train_steps.value_or(0));
  ACCEL_CHECK(!args.gradient_clip_value || *args.gradient_clip_value > 0,
              "Trainer: gradient_clip_value must be positive, got ", args.gradient_clip_value.value_or(0));
  ACCEL_CHECK(!args.gradient_clip_norm || *args.gradient_clip_norm > 0,
              "Trainer: gradient_clip_norm must be positive, got ", args.gradient_clip_norm.value_or(0));

  RunConfig config;
  config.train_per_device_batch_size =
      args.train_dl_kwargs ? args.train_dl_kwargs->batch_size : args.per_device_batch_size;
  config.train_dl_kwargs = args.train_dl_kwargs;
  config.eval_per_device_batch_size =
      args.eval_dl_kwargs ? args.eval_dl_kwargs->batch_size : config.train_per_device_batch_size;
  config.eval_dl_kwargs = args.eval_dl_kwargs;
  config.gradient_accumulation_steps = args.gradient_accumulation_steps;
  config.gradient_clip_value = args.gradient_clip_value;
  config.gradient_clip_norm = args.gradient_clip_norm;
  config.num_processes = accelerator.num_processes;
  config.is_distributed = accelerator.is_distributed();
  config.is_local_process_zero = accelerator.is_local_main_process();
  config.is_world_process_zero = accelerator.is_main_process();
  config.mixed_precision = accelerator.mixed_precision;
  config.train_dataloader_len = args.train_dataloader_len.value_or(0);
  config.eval_dataloader_len = args.eval_dataloader_len.value_or(0);

  if (args.train_dataloader_len) {
    const int64_t local_batches = *args.train_dataloader_len;
    config.num_update_steps_per_epoch =
        ceil_div(local_batches * accelerator.num_processes, args.gradient_accumulation_steps);
    config.num_local_update_steps_per_epoch = ceil_div(local_batches, args.gradient_accumulation_steps);
  }

  config.num_epochs = args.num_epochs;
  if (args.max_num_train_steps) {
    // Max steps count this process's updates (docs/trainer.md), so they set the epochs through
    // the per-process number of updates per epoch.
    ACCEL_CHECK(config.num_local_update_steps_per_epoch > 0,
                "Trainer: max_num_train_steps needs a train dataloader with at least one batch");
    config.max_num_train_steps = *args.max_num_train_steps;
    config.num_epochs = ceil_div(config.max_num_train_steps, config.num_local_update_steps_per_epoch);
  } else {
    config.max_num_train_steps = config.num_epochs * config.num_update_steps_per_epoch + 1;
  }

  config.train_total_batch_size =
      config.train_per_device_batch_size * accelerator.num_processes * args.gradient_accumulation_steps;
  config.eval_total_batch_size = config.eval_per_device_batch_size * accelerator.num_processes;
  return config;
}

}  // namespace accel::trainer
