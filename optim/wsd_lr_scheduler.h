#pragma once
// pytorch-accelerated's WSDLrScheduler: Warmup-Stable-Decay (arXiv 2410.05192). A linear warmup,
// then the initial lr held, and before each checkpoint a short decay to lr_min * initial lr; at
// a checkpoint the lr jumps back up and the next period starts stable.
//
//   accel::optim::WSDLrScheduler scheduler(optimizer, {.total_steps = 10000, .num_checkpoints = 3});
//
// Checkpoints are spaced geometrically and end at total_steps: [total/4, total/2, total] for 3.
// A continuation run (is_continuation_from_checkpoint) loads the state of an earlier run, keeps
// its own total_steps, and starts stable, without warmup.
//
// Differences from the original (docs/optim.md): the last checkpoint is always total_steps (the
// original doubles from total/4, so two checkpoints end at total/2 and four give only three),
// after the last checkpoint the lr stays at its final decayed value (also when a period has no
// decay steps, where the original divides by zero), state_dict() includes "num_updates" so that a
// resumed run continues its count, and a continuation stays a continuation after loading the
// earlier run's state.
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <accel/optim/scheduler_base.h>

namespace accel::optim {

struct WSDLrSchedulerOptions {
  // The length: total_steps, or num_epochs and num_update_steps_per_epoch (per process).
  std::optional<int64_t> num_epochs = std::nullopt;
  std::optional<int64_t> num_update_steps_per_epoch = std::nullopt;
  std::optional<int64_t> total_steps = std::nullopt;
  std::optional<int64_t> num_warmup_steps = 0;  // nullopt: 1% of total_steps
  double decay_phase_ratio = 0.1;               // share of each period spent decaying, in [0, 1]
  double lr_min = 1e-6;                         // the decay's end, as a fraction of the initial lr
  double warmup_starting_lr = 1e-6;             // at most the largest initial lr
  bool use_inverse_sqrt_decay = true;           // sqrt decay; false: the paper's inverse-proportional
  int64_t num_checkpoints = 1;
  bool is_continuation_from_checkpoint = false;
};

// One checkpoint period: [period_start, period_end), decaying from pre_decay_step on.
struct WSDPeriod {
  int64_t period_start;
  int64_t period_end;
  int64_t decay_steps;
  int64_t pre_decay_step;
  bool operator==(const WSDPeriod&) const = default;
};

// Checkpoint steps for a run of total_steps: total_steps halved num_checkpoints - 1 times, in
// increasing order, stopping before a step of 0.
std::vector<int64_t> estimate_checkpoint_steps(int64_t total_steps, int64_t num_checkpoints);

// The options of WSDLrScheduler::create_scheduler_fn (pytorch-accelerated's keyword arguments).
struct WSDLrSchedulerFnOptions {
  std::optional<int64_t> total_num_epochs = std::nullopt;  // default: run_config.num_epochs
  // default: run_config.num_local_update_steps_per_epoch
  std::optional<int64_t> num_update_steps_per_epoch = std::nullopt;
  std::optional<int64_t> num_warmup_epochs = std::nullopt;  // default: 1% of the steps
  double decay_phase_ratio = 0.1;
  double lr_min = 1e-6;
  double warmup_starting_lr = 1e-6;
  bool use_inverse_sqrt_decay = true;
  int64_t num_checkpoints = 1;
  bool is_continuation_from_checkpoint = false;
};

class WSDLrScheduler : public StatefulSchedulerBase {
 public:
  WSDLrScheduler(Optimizer& optimizer, WSDLrSchedulerOptions options);

  std::vector<double> get_updated_values(int64_t num_updates) override;
  const char* name() const override { return "WSDLrScheduler"; }

  const std::vector<int64_t>& get_checkpoint_steps() const { return checkpoint_steps_; }
  const std::vector<WSDPeriod>& get_decay_info() const { return decay_info_; }
  // The first period ending at or after num_updates, else the last.
  const WSDPeriod& get_phase_info(int64_t num_updates) const;
  const WSDPeriod& get_current_phase_info() const { return get_phase_info(num_updates_); }
  int64_t get_current_step() const { return num_updates_; }
  // {period length, steps into the period} at num_updates; past the last checkpoint, the last
  // period continues.
  std::pair<int64_t, int64_t> checkpoint_info(int64_t num_updates) const;

  int64_t total_steps() const { return total_steps_; }
  int64_t num_warmup_steps() const { return num_warmup_steps_; }
  int64_t num_checkpoints() const { return num_checkpoints_; }
  double decay_phase_ratio() const { return decay_phase_ratio_; }
  double lr_min() const { return lr_min_; }
  bool is_continuation_from_checkpoint() const { return is_continuation_; }
  // The last update before a decay phase started (set while stepping), if any.
  std::optional<int64_t> previous_checkpoint_step() const { return previous_checkpoint_step_; }

  static auto create_scheduler_fn(WSDLrSchedulerFnOptions options = {}) {
    return [=](Optimizer& optimizer, const auto& run_config) -> std::unique_ptr<Scheduler> {
      const int64_t steps_per_epoch =
          options.num_update_steps_per_epoch.value_or(run_config.num_local_update_steps_per_epoch);
      std::optional<int64_t> num_warmup_steps;
      if (options.num_warmup_epochs) num_warmup_steps = run_config.num_local_update_steps_per_epoch * *options.num_warmup_epochs;
      return std::make_unique<WSDLrScheduler>(
          optimizer, WSDLrSchedulerOptions{.num_epochs = options.total_num_epochs.value_or(run_config.num_epochs),
                                           .num_update_steps_per_epoch = steps_per_epoch,
                                           .num_warmup_steps = num_warmup_steps,
                                           .decay_phase_ratio = options.decay_phase_ratio,
                                           .lr_min = options.lr_min,
                                           .warmup_starting_lr = options.warmup_starting_lr,
                                           .use_inverse_sqrt_decay = options.use_inverse_sqrt_decay,
                                           .num_checkpoints = options.num_checkpoints,
                                           .is_continuation_from_checkpoint = options.is_continuation_from_checkpoint});
    };
  }

 protected:
  // The original's keys ("base_lr_values", "checkpoint_decay_info", "checkpoint_steps",
  // "decay_phase_ratio", "is_continuation_from_checkpoint", "lr_min", "num_checkpoints",
  // "num_warmup_steps", "param_group_field", "previous_checkpoint_step", "total_steps",
  // "use_inverse_sqrt_decay", "warmup_starting_lr") plus "num_updates". Loading replaces the keys
  // present; a continuation keeps its total_steps, recomputes the checkpoints, forgets the
  // previous checkpoint step and restarts its count.
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  std::vector<WSDPeriod> compute_decay_info() const;

  int64_t total_steps_;
  int64_t num_warmup_steps_;
  double decay_phase_ratio_;
  double lr_min_;
  double warmup_starting_lr_;
  bool use_inverse_sqrt_decay_;
  int64_t num_checkpoints_;
  bool is_continuation_;
  std::optional<int64_t> previous_checkpoint_step_;
  std::vector<int64_t> checkpoint_steps_;
  std::vector<WSDPeriod> decay_info_;
};

}  // namespace accel::optim
