#pragma once
// Containers: Sequential (chains forwards), ModuleList (an indexable list), ModuleDict (string keys).
//
//   auto model = std::make_shared<nn::Sequential>(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 10));
//   Tensor logits = (*model)(x);          // children are named "0", "1", "2": "0.weight", ...
//   auto first = model->at<nn::Linear>(0);
//
// Each takes modules by value (nn::Linear(3, 4)) or as std::shared_ptr. Their clone() clones every
// child.
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <accel/nn/module.h>
#include <accel/tensor/error.h>

namespace accel::nn {

namespace detail {
template <typename M>
std::shared_ptr<Module> as_module_ptr(M&& module) {
  using T = std::decay_t<M>;
  if constexpr (std::is_base_of_v<Module, T>) {
    return std::make_shared<T>(std::forward<M>(module));
  } else {
    static_assert(std::is_convertible_v<T, std::shared_ptr<Module>>, "expected a module or a std::shared_ptr to one");
    return std::shared_ptr<Module>(std::forward<M>(module));
  }
}

template <typename M>
inline constexpr bool is_module_arg_v =
    std::is_base_of_v<Module, std::decay_t<M>> || std::is_convertible_v<std::decay_t<M>, std::shared_ptr<Module>>;

// A variadic constructor call with modules that is not the copy or move constructor.
template <typename Self, typename... Ms>
inline constexpr bool not_a_copy_v =
    (is_module_arg_v<Ms> && ...) &&
    (sizeof...(Ms) > 1 || (sizeof...(Ms) == 1 && !(std::is_same_v<std::decay_t<Ms>, Self> && ...)));

// Iterates over a module's children (in order) as shared_ptr<Module>.
class ChildIterator {
 public:
  using Base = OrderedDict<std::shared_ptr<Module>>::Item const*;
  explicit ChildIterator(Base item) : item_(item) {}
  const std::shared_ptr<Module>& operator*() const { return item_->second; }
  ChildIterator& operator++() {
    ++item_;
    return *this;
  }
  bool operator==(const ChildIterator& other) const { return item_ == other.item_; }

 private:
  Base item_;
};

// The shared part of Sequential and ModuleList: children named "0", "1", ...
class IndexedModules : public Module {
 public:
  using Module::Module;
  void push_back(std::shared_ptr<Module> module) { register_child_indexed(std::move(module)); }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void push_back(M&& module) {
    push_back(as_module_ptr(std::forward<M>(module)));
  }
  const std::shared_ptr<Module>& operator[](int64_t index) const;
  // The child at index as its concrete type; a wrong type is an Error.
  template <typename T>
  std::shared_ptr<T> at(int64_t index) const {
    auto module = std::dynamic_pointer_cast<T>((*this)[index]);
    ACCEL_CHECK(module, type_name(), "::at: module ", index, " is a ", (*this)[index]->type_name(),
                ", not the requested type");
    return module;
  }
  size_t size() const { return named_children().size(); }
  bool empty() const { return size() == 0; }
  ChildIterator begin() const { return ChildIterator(std::to_address(named_children().begin())); }
  ChildIterator end() const { return ChildIterator(std::to_address(named_children().end())); }

 protected:
  void register_child_indexed(std::shared_ptr<Module> module) {
    register_module(std::to_string(size()), std::move(module));
  }
  void clone_children_into(IndexedModules& copy) const;
};
}  // namespace detail

class Sequential : public detail::IndexedModules {
 public:
  Sequential() = default;
  template <typename... Ms, typename = std::enable_if_t<detail::not_a_copy_v<Sequential, Ms...>>>
  explicit Sequential(Ms&&... modules) {
    (push_back(detail::as_module_ptr(std::forward<Ms>(modules))), ...);
  }
  // Named children, as PyTorch's Sequential(OrderedDict(...)).
  explicit Sequential(const OrderedDict<std::shared_ptr<Module>>& named);

  // Each child's single-tensor forward, in order; an empty Sequential returns its input.
  Tensor forward(const Tensor& input) override;
  std::shared_ptr<Module> clone() const override;
};

// Holds modules like a vector; it has no forward (the owner decides how to call them).
class ModuleList : public detail::IndexedModules {
 public:
  ModuleList() = default;
  template <typename... Ms, typename = std::enable_if_t<detail::not_a_copy_v<ModuleList, Ms...>>>
  explicit ModuleList(Ms&&... modules) {
    (push_back(detail::as_module_ptr(std::forward<Ms>(modules))), ...);
  }
  void extend(const ModuleList& other) {
    for (const auto& module : other) push_back(module);
  }
  std::shared_ptr<Module> clone() const override;
};

// Modules by name (names are dotted-path components: non-empty, without '.').
class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(const OrderedDict<std::shared_ptr<Module>>& modules);
  // Adds or replaces (keeping the position).
  void insert(const std::string& key, std::shared_ptr<Module> module) { register_module(key, std::move(module)); }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>>>
  void insert(const std::string& key, M&& module) {
    insert(key, detail::as_module_ptr(std::forward<M>(module)));
  }
  const std::shared_ptr<Module>& operator[](const std::string& key) const;
  template <typename T>
  std::shared_ptr<T> at(const std::string& key) const {
    auto module = std::dynamic_pointer_cast<T>((*this)[key]);
    ACCEL_CHECK(module, "ModuleDict::at: module '", key, "' is a ", (*this)[key]->type_name(),
                ", not the requested type");
    return module;
  }
  bool contains(const std::string& key) const { return named_children().contains(key); }
  std::vector<std::string> keys() const { return named_children().keys(); }
  size_t size() const { return named_children().size(); }
  // (key, module) pairs in insertion order.
  auto begin() const { return named_children().begin(); }
  auto end() const { return named_children().end(); }
  std::shared_ptr<Module> clone() const override;
};

}  // namespace accel::nn
