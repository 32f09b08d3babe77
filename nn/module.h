#pragma once
// nn::Module: the base of every layer and model. A module owns named parameters (tensors that
// require grad and that optimizers update), buffers (state that is saved but not trained, e.g.
// batch norm's running statistics) and child modules, and finds them recursively with PyTorch's
// dotted names ("features.0.weight").
//
//   struct Net : accel::nn::Module {
//     Net() {
//       fc1 = register_module("fc1", nn::Linear(784, 128));
//       fc2 = register_module("fc2", nn::Linear(128, 10));
//     }
//     Tensor forward(const Tensor& x) override { return fc2->forward(relu(fc1->forward(x))); }
//     std::shared_ptr<nn::Linear> fc1, fc2;
//   };
//   auto net = std::make_shared<Net>();
//   Tensor y = (*net)(x);
//
// Modules are used through std::shared_ptr. A module with a single-tensor forward overrides
// forward(const Tensor&); others (losses, attention) add their own forward overloads.
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/ordered_dict.h>
#include <accel/tensor/tensor.h>

namespace accel::nn {

class Module;
namespace detail {
// Clears the registrations of `copy` (a copy-constructed clone of `original`), after which the
// caller runs reset(); then copies values and training mode over.
void prepare_clone(Module& copy);
void finish_clone(Module& copy, const Module& original);
}  // namespace detail

class Module : public std::enable_shared_from_this<Module> {
 public:
  // type_name: how the module prints ("Linear"); empty uses the class name (without namespaces).
  explicit Module(std::string type_name = "") : type_name_(std::move(type_name)) {}
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  // ---- forward ----
  // The single-tensor forward; the default throws (the module takes other arguments).
  virtual Tensor forward(const Tensor& input);
  // forward inside this module's name scope (anomaly mode reports it).
  Tensor operator()(const Tensor& input);

  // ---- registration (usually from a constructor or reset()) ----
  // Registers a parameter; it is made a leaf that requires grad (unless requires_grad is false).
  // An undefined tensor registers "no parameter" (e.g. a Linear without bias): it is skipped by
  // parameters() and state_dict(), like PyTorch's None.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    register_child(name, module);
    return module;
  }
  // register_module("fc", nn::Linear(3, 4)): takes the module by value.
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  std::shared_ptr<std::decay_t<M>> register_module(const std::string& name, M&& module) {
    return register_module(name, std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  // Replaces a registered child (keeps its position).
  void replace_module(const std::string& name, std::shared_ptr<Module> module);

  // ---- traversal ----
  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  const OrderedDict<std::shared_ptr<Module>>& named_children() const { return children_; }
  // This module (when include_self; it must be owned by a shared_ptr) and all descendants, depth first.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true);
  OrderedDict<std::shared_ptr<Module>> named_modules(const std::string& prefix = "", bool include_self = true);
  // fn on every descendant, then on this module (PyTorch's order).
  void apply(const std::function<void(Module&)>& fn);
  int64_t num_parameters(bool only_trainable = false) const;

  // ---- mode, placement, gradients ----
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Moves / converts every parameter and buffer in place: tensors keep their identity (handles
  // held elsewhere, e.g. by an optimizer, see the change). Floating dtypes only are converted.
  void to(Device device);
  void to(DType dtype);
  void to(Device device, DType dtype);
  void zero_grad(bool set_to_none = true);

  // ---- state ----
  // Parameters, then buffers, with dotted names; the tensors share memory with the module's.
  StateDict state_dict() const;
  // Copies values in (under no-grad). strict: missing and unexpected keys are errors; shapes must
  // always match. The error lists every offending key.
  void load_state_dict(const StateDict& state, bool strict = true);

  // ---- copy and printing ----
  // A deep copy: new parameters and buffers with the same values, same training mode. Modules
  // built in reset() (all of accel's, and user modules deriving from Cloneable) support it.
  virtual std::shared_ptr<Module> clone() const;
  // The module's line, like PyTorch's repr: "Linear(in_features=784, out_features=128, bias=True)";
  // the default is "TypeName()". A module with children prints "TypeName(", one indented
  // "(name): ..." line per child, and ")" (as PyTorch does for modules without extra_repr).
  virtual void pretty_print(std::ostream& os) const;
  std::string type_name() const;

 private:
  friend std::ostream& operator<<(std::ostream& os, const Module& module);
  void register_child(const std::string& name, std::shared_ptr<Module> module);
  friend void detail::finish_clone(Module& copy, const Module& original);
  friend void detail::prepare_clone(Module& copy);
  void print_tree(std::ostream& os, int indent) const;
  void collect_named(OrderedDict<Tensor>& out, const std::string& prefix, bool parameters, bool recurse) const;
  void check_new_name(const std::string& name, const char* kind) const;

  std::string type_name_;
  OrderedDict<Tensor> parameters_;
  OrderedDict<Tensor> buffers_;
  OrderedDict<std::shared_ptr<Module>> children_;
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& os, const Module& module);

// The base of modules that can be deep-copied: Derived is copy-constructible and creates all its
// parameters, buffers and children in reset() (which its constructor calls). clone() copies
// Derived (its options), lets reset() build fresh tensors and children, and copies the values in.
template <typename Derived>
class Cloneable : public Module {
 public:
  using Module::Module;
  virtual void reset() = 0;
  std::shared_ptr<Module> clone() const override;
};

template <typename Derived>
std::shared_ptr<Module> Cloneable<Derived>::clone() const {
  auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
  detail::prepare_clone(*copy);
  copy->reset();
  detail::finish_clone(*copy, *this);
  return copy;
}

}  // namespace accel::nn
