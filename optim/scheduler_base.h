#pragma once
// pytorch-accelerated's scheduler bases: schedule any numeric field of the optimizer's parameter
// groups ("lr" by default) from the number of optimizer updates, given explicitly
// (SchedulerBase::step_update) or counted by the scheduler (StatefulSchedulerBase::step).
//
//   class Halving : public accel::optim::StatefulSchedulerBase {
//    public:
//     using StatefulSchedulerBase::StatefulSchedulerBase;
//     std::vector<double> get_updated_values(int64_t num_updates) override {
//       std::vector<double> lrs;
//       for (double base : base_lr_values()) lrs.push_back(base / (1 + num_updates));
//       return lrs;
//     }
//     const char* name() const override { return "Halving"; }
//   };
#include <cstdint>
#include <string>
#include <vector>

#include <accel/optim/scheduler.h>

namespace accel::optim {

class SchedulerBase {
 public:
  // (Public, so that subclasses can inherit it with `using SchedulerBase::SchedulerBase`.)
  // param_group_field: "lr" or the name of a group option (e.g. "weight_decay"); a field a group
  // lacks is an Error. For "lr" the initial value is group.initial_lr, set unless an earlier
  // scheduler set it (then it is the base value, as with PyTorch's schedulers). For other fields
  // the initial values stay in the scheduler, since the optimizer accepts only its own options.
  explicit SchedulerBase(Optimizer& optimizer, std::string param_group_field = "lr");

  virtual ~SchedulerBase() = default;
  SchedulerBase(const SchedulerBase&) = delete;
  SchedulerBase& operator=(const SchedulerBase&) = delete;

  // The field's values after num_updates updates: empty for no change, one value for every
  // group, or one value per group.
  virtual std::vector<double> get_updated_values(int64_t num_updates) = 0;
  // Computes the values for num_updates and writes them into the parameter groups.
  void step_update(int64_t num_updates);

  const std::string& param_group_field() const { return param_group_field_; }
  // Each group's value of the field when the scheduler was created (its "initial_<field>").
  const std::vector<double>& base_lr_values() const { return base_lr_values_; }
  Optimizer& optimizer() const { return optimizer_; }
  virtual const char* name() const = 0;

  // Every attribute but the optimizer: "param_group_field" and "base_lr_values" plus those of
  // subclasses. Loading replaces the values of the keys present (Python's __dict__.update).
  virtual std::string state_dict() const;
  virtual void load_state_dict(const std::string& state);

 protected:
  // One value for every group, or one per group.
  void update_param_groups(const std::vector<double>& values);

  virtual void save_state(SchedulerState& state) const;
  virtual void load_state(const SchedulerState& state);

 private:
  double& field(ParamGroup& group) const;

  Optimizer& optimizer_;
  std::string param_group_field_;
  std::vector<double> base_lr_values_;
};

// Counts updates itself: the first step() applies get_updated_values(0), the next 1, and so on.
// (Within a training loop the first update therefore uses the values the constructor set.)
class StatefulSchedulerBase : public SchedulerBase, public Scheduler {
 public:
  using SchedulerBase::SchedulerBase;
  void step() override;
  // The count that the latest step() used; -1 before the first.
  int64_t num_updates() const { return num_updates_; }

  // One definition for both bases.
  std::string state_dict() const override { return SchedulerBase::state_dict(); }
  void load_state_dict(const std::string& state) override { SchedulerBase::load_state_dict(state); }
  const char* name() const override = 0;

 protected:
  // Adds "num_updates" to the base's keys.
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

  int64_t num_updates_ = -1;
};

}  // namespace accel::optim
