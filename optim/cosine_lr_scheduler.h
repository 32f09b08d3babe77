#pragma once
// pytorch-accelerated's CosineLrScheduler: optional linear warmup, cosine annealing (with k-decay,
// arXiv 2004.05909) from each group's initial lr to a minimum, and an optional cooldown held at
// the minimum, which also holds after the schedule ends. Lengths are given in epochs of
// num_update_steps_per_epoch updates; step() once per update.
//
//   accel::optim::CosineLrScheduler scheduler(optimizer, /*total_num_epochs=*/10,
//                                             /*num_update_steps_per_epoch=*/100,
//                                             {.num_warmup_epochs = 1, .num_cooldown_epochs = 1});
//
// Differences from the original (docs/optim.md): with a warmup the cosine spans the steps between
// warmup and cooldown (the original cuts the arc short and holds the minimum for warmup + cooldown
// steps), a warmup_starting_lr_ratio sets each group's starting lr and warmup slope (the original
// starts every group at warmup_starting_lr and slopes from it), and create_scheduler_fn defaults
// to the per-process number of updates per epoch.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <accel/optim/scheduler_base.h>

namespace accel::optim {

struct CosineLrSchedulerOptions {
  double k_decay = 1.0;                  // > 1 keeps the lr high for longer
  double lr_min = 1e-6;                  // >= 0
  std::optional<double> min_lr_ratio;    // if set, each group's minimum is this times its initial lr
  int64_t num_warmup_epochs = 0;
  double warmup_starting_lr = 1e-6;
  std::optional<double> warmup_starting_lr_ratio;  // if set, overrides warmup_starting_lr per group
  int64_t num_cooldown_epochs = 0;
};

class CosineLrScheduler : public StatefulSchedulerBase {
 public:
  CosineLrScheduler(Optimizer& optimizer, int64_t total_num_epochs, int64_t num_update_steps_per_epoch,
                    CosineLrSchedulerOptions options = {});

  std::vector<double> get_updated_values(int64_t num_updates) override;
  const char* name() const override { return "CosineLrScheduler"; }

  // A scheduler factory for the Trainer, which calls it with the optimizer and its run config
  // once the run's length is known (pytorch-accelerated's create_scheduler_fn). Unset lengths
  // come from the run config: total_num_epochs from run_config.num_epochs and
  // num_update_steps_per_epoch from run_config.num_local_update_steps_per_epoch.
  //   trainer.train({..., .create_scheduler_fn = CosineLrScheduler::create_scheduler_fn({.num_warmup_epochs = 5})});
  static auto create_scheduler_fn(CosineLrSchedulerOptions options = {},
                                  std::optional<int64_t> total_num_epochs = std::nullopt,
                                  std::optional<int64_t> num_update_steps_per_epoch = std::nullopt) {
    return [=](Optimizer& optimizer, const auto& run_config) -> std::unique_ptr<Scheduler> {
      return std::make_unique<CosineLrScheduler>(
          optimizer, total_num_epochs.value_or(run_config.num_epochs),
          num_update_steps_per_epoch.value_or(run_config.num_local_update_steps_per_epoch), options);
    };
  }

 protected:
  // Exactly the original's keys: "total_iterations", "lr_min_ratio", "lr_min", "warmup_iterations",
  // "warmup_lr_init", "warmup_lr_ratio", "k_decay", "num_cooldown_iterations", "num_updates";
  // loading requires them all.
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  double min_lr(double base_lr) const;
  double warmup_start(double base_lr) const;

  int64_t total_iterations_;
  int64_t warmup_iterations_;
  int64_t num_cooldown_iterations_;
  CosineLrSchedulerOptions options_;
};

}  // namespace accel::optim
