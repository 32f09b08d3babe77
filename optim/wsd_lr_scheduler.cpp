#include <accel/optim/wsd_lr_scheduler.h>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include <accel/tensor/error.h>

#include <accel/optim/detail/no_fp_contract.h>  // last: it applies to what follows

namespace accel::optim {

std::vector<int64_t> estimate_checkpoint_steps(int64_t total_steps, int64_t num_checkpoints) {
  ACCEL_CHECK(total_steps > 0 && num_checkpoints > 0, "estimate_checkpoint_steps: total_steps (", total_steps,
              ") and num_checkpoints (", num_checkpoints, ") must be positive");
  std::vector<int64_t> steps;
  for (int64_t step = total_steps; step > 0 && static_cast<int64_t>(steps.size()) < num_checkpoints; step /= 2)
    steps.push_back(step);
  std::reverse(steps.begin(), steps.end());
  return steps;
}

WSDLrScheduler::WSDLrScheduler(Optimizer& optimizer, WSDLrSchedulerOptions options)
    : StatefulSchedulerBase(optimizer),
      decay_phase_ratio_(options.decay_phase_ratio),
      lr_min_(options.lr_min),
      warmup_starting_lr_(options.warmup_starting_lr),
      use_inverse_sqrt_decay_(options.use_inverse_sqrt_decay),
      num_checkpoints_(options.num_checkpoints),
      is_continuation_(options.is_continuation_from_checkpoint) {
  const bool from_epochs = options.num_epochs && options.num_update_steps_per_epoch;
  ACCEL_CHECK(!(from_epochs && options.total_steps),
              "WSDLrScheduler: only num_epochs and num_update_steps_per_epoch, or total_steps should be provided");
  ACCEL_CHECK(from_epochs || options.total_steps,
              "WSDLrScheduler: give total_steps, or num_epochs and num_update_steps_per_epoch");
  total_steps_ = from_epochs ? *options.num_epochs * *options.num_update_steps_per_epoch : *options.total_steps;
  ACCEL_CHECK(total_steps_ > 0, "WSDLrScheduler: total_steps must be positive, got ", total_steps_);
  ACCEL_CHECK(decay_phase_ratio_ >= 0 && decay_phase_ratio_ <= 1,
              "WSDLrScheduler: decay_phase_ratio must be in [0, 1], got ", decay_phase_ratio_);
  ACCEL_CHECK(lr_min_ >= 0, "WSDLrScheduler: lr_min must be >= 0, got ", lr_min_);
  ACCEL_CHECK(use_inverse_sqrt_decay_ || lr_min_ > 0,
              "WSDLrScheduler: the inverse-proportional decay needs lr_min > 0");
  ACCEL_CHECK(num_checkpoints_ > 0, "WSDLrScheduler: num_checkpoints must be positive, got ", num_checkpoints_);
  num_warmup_steps_ =
      options.num_warmup_steps.value_or(static_cast<int64_t>(0.01 * static_cast<double>(total_steps_)));
  ACCEL_CHECK(num_warmup_steps_ >= 0, "WSDLrScheduler: num_warmup_steps must be >= 0, got ", num_warmup_steps_);
  checkpoint_steps_ = estimate_checkpoint_steps(total_steps_, num_checkpoints_);
  const double max_base_lr = *std::max_element(base_lr_values().begin(), base_lr_values().end());
  ACCEL_CHECK(warmup_starting_lr_ <= max_base_lr, "WSDLrScheduler: warmup_starting_lr (", warmup_starting_lr_,
              ") should not exceed the maximum base learning rate (", max_base_lr, ")");
  // Decay phases longer than a third of a period overlap the previous period's in the halving spacing.
  ACCEL_CHECK(num_checkpoints_ == 1 || decay_phase_ratio_ <= 1.0 / 3, "WSDLrScheduler: decay phase ratio ",
              decay_phase_ratio_, " is too large and may cause overlapping decay phases; the maximum safe ratio is ",
              "0.33 with ", num_checkpoints_, " checkpoints using geometric progression");
  decay_info_ = compute_decay_info();
}

std::vector<WSDPeriod> WSDLrScheduler::compute_decay_info() const {
  std::vector<WSDPeriod> info;
  int64_t period_start = 0;
  for (int64_t checkpoint : checkpoint_steps_) {
    const auto decay_steps = static_cast<int64_t>(static_cast<double>(checkpoint - period_start) * decay_phase_ratio_);
    info.push_back({period_start, checkpoint, decay_steps, checkpoint - decay_steps});
    period_start = checkpoint;
  }
  return info;
}

const WSDPeriod& WSDLrScheduler::get_phase_info(int64_t num_updates) const {
  for (const WSDPeriod& period : decay_info_)
    if (period.period_end >= num_updates) return period;
  return decay_info_.back();
}

std::pair<int64_t, int64_t> WSDLrScheduler::checkpoint_info(int64_t num_updates) const {
  size_t index = checkpoint_steps_.size() - 1;
  for (size_t i = 0; i < checkpoint_steps_.size(); ++i)
    if (num_updates < checkpoint_steps_[i]) {
      index = i;
      break;
    }
  const int64_t period_start = index == 0 ? 0 : checkpoint_steps_[index - 1];
  return {checkpoint_steps_[index] - period_start, num_updates - period_start};
}

// The original's operation order, so that the stable and warmup values match it exactly.
std::vector<double> WSDLrScheduler::get_updated_values(int64_t num_updates) {
  std::vector<double> lrs = base_lr_values();
  if (!is_continuation_ && num_updates < num_warmup_steps_) {
    const double fraction = static_cast<double>(num_updates) / static_cast<double>(num_warmup_steps_);
    for (double& lr : lrs) lr = warmup_starting_lr_ + fraction * (lr - warmup_starting_lr_);
    return lrs;
  }
  const auto [period_length, steps_into_period] = checkpoint_info(num_updates);
  const auto decay_steps = static_cast<int64_t>(static_cast<double>(period_length) * decay_phase_ratio_);
  const int64_t decay_start = period_length - decay_steps;
  if (!is_continuation_ && steps_into_period == decay_start - 1) previous_checkpoint_step_ = num_updates;
  if (steps_into_period < decay_start) return lrs;

  // Past the last checkpoint the decay has finished, also for a period without decay steps.
  const double t = decay_steps == 0 ? 1.0
                                    : std::min(static_cast<double>(steps_into_period - decay_start) /
                                                   static_cast<double>(decay_steps),
                                               1.0);
  for (double& lr : lrs) {
    if (use_inverse_sqrt_decay_) {
      lr = lr * (lr_min_ + (1 - lr_min_) * (1 - std::sqrt(t)));
    } else {
      lr = lr / (t * (1.0 / lr_min_) + (1.0 - t) * 1.0);
    }
  }
  return lrs;
}

void WSDLrScheduler::save_state(SchedulerState& state) const {
  StatefulSchedulerBase::save_state(state);
  nlohmann::json info = nlohmann::json::array();
  for (const WSDPeriod& period : decay_info_)
    info.push_back({{"period_start", period.period_start},
                    {"period_end", period.period_end},
                    {"decay_steps", period.decay_steps},
                    {"pre_decay_step", period.pre_decay_step}});
  state.write_json("checkpoint_decay_info", info.dump());
  state.write("checkpoint_steps", checkpoint_steps_);
  state.write("decay_phase_ratio", decay_phase_ratio_);
  state.write("is_continuation_from_checkpoint", is_continuation_);
  state.write("lr_min", lr_min_);
  state.write("num_checkpoints", num_checkpoints_);
  state.write("num_warmup_steps", num_warmup_steps_);
  state.write("previous_checkpoint_step", previous_checkpoint_step_);
  state.write("total_steps", total_steps_);
  state.write("use_inverse_sqrt_decay", use_inverse_sqrt_decay_);
  state.write("warmup_starting_lr", warmup_starting_lr_);
}

namespace {

std::vector<WSDPeriod> parse_decay_info(const std::string& text) {
  const nlohmann::json info = nlohmann::json::parse(text);
  ACCEL_CHECK(info.is_array(), "WSDLrScheduler::load_state_dict: 'checkpoint_decay_info' is not a list");
  std::vector<WSDPeriod> periods;
  for (const nlohmann::json& period : info) {
    auto field = [&](const char* key) {
      ACCEL_CHECK(period.is_object() && period.contains(key) && period[key].is_number_integer(),
                  "WSDLrScheduler::load_state_dict: a period of 'checkpoint_decay_info' has no integer '", key, "'");
      return period[key].get<int64_t>();
    };
    periods.push_back({field("period_start"), field("period_end"), field("decay_steps"), field("pre_decay_step")});
  }
  return periods;
}

}  // namespace

void WSDLrScheduler::load_state(const SchedulerState& state) {
  // A continuation takes the earlier run's schedule shape and base values, nothing of its position.
  if (is_continuation_) {
    SchedulerBase::load_state(state);
  } else {
    StatefulSchedulerBase::load_state(state);
  }
  state.read_if_present("decay_phase_ratio", decay_phase_ratio_);
  state.read_if_present("lr_min", lr_min_);
  state.read_if_present("num_checkpoints", num_checkpoints_);
  state.read_if_present("num_warmup_steps", num_warmup_steps_);
  state.read_if_present("use_inverse_sqrt_decay", use_inverse_sqrt_decay_);
  state.read_if_present("warmup_starting_lr", warmup_starting_lr_);
  ACCEL_CHECK(num_checkpoints_ > 0 && lr_min_ >= 0 && (use_inverse_sqrt_decay_ || lr_min_ > 0),
              "WSDLrScheduler::load_state_dict: the state's num_checkpoints or lr_min is invalid");
  if (is_continuation_) {
    previous_checkpoint_step_ = std::nullopt;
    checkpoint_steps_ = estimate_checkpoint_steps(total_steps_, num_checkpoints_);
    decay_info_ = compute_decay_info();
    num_updates_ = -1;
    return;
  }
  state.read_if_present("total_steps", total_steps_);
  state.read_if_present("is_continuation_from_checkpoint", is_continuation_);
  state.read_if_present("previous_checkpoint_step", previous_checkpoint_step_);
  const bool new_steps = state.read_if_present("checkpoint_steps", checkpoint_steps_);
  ACCEL_CHECK(!checkpoint_steps_.empty() && std::is_sorted(checkpoint_steps_.begin(), checkpoint_steps_.end()) &&
                  checkpoint_steps_.front() > 0,
              "WSDLrScheduler::load_state_dict: 'checkpoint_steps' must be positive steps in increasing order");
  if (state.contains("checkpoint_decay_info")) {
    decay_info_ = parse_decay_info(state.read_json("checkpoint_decay_info"));
    ACCEL_CHECK(!decay_info_.empty(), "WSDLrScheduler::load_state_dict: 'checkpoint_decay_info' is empty");
  } else if (new_steps) {
    decay_info_ = compute_decay_info();
  }
}

}  // namespace accel::optim
