#include <accel/nn/module.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <ostream>
#include <sstream>
#include <typeinfo>
#include <unordered_set>

#include <accel/nn/utils.h>
#include <accel/tensor/error.h>

namespace accel::nn {

namespace {

std::string demangled_class_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> raw(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  std::string name = status == 0 ? raw.get() : type.name();
  // "accel::nn::Linear" -> "Linear"; "(anonymous namespace)::Net" -> "Net"; "ns::Box<ns::T>" -> "Box".
  name = name.substr(0, name.find('<'));
  const size_t colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

std::string shape_string(const Tensor& t) {
  std::ostringstream os;
  os << "[";
  for (int64_t d = 0; d < t.dim(); ++d) os << (d ? ", " : "") << t.size(d);
  os << "]";
  return os.str();
}

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string out;
  for (const std::string& key : keys) out += (out.empty() ? "\"" : ", \"") + key + "\"";
  return out;
}

// Applies fn to every defined parameter and buffer of module and its descendants, and to their
// gradients (each tensor once, even when shared).
void for_each_tensor(const Module& module, const std::function<void(const Tensor&)>& fn) {
  std::unordered_set<const TensorImpl*> seen;
  auto visit = [&](const Tensor& t) {
    if (!t.defined() || !seen.insert(t.impl()).second) return;
    fn(t);
    if (t.grad().defined() && seen.insert(t.grad().impl()).second) fn(t.grad());
  };
  for (const auto& item : module.named_parameters()) visit(item.second);
  for (const auto& item : module.named_buffers()) visit(item.second);
}

}  // namespace

// ---- forward ----

Tensor Module::forward(const Tensor&) {
  ACCEL_FAIL(type_name(), ": this module has no single-tensor forward(input); call its own forward overload");
}

Tensor Module::operator()(const Tensor& input) {
  if (!autograd::AnomalyMode::is_enabled()) return forward(input);
  // The name is only needed for anomaly reports; it must outlive the scope.
  const std::string name = type_name();
  autograd::ModuleNameScope scope(name.c_str());
  return forward(input);
}

// ---- registration ----

void Module::check_new_name(const std::string& name, const char* kind) const {
  ACCEL_CHECK(!name.empty(), type_name(), ": a ", kind, " name cannot be empty");
  ACCEL_CHECK(name.find('.') == std::string::npos, type_name(), ": a ", kind, " name cannot contain '.', got '",
              name, "'");
  // Re-registering under the same name replaces (as assigning a Python attribute does); a name
  // used by another kind of member is an error.
  const bool taken_by_other = (std::string(kind) != "parameter" && parameters_.contains(name)) ||
                              (std::string(kind) != "buffer" && buffers_.contains(name)) ||
                              (std::string(kind) != "module" && children_.contains(name));
  ACCEL_CHECK(!taken_by_other, type_name(), ": cannot register ", kind, " '", name,
              "': the name is already used by another parameter, buffer or module");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "parameter");
  if (tensor.defined()) {
    ACCEL_CHECK(!requires_grad || tensor.is_floating_point(), type_name(), ": parameter '", name,
                "' must be floating point to require grad, got ", accel::name(tensor.dtype()));
    // A parameter is a leaf: optimizers update it in place and its gradient accumulates in .grad.
    if (!tensor.is_leaf()) tensor = tensor.detach();
    tensor.requires_grad_(requires_grad);
  }
  parameters_.set(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name, "buffer");
  buffers_.set(name, tensor);
  return tensor;
}

void Module::register_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module");
  ACCEL_CHECK(module, type_name(), ": cannot register a null module as '", name, "'");
  children_.set(name, std::move(module));
}

void Module::replace_module(const std::string& name, std::shared_ptr<Module> module) {
  ACCEL_CHECK(children_.contains(name), type_name(), ": replace_module: no child module named '", name, "'");
  register_child(name, std::move(module));
}

// ---- traversal ----

void Module::collect_named(OrderedDict<Tensor>& out, const std::string& prefix, bool parameters,
                           bool recurse) const {
  for (const auto& [name, tensor] : parameters ? parameters_ : buffers_)
    if (tensor.defined()) out.insert(join(prefix, name), tensor);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect_named(out, join(prefix, name), parameters, true);
}

namespace {
// PyTorch lists a tensor shared by several modules (tied weights) once, under its first name.
OrderedDict<Tensor> without_duplicates(const OrderedDict<Tensor>& all) {
  OrderedDict<Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  for (const auto& [name, tensor] : all)
    if (seen.insert(tensor.impl()).second) out.insert(name, tensor);
  return out;
}
}  // namespace

OrderedDict<Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<Tensor> all;
  collect_named(all, "", /*parameters=*/true, recurse);
  return without_duplicates(all);
}

OrderedDict<Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<Tensor> all;
  collect_named(all, "", /*parameters=*/false, recurse);
  return without_duplicates(all);
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }
std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }
std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::shared_ptr<Module>> Module::named_modules(const std::string& prefix, bool include_self) {
  OrderedDict<std::shared_ptr<Module>> out;
  std::unordered_set<const Module*> seen;
  std::function<void(const std::shared_ptr<Module>&, const std::string&)> visit =
      [&](const std::shared_ptr<Module>& module, const std::string& name) {
        if (!seen.insert(module.get()).second) return;
        out.insert(name, module);
        for (const auto& [child_name, child] : module->children_) visit(child, join(name, child_name));
      };
  if (include_self) {
    std::shared_ptr<Module> self = weak_from_this().lock();
    ACCEL_CHECK(self, type_name(), ": modules()/named_modules() with include_self need the module to be owned "
                "by a std::shared_ptr (create it with std::make_shared)");
    visit(self, prefix);
  } else {
    seen.insert(this);
    for (const auto& [name, child] : children_) visit(child, join(prefix, name));
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) {
  return named_modules("", include_self).values();
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& [name, child] : children_) child->apply(fn);
  fn(*this);
}

int64_t Module::num_parameters(bool only_trainable) const {
  return utils::num_parameters(parameters(), only_trainable);
}

// ---- mode, placement, gradients ----

void Module::train(bool on) {
  training_ = on;
  for (const auto& [name, child] : children_) child->train(on);
}

void Module::to(Device device) {
  NoGradGuard no_grad;
  for_each_tensor(*this, [&](const Tensor& t) { t.set_data(t.to(device)); });
}

void Module::to(DType dtype) {
  ACCEL_CHECK(is_floating_point(dtype), type_name(), ".to: modules convert to floating dtypes only, got ",
              name(dtype));
  NoGradGuard no_grad;
  for_each_tensor(*this, [&](const Tensor& t) {
    if (t.is_floating_point()) t.set_data(t.to(dtype));
  });
}

void Module::to(Device device, DType dtype) {
  to(dtype);
  to(device);
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.mutable_grad() = Tensor();
    } else {
      // A gradient built with create_graph has history; the zeroed one must not.
      p.mutable_grad() = p.grad().detach();
      p.grad().zero_();
    }
  }
}

// ---- state ----

StateDict Module::state_dict() const {
  StateDict out;
  std::function<void(const Module&, const std::string&)> visit = [&](const Module& m, const std::string& prefix) {
    for (const auto& [name, t] : m.parameters_)
      if (t.defined()) out.insert(join(prefix, name), t.detach());
    for (const auto& [name, t] : m.buffers_)
      if (t.defined()) out.insert(join(prefix, name), t.detach());
    for (const auto& [name, child] : m.children_) visit(*child, join(prefix, name));
  };
  visit(*this, "");
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [key, target] : own) {
    const Tensor* source = state.find(key);
    if (!source) {
      missing.push_back(key);
    } else if (!source->defined() || source->sizes() != target.sizes()) {
      mismatched.push_back("size mismatch for " + key + ": copying a param with shape " +
                           (source->defined() ? shape_string(*source) : "undefined") +
                           " from checkpoint, the shape in current model is " + shape_string(target) + ".");
    }
  }
  for (const auto& [key, source] : state)
    if (!own.contains(key)) unexpected.push_back(key);

  std::string errors;
  if (strict && !missing.empty()) errors += "\n\tMissing key(s) in state_dict: " + quoted_list(missing) + ".";
  if (strict && !unexpected.empty()) errors += "\n\tUnexpected key(s) in state_dict: " + quoted_list(unexpected) + ".";
  for (const std::string& line : mismatched) errors += "\n\t" + line;
  // Nothing is copied unless everything can be (PyTorch copies the good keys before it raises).
  ACCEL_CHECK(errors.empty(), "Error(s) in loading state_dict for ", type_name(), ":", errors);

  NoGradGuard no_grad;
  for (const auto& [key, target] : own)
    if (const Tensor* source = state.find(key)) target.copy_(*source);
}

// ---- copy ----

std::shared_ptr<Module> Module::clone() const {
  ACCEL_FAIL(type_name(), ": clone() is not implemented; derive the module from nn::Cloneable<", type_name(),
             "> and create its parameters, buffers and children in reset()");
}

namespace detail {

void prepare_clone(Module& copy) {
  copy.parameters_.clear();
  copy.buffers_.clear();
  copy.children_.clear();
}

namespace {
// Makes `fresh` (what reset() built) hold copies of `originals`, reusing reset()'s tensors so
// that the handles the module keeps in its members see the copied values.
void copy_tensors(OrderedDict<Tensor>& fresh, const OrderedDict<Tensor>& originals) {
  OrderedDict<Tensor> out;
  for (const auto& [name, original] : originals) {
    if (!original.defined()) {
      out.insert(name, Tensor());
      continue;
    }
    Tensor value = original.detach().clone();
    const Tensor* built = fresh.find(name);
    if (built && built->defined()) {
      built->set_data(value);
      built->requires_grad_(original.requires_grad());
      out.insert(name, *built);
    } else {
      value.requires_grad_(original.requires_grad());
      out.insert(name, value);
    }
  }
  fresh = std::move(out);
}
}  // namespace

void finish_clone(Module& copy, const Module& original) {
  NoGradGuard no_grad;
  copy_tensors(copy.parameters_, original.parameters_);
  copy_tensors(copy.buffers_, original.buffers_);
  OrderedDict<std::shared_ptr<Module>> children;
  for (const auto& [name, child] : original.children_) {
    const std::shared_ptr<Module>* built = copy.children_.find(name);
    if (built && typeid(**built) == typeid(*child)) {
      finish_clone(**built, *child);
      children.insert(name, *built);
    } else {
      // Not rebuilt by reset() (registered elsewhere, or replaced since): a clone of its own.
      children.insert(name, child->clone());
    }
  }
  copy.children_ = std::move(children);
  copy.training_ = original.training_;
}

}  // namespace detail

// ---- printing ----

std::string Module::type_name() const { return type_name_.empty() ? demangled_class_name(typeid(*this)) : type_name_; }

void Module::pretty_print(std::ostream& os) const { os << type_name() << "()"; }

void Module::print_tree(std::ostream& os, int indent) const {
  if (children_.empty()) {
    pretty_print(os);
    return;
  }
  const std::string pad(static_cast<size_t>(indent) + 2, ' ');
  os << type_name() << "(\n";
  for (const auto& [name, child] : children_) {
    os << pad << "(" << name << "): ";
    child->print_tree(os, indent + 2);
    os << "\n";
  }
  os << std::string(static_cast<size_t>(indent), ' ') << ")";
}

std::ostream& operator<<(std::ostream& os, const Module& module) {
  module.print_tree(os, 0);
  return os;
}

}  // namespace accel::nn
