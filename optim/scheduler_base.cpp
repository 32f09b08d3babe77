#include <accel/optim/scheduler_base.h>

#include <cmath>

#include <accel/tensor/error.h>

namespace accel::optim {

SchedulerBase::SchedulerBase(Optimizer& optimizer, std::string param_group_field)
    : optimizer_(optimizer), param_group_field_(std::move(param_group_field)) {
  std::vector<ParamGroup>& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i)
    ACCEL_CHECK(param_group_field_ == "lr" || groups[i].options.contains(param_group_field_), "SchedulerBase: ",
                param_group_field_, " missing from param_groups[", i, "]");
  for (ParamGroup& group : groups) {
    if (param_group_field_ != "lr") {
      base_lr_values_.push_back(field(group));
      continue;
    }
    if (std::isnan(group.initial_lr)) group.initial_lr = group.lr;
    base_lr_values_.push_back(group.initial_lr);
  }
  for (size_t i = 0; i < groups.size(); ++i) field(groups[i]) = base_lr_values_[i];
}

double& SchedulerBase::field(ParamGroup& group) const {
  return param_group_field_ == "lr" ? group.lr : group.options[param_group_field_];
}

void SchedulerBase::step_update(int64_t num_updates) {
  const std::vector<double> values = get_updated_values(num_updates);
  if (!values.empty()) update_param_groups(values);
}

void SchedulerBase::update_param_groups(const std::vector<double>& values) {
  std::vector<ParamGroup>& groups = optimizer_.param_groups();
  const std::vector<double> per_group = detail::per_group("SchedulerBase::update_param_groups", "values", values, groups.size());
  for (size_t i = 0; i < groups.size(); ++i) field(groups[i]) = per_group[i];
}

void SchedulerBase::save_state(SchedulerState& state) const {
  state.write("param_group_field", param_group_field_);
  state.write("base_lr_values", base_lr_values_);
}

void SchedulerBase::load_state(const SchedulerState& state) {
  std::string field = param_group_field_;
  state.read_if_present("param_group_field", field);
  ACCEL_CHECK(field == param_group_field_, name(), "::load_state_dict: the state schedules '", field,
              "', this scheduler '", param_group_field_, "'");
  std::vector<double> base_values = base_lr_values_;
  state.read_if_present("base_lr_values", base_values);
  ACCEL_CHECK(base_values.size() == base_lr_values_.size(), name(), "::load_state_dict: the state has ",
              base_values.size(), " base values, the optimizer ", base_lr_values_.size(), " parameter groups");
  base_lr_values_ = std::move(base_values);
}

std::string SchedulerBase::state_dict() const {
  SchedulerState state;
  save_state(state);
  return state.dump();
}

void SchedulerBase::load_state_dict(const std::string& text) { load_state(SchedulerState::parse(text)); }

void StatefulSchedulerBase::step() {
  ++num_updates_;
  step_update(num_updates_);
}

void StatefulSchedulerBase::save_state(SchedulerState& state) const {
  SchedulerBase::save_state(state);
  state.write("num_updates", num_updates_);
}

void StatefulSchedulerBase::load_state(const SchedulerState& state) {
  SchedulerBase::load_state(state);
  state.read_if_present("num_updates", num_updates_);
}

}  // namespace accel::optim
