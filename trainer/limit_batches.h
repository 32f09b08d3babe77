#pragma once
// LimitBatches: limits every Trainer created in its scope to `num_batches` batches per train and
// eval epoch (a quick end-to-end check of a training script), by setting ACCEL_LIMIT_BATCHES, which
// makes the Trainer's constructor put a LimitBatchesCallback first. The variable may also be set
// outside the program: ACCEL_LIMIT_BATCHES=2 ./train (the value "none" means no limit).
//
//   { accel::trainer::LimitBatches limit(4); accel::Trainer trainer(...); trainer.train(...); }
#include <cstdint>
#include <optional>

namespace accel::trainer {

inline constexpr const char* kLimitBatchesEnvVar = "ACCEL_LIMIT_BATCHES";

// The limit set by ACCEL_LIMIT_BATCHES: nothing when unset or "none" (any case); a value that is
// not a positive integer is an accel::Error.
std::optional<int64_t> limit_batches_from_environment();

class LimitBatches {
 public:
  explicit LimitBatches(int64_t num_batches);
  // Removes the variable (as the original's context manager does, whatever it was before).
  ~LimitBatches();
  LimitBatches(const LimitBatches&) = delete;
  LimitBatches& operator=(const LimitBatches&) = delete;
};

}  // namespace accel::trainer
