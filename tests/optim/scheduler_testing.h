#pragma once
// An optimizer whose step() changes nothing, for scheduler tests: the schedulers only read and
// write the parameter groups' lr and options, so no gradients are needed.
#include <string>
#include <vector>

#include <accel/optim/optimizer.h>
#include <accel/tensor/factories.h>

namespace accel::optim::testing {

class NoOpOptimizer : public Optimizer {
 public:
  // One parameter group per lr; the defaults are "lr" (that of group 0) plus options.
  explicit NoOpOptimizer(const std::vector<double>& group_lrs, OrderedDict<double> options = {{"momentum", 0.0}})
      : Optimizer(groups(group_lrs), with_lr(group_lrs.at(0), std::move(options)), [](const OrderedDict<double>&) {}) {}
  void step() override {}
  const char* name() const override { return "NoOpOptimizer"; }

  std::vector<double> lrs() const {
    std::vector<double> out;
    for (const ParamGroup& group : param_groups()) out.push_back(group.lr);
    return out;
  }
  std::vector<double> option(const std::string& name) const {
    std::vector<double> out;
    for (const ParamGroup& group : param_groups()) out.push_back(group.options[name]);
    return out;
  }

 private:
  static std::vector<ParamGroup> groups(const std::vector<double>& lrs) {
    std::vector<ParamGroup> out;
    for (double lr : lrs) out.push_back({.params = {accel::zeros({2})}, .lr = lr});
    return out;
  }
  static OrderedDict<double> with_lr(double lr, OrderedDict<double> options) {
    OrderedDict<double> defaults{{"lr", lr}};
    for (const auto& [name, value] : options) defaults.insert(name, value);
    return defaults;
  }
};

// The fields of the Trainer's run config that create_scheduler_fn factories read (the schedulers take
// any type that has them).
struct RunConfig {
  int64_t num_epochs;
  int64_t num_update_steps_per_epoch;
  int64_t num_local_update_steps_per_epoch;
};

}  // namespace accel::optim::testing
