#include <accel/nn/container.h>

namespace accel::nn {

namespace detail {

const std::shared_ptr<Module>& IndexedModules::operator[](int64_t index) const {
  const auto n = static_cast<int64_t>(size());
  ACCEL_CHECK(index >= -n && index < n, type_name(), ": index ", index, " is out of range for ", n, " modules");
  // PyTorch indexes from the end with negative indices.
  return std::next(named_children().begin(), index < 0 ? index + n : index)->second;
}

void IndexedModules::clone_children_into(IndexedModules& copy) const {
  for (const auto& [name, child] : named_children()) copy.register_module(name, child->clone());
  copy.train(is_training());
}

}  // namespace detail

Sequential::Sequential(const OrderedDict<std::shared_ptr<Module>>& named) {
  for (const auto& [name, module] : named) register_module(name, module);
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& module : *this) x = (*module)(x);
  return x;
}

std::shared_ptr<Module> Sequential::clone() const {
  auto copy = std::make_shared<Sequential>();
  clone_children_into(*copy);
  return copy;
}

std::shared_ptr<Module> ModuleList::clone() const {
  auto copy = std::make_shared<ModuleList>();
  clone_children_into(*copy);
  return copy;
}

ModuleDict::ModuleDict(const OrderedDict<std::shared_ptr<Module>>& modules) {
  for (const auto& [key, module] : modules) insert(key, module);
}

const std::shared_ptr<Module>& ModuleDict::operator[](const std::string& key) const {
  const std::shared_ptr<Module>* module = named_children().find(key);
  if (!module) {
    std::string known;
    for (const std::string& k : keys()) known += (known.empty() ? "" : ", ") + k;
    ACCEL_FAIL("ModuleDict: no module named '", key, "' (keys: ", known, ")");
  }
  return *module;
}

std::shared_ptr<Module> ModuleDict::clone() const {
  auto copy = std::make_shared<ModuleDict>();
  for (const auto& [key, child] : named_children()) copy->insert(key, child->clone());
  copy->train(is_training());
  return copy;
}

}  // namespace accel::nn
