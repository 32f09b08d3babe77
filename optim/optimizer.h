#pragma once
// optim::Optimizer: parameter groups, per-parameter state, zero_grad/step, state dicts.
//
//   accel::optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
//   optimizer.add_param_group({.params = head->parameters(), .lr = 0.1});
//
// Each optimizer takes a typed options struct; inside, a group's hyper-parameters live as named
// numbers (PyTorch's param_group dict), so that schedulers, checkpoints and the Trainer handle every
// optimizer the same way: group.lr, group.options["momentum"], group.options["beta1"]. Boolean
// options are 0 or 1.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include <accel/tensor/ordered_dict.h>
#include <accel/tensor/tensor.h>

namespace accel::optim {

struct ParamGroup {
  std::vector<Tensor> params;
  // NaN: the optimizer's default.
  double lr = std::numeric_limits<double>::quiet_NaN();
  // The group's other hyper-parameters by name; missing ones take the optimizer's defaults.
  OrderedDict<double> options = {};
  // Set by the first scheduler attached to the optimizer (PyTorch's "initial_lr").
  double initial_lr = std::numeric_limits<double>::quiet_NaN();
};

// What an optimizer remembers about one parameter between steps.
struct ParamState {
  int64_t step = 0;   // updates applied to the parameter (optimizers that need it count it)
  StateDict tensors;  // e.g. "momentum_buffer", "exp_avg"; each has the parameter's shape
};

// What state_dict() returns: tensors (per-parameter state, named "state.<index>.<name>" with
// parameters indexed in group order, as PyTorch's) and the hyper-parameters and scalar state as JSON.
// The tensors are the optimizer's own buffers, not copies (as in PyTorch); load_state_dict copies.
struct OptimizerState {
  StateDict tensors;
  std::string json;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (runs without recording).
  virtual void step() = 0;
  void zero_grad(bool set_to_none = true);

  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  // A parameter already in another group is an error; options missing from the group take the
  // defaults. Unknown option names and invalid values are an error.
  void add_param_group(ParamGroup group);
  const OrderedDict<double>& defaults() const { return defaults_; }

  OptimizerState state_dict() const;
  // Restores state saved from an optimizer of the same type over parameters of the same shapes
  // (matched by position, as PyTorch does); mismatches are an Error naming what differs, and leave
  // the optimizer unchanged.
  void load_state_dict(const OptimizerState& state);
  // One safetensors file: the state tensors, with the JSON as the metadata entry "optimizer".
  void save(const std::string& path) const;
  void load(const std::string& path);

  virtual const char* name() const = 0;

 protected:
  // Throws if a set of hyper-parameters (every name of the defaults, "lr" included) is invalid.
  using HyperParameterCheck = std::function<void(const OrderedDict<double>& hyper_parameters)>;
  // defaults: every hyper-parameter this optimizer knows, including "lr".
  Optimizer(std::vector<ParamGroup> groups, OrderedDict<double> defaults, HyperParameterCheck check);

  // Per-parameter state, created empty on first use.
  ParamState& state(const Tensor& param);

 private:
  std::vector<ParamGroup> groups_;
  OrderedDict<double> defaults_;
  HyperParameterCheck check_;
  // Keyed by the parameter's TensorImpl, which the groups keep alive (set_data keeps it too).
  std::unordered_map<const TensorImpl*, ParamState> state_;
};

}  // namespace accel::optim
