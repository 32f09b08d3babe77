#pragma once
// Accelerator: where and how this process trains, read from the launcher's environment as HF
// accelerate does, so that the same program runs on one CPU, one GPU or (with the distributed
// layer) many processes without code changes.
//
//   ACCEL_MIXED_PRECISION  no | fp16 | bf16           (default no)
//   WORLD_SIZE, RANK       the processes of the run    (default 1, 0)
//   LOCAL_WORLD_SIZE, LOCAL_RANK  those on this node   (default WORLD_SIZE, RANK)
//   ACCEL_DEVICE           cpu | cuda | cuda:N         (default cuda:LOCAL_RANK when a GPU is visible, else cpu)
//
// Override Trainer::create_accelerator to set these in code. Today the Trainer reports the mixed
// precision mode in the run config but does not autocast or scale the loss: autocast and the
// GradScaler plug into backward_step/optimizer_step with a later issue, as does the process group
// that gather() and no_sync() will use when num_processes > 1.
#include <cstdint>
#include <string>

#include <accel/tensor/device.h>

namespace accel::trainer {

class Accelerator {
 public:
  // Reads the variables above; malformed values are an accel::Error naming the variable.
  static Accelerator from_environment();

  int64_t num_processes = 1;
  int64_t process_index = 0;        // the global rank
  int64_t num_local_processes = 1;  // the processes on this node
  int64_t local_process_index = 0;  // the rank on this node
  std::string mixed_precision = "no";
  Device device = kCPU;

  bool is_distributed() const { return num_processes > 1; }
  bool is_main_process() const { return process_index == 0; }
  bool is_local_main_process() const { return local_process_index == 0; }

  // Gradient accumulation runs its non-update micro-batches inside this window, so that data
  // parallelism will skip their gradient all-reduce; with one process there is nothing to skip.
  class NoSyncWindow {
   public:
    NoSyncWindow() = default;
    NoSyncWindow(const NoSyncWindow&) = delete;
    NoSyncWindow& operator=(const NoSyncWindow&) = delete;
  };
  [[nodiscard]] NoSyncWindow no_sync() const { return {}; }
};

}  // namespace accel::trainer
