#pragma once
// The callbacks the Trainer is created with unless given others (DEFAULT_CALLBACKS), and the one it
// puts first when ACCEL_LIMIT_BATCHES is set. Implemented with the built-in callbacks (trainer/callbacks/).
#include <cstdint>
#include <memory>
#include <vector>

#include <accel/trainer/callback.h>

namespace accel::trainer {

// MoveModulesToDeviceCallback, TerminateOnNaNCallback, PrintProgressCallback, ProgressBarCallback
// (only when progress_bar) and LogMetricsCallback, in that order (the order matters).
std::vector<std::shared_ptr<TrainerCallback>> default_callbacks(bool progress_bar = true);

// LimitBatchesCallback(num_batches).
std::shared_ptr<TrainerCallback> limit_batches_callback(int64_t num_batches);

}  // namespace accel::trainer
