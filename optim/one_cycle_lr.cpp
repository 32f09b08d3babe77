#include <accel/optim/one_cycle_lr.h>

#include <cmath>
#include <numbers>

#include <accel/tensor/error.h>

#include <accel/optim/detail/no_fp_contract.h>  // last: it applies to what follows

namespace accel::optim {

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, OneCycleLROptions options)
    : OneCycleLR(optimizer, std::vector<double>{max_lr}, std::move(options)) {}

OneCycleLR::OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr, OneCycleLROptions options)
    : LRScheduler(optimizer), options_(std::move(options)) {
  if (options_.total_steps) {
    ACCEL_CHECK(*options_.total_steps > 0, "OneCycleLR: expected a positive total_steps, got ", *options_.total_steps);
    total_steps_ = *options_.total_steps;
  } else {
    ACCEL_CHECK(options_.epochs && options_.steps_per_epoch,
                "OneCycleLR: give either total_steps or (epochs and steps_per_epoch)");
    ACCEL_CHECK(*options_.epochs > 0, "OneCycleLR: expected a positive epochs, got ", *options_.epochs);
    ACCEL_CHECK(*options_.steps_per_epoch > 0, "OneCycleLR: expected a positive steps_per_epoch, got ",
                *options_.steps_per_epoch);
    total_steps_ = *options_.epochs * *options_.steps_per_epoch;
  }
  ACCEL_CHECK(options_.pct_start >= 0 && options_.pct_start <= 1, "OneCycleLR: pct_start must be in [0, 1], got ",
              options_.pct_start);
  ACCEL_CHECK(options_.anneal_strategy == "cos" || options_.anneal_strategy == "linear",
              "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got '", options_.anneal_strategy, "'");
  build_phases();

  std::vector<ParamGroup>& groups = optimizer.param_groups();
  max_lrs_ = detail::per_group("OneCycleLR", "max_lr", max_lr, groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].initial_lr = max_lrs_[i] / options_.div_factor;
    min_lrs_.push_back(groups[i].initial_lr / options_.final_div_factor);
  }
  if (options_.cycle_momentum) {
    const OrderedDict<double>& defaults = optimizer.defaults();
    ACCEL_CHECK(defaults.contains("momentum") || defaults.contains("beta1"), "OneCycleLR: ", optimizer.name(),
                " has neither momentum nor beta1, which cycle_momentum needs");
    momentum_option_ = defaults.contains("beta1") ? "beta1" : "momentum";
    max_momentums_ = detail::per_group("OneCycleLR", "max_momentum", options_.max_momentum, groups.size());
    base_momentums_ = detail::per_group("OneCycleLR", "base_momentum", options_.base_momentum, groups.size());
    for (size_t i = 0; i < groups.size(); ++i) groups[i].options.set(momentum_option_, max_momentums_[i]);
  }
  initialize();
}

void OneCycleLR::build_phases() {
  const double total = static_cast<double>(total_steps_);
  const double pct = options_.pct_start;
  if (options_.three_phase) {
    phases_ = {{pct * total - 1, Lr::kInitial, Lr::kMax, Momentum::kMax, Momentum::kBase},
               {2 * pct * total - 2, Lr::kMax, Lr::kInitial, Momentum::kBase, Momentum::kMax},
               {total - 1, Lr::kInitial, Lr::kMin, Momentum::kMax, Momentum::kMax}};
  } else {
    phases_ = {{pct * total - 1, Lr::kInitial, Lr::kMax, Momentum::kMax, Momentum::kBase},
               {total - 1, Lr::kMax, Lr::kMin, Momentum::kBase, Momentum::kMax}};
  }
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy == "cos") {
    const double cos_out = std::cos(std::numbers::pi * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }
  return (end - start) * pct + start;
}

double OneCycleLR::lr_of(size_t group, Lr which) const {
  switch (which) {
    case Lr::kInitial: return optimizer().param_groups()[group].initial_lr;
    case Lr::kMax: return max_lrs_[group];
    case Lr::kMin: return min_lrs_[group];
  }
  ACCEL_FAIL("OneCycleLR: unknown phase point");
}

double OneCycleLR::momentum_of(size_t group, Momentum which) const {
  return which == Momentum::kMax ? max_momentums_[group] : base_momentums_[group];
}

std::vector<double> OneCycleLR::get_lr() {
  const int64_t step_num = last_epoch();
  ACCEL_CHECK(step_num <= total_steps_, "OneCycleLR: tried to step ", step_num,
              " times; the specified number of total steps is ", total_steps_);
  std::vector<ParamGroup>& groups = optimizer().param_groups();
  std::vector<double> lrs;
  for (size_t g = 0; g < groups.size(); ++g) {
    double start_step = 0.0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (static_cast<double>(step_num) <= phase.end_step || i + 1 == phases_.size()) {
        // PyTorch divides by zero here (a phase of no steps) and raises.
        ACCEL_CHECK(phase.end_step != start_step, "OneCycleLR: phase ", i, " of ", total_steps_,
                    " total steps has no steps (pct_start ", options_.pct_start, ")");
        const double pct = (static_cast<double>(step_num) - start_step) / (phase.end_step - start_step);
        lrs.push_back(anneal(lr_of(g, phase.start_lr), lr_of(g, phase.end_lr), pct));
        if (options_.cycle_momentum)
          groups[g].options.set(momentum_option_, anneal(momentum_of(g, phase.start_momentum),
                                                         momentum_of(g, phase.end_momentum), pct));
        break;
      }
      start_step = phase.end_step;
    }
  }
  return lrs;
}

void OneCycleLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("total_steps", total_steps_);
  state.write("pct_start", options_.pct_start);
  state.write("_anneal_func_type", options_.anneal_strategy);
  state.write("three_phase", options_.three_phase);
  state.write("cycle_momentum", options_.cycle_momentum);
  state.write("max_lr", max_lrs_);
  state.write("min_lr", min_lrs_);
  state.write("max_momentum", max_momentums_);
  state.write("base_momentum", base_momentums_);
}

void OneCycleLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  state.read_if_present("total_steps", total_steps_);
  state.read_if_present("pct_start", options_.pct_start);
  state.read_if_present("_anneal_func_type", options_.anneal_strategy);
  state.read_if_present("three_phase", options_.three_phase);
  state.read_if_present("max_lr", max_lrs_);
  state.read_if_present("min_lr", min_lrs_);
  bool cycle_momentum = options_.cycle_momentum;
  state.read_if_present("cycle_momentum", cycle_momentum);
  ACCEL_CHECK(!cycle_momentum || options_.cycle_momentum,
              "OneCycleLR::load_state_dict: the state cycles momentum; construct the scheduler with cycle_momentum");
  state.read_if_present("max_momentum", max_momentums_);
  state.read_if_present("base_momentum", base_momentums_);
  const size_t num_groups = optimizer().param_groups().size();
  ACCEL_CHECK(max_lrs_.size() == num_groups && min_lrs_.size() == num_groups,
              "OneCycleLR::load_state_dict: the state's max_lr/min_lr do not have one value per parameter group");
  ACCEL_CHECK(!cycle_momentum || (max_momentums_.size() == num_groups && base_momentums_.size() == num_groups),
              "OneCycleLR::load_state_dict: the state's momentum bounds do not have one value per parameter group");
  ACCEL_CHECK(options_.anneal_strategy == "cos" || options_.anneal_strategy == "linear",
              "OneCycleLR::load_state_dict: unknown anneal strategy '", options_.anneal_strategy, "'");
  options_.cycle_momentum = cycle_momentum;
  build_phases();
}

}  // namespace accel::optim
