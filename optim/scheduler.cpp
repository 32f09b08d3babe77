#include <accel/optim/scheduler.h>

#include <cmath>

#include <accel/tensor/error.h>

namespace accel::optim {

namespace detail {
std::vector<double> per_group(const char* function, const char* what, const std::vector<double>& values,
                              size_t num_groups) {
  if (values.size() == 1) return std::vector<double>(num_groups, values[0]);
  ACCEL_CHECK(values.size() == num_groups, function, ": ", what, " has ", values.size(),
              " values, the optimizer has ", num_groups, " parameter groups");
  return values;
}
}  // namespace detail

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {}

void LRScheduler::initialize() {
  base_lrs_.clear();
  for (ParamGroup& group : optimizer_.param_groups()) {
    if (std::isnan(group.initial_lr)) group.initial_lr = group.lr;
    base_lrs_.push_back(group.initial_lr);
  }
  last_epoch_ = -1;
  initial_step();
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  is_initial_ = true;
  try {
    step();
  } catch (...) {
    is_initial_ = false;
    throw;
  }
  is_initial_ = false;
}

void LRScheduler::step() {
  ++step_count_;
  update_lr(std::nullopt);
}

void LRScheduler::update_lr(std::optional<int64_t> epoch) {
  std::vector<double> values;
  if (epoch) {
    last_epoch_ = *epoch;
    values = closed_form_lr();
  } else {
    ++last_epoch_;
    values = get_lr();
  }
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  ACCEL_CHECK(values.size() == groups.size(), name(), ": computed ", values.size(), " learning rates for ",
              groups.size(), " parameter groups");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].lr = values[i];
  last_lr_ = std::move(values);
}

std::vector<double> LRScheduler::group_lrs() const {
  std::vector<double> lrs;
  for (const ParamGroup& group : optimizer_.param_groups()) lrs.push_back(group.lr);
  return lrs;
}

void LRScheduler::save_state(SchedulerState& state) const {
  state.write("base_lrs", base_lrs_);
  state.write("last_epoch", last_epoch_);
  state.write("_step_count", step_count_);
  state.write("_last_lr", last_lr_);
}

void LRScheduler::load_state(const SchedulerState& state) {
  state.read_if_present("base_lrs", base_lrs_);
  state.read_if_present("last_epoch", last_epoch_);
  state.read_if_present("_step_count", step_count_);
  state.read_if_present("_last_lr", last_lr_);
}

std::string LRScheduler::state_dict() const {
  SchedulerState state;
  save_state(state);
  return state.dump();
}

void LRScheduler::load_state_dict(const std::string& text) {
  const SchedulerState state = SchedulerState::parse(text);
  const size_t num_groups = optimizer_.param_groups().size();
  std::vector<double> base_lrs;
  if (state.read_if_present("base_lrs", base_lrs))
    ACCEL_CHECK(base_lrs.size() == num_groups, name(), "::load_state_dict: the state has ", base_lrs.size(),
                " base_lrs, the optimizer ", num_groups, " parameter groups");
  load_state(state);
}

}  // namespace accel::optim
