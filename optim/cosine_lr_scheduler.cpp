#include <accel/optim/cosine_lr_scheduler.h>

#include <cmath>
#include <numbers>

#include <accel/tensor/error.h>

#include <accel/optim/detail/no_fp_contract.h>  // last: it applies to what follows

namespace accel::optim {

CosineLrScheduler::CosineLrScheduler(Optimizer& optimizer, int64_t total_num_epochs,
                                     int64_t num_update_steps_per_epoch, CosineLrSchedulerOptions options)
    : StatefulSchedulerBase(optimizer), options_(options) {
  ACCEL_CHECK(total_num_epochs > 0 && num_update_steps_per_epoch > 0,
              "CosineLrScheduler: total_num_epochs and num_update_steps_per_epoch must be positive, got ",
              total_num_epochs, " and ", num_update_steps_per_epoch);
  ACCEL_CHECK(options.lr_min >= 0, "CosineLrScheduler: lr_min must be >= 0, got ", options.lr_min);
  ACCEL_CHECK(options.num_warmup_epochs >= 0 && options.num_cooldown_epochs >= 0,
              "CosineLrScheduler: num_warmup_epochs and num_cooldown_epochs must be >= 0, got ",
              options.num_warmup_epochs, " and ", options.num_cooldown_epochs);
  total_iterations_ = total_num_epochs * num_update_steps_per_epoch;
  warmup_iterations_ = options.num_warmup_epochs * num_update_steps_per_epoch;
  num_cooldown_iterations_ = options.num_cooldown_epochs * num_update_steps_per_epoch;
  if (warmup_iterations_ > 0) {
    std::vector<double> starts;
    for (double base_lr : base_lr_values()) starts.push_back(warmup_start(base_lr));
    update_param_groups(starts);
  }
}

double CosineLrScheduler::min_lr(double base_lr) const {
  return options_.min_lr_ratio ? *options_.min_lr_ratio * base_lr : options_.lr_min;
}

double CosineLrScheduler::warmup_start(double base_lr) const {
  return options_.warmup_starting_lr_ratio ? *options_.warmup_starting_lr_ratio * base_lr
                                           : options_.warmup_starting_lr;
}

// The original's operation order, so that lr(0) == initial lr exactly (its tests compare with ==).
std::vector<double> CosineLrScheduler::get_updated_values(int64_t num_updates) {
  const int64_t cosine_iterations = total_iterations_ - (warmup_iterations_ + num_cooldown_iterations_);
  const auto n = static_cast<double>(num_updates);
  std::vector<double> lrs;
  for (double base_lr : base_lr_values()) {
    if (num_updates < warmup_iterations_) {
      const double start = warmup_start(base_lr);
      lrs.push_back(start + n * ((base_lr - start) / static_cast<double>(warmup_iterations_)));
    } else if (num_updates < total_iterations_ - num_cooldown_iterations_) {
      const double lr_min = min_lr(base_lr);
      const double t = static_cast<double>(num_updates - warmup_iterations_);
      lrs.push_back(lr_min + 0.5 * (base_lr - lr_min) *
                                 (1 + std::cos(std::numbers::pi * std::pow(t, options_.k_decay) /
                                               std::pow(static_cast<double>(cosine_iterations), options_.k_decay))));
    } else {
      lrs.push_back(min_lr(base_lr));
    }
  }
  return lrs;
}

void CosineLrScheduler::save_state(SchedulerState& state) const {
  state.write("total_iterations", total_iterations_);
  state.write("lr_min_ratio", options_.min_lr_ratio);
  state.write("lr_min", options_.lr_min);
  state.write("warmup_iterations", warmup_iterations_);
  state.write("warmup_lr_init", options_.warmup_starting_lr);
  state.write("warmup_lr_ratio", options_.warmup_starting_lr_ratio);
  state.write("k_decay", options_.k_decay);
  state.write("num_cooldown_iterations", num_cooldown_iterations_);
  state.write("num_updates", num_updates_);
}

void CosineLrScheduler::load_state(const SchedulerState& state) {
  state.read("total_iterations", total_iterations_);
  state.read("lr_min_ratio", options_.min_lr_ratio);
  state.read("lr_min", options_.lr_min);
  state.read("warmup_iterations", warmup_iterations_);
  state.read("warmup_lr_init", options_.warmup_starting_lr);
  state.read("warmup_lr_ratio", options_.warmup_starting_lr_ratio);
  state.read("k_decay", options_.k_decay);
  state.read("num_cooldown_iterations", num_cooldown_iterations_);
  state.read("num_updates", num_updates_);
}

}  // namespace accel::optim
