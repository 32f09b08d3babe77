#pragma once
// A string-keyed map that remembers insertion order, as Python's dict does: state dicts list
// parameters in registration order, and checkpoints, printing and optimizers rely on that order.
// A hash index makes lookups constant time, so reading a file with a million entries stays linear.
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <accel/tensor/error.h>
#include <accel/tensor/tensor.h>

namespace accel {

template <typename V>
class OrderedDict {
 public:
  using Item = std::pair<std::string, V>;

  OrderedDict() = default;
  OrderedDict(std::initializer_list<Item> items) {
    for (const Item& item : items) insert(item.first, item.second);
  }

  // Adds a new key; an existing key is an error (use operator[] or set to replace).
  V& insert(std::string key, V value) {
    const auto [it, fresh] = index_.try_emplace(key, items_.size());
    ACCEL_CHECK(fresh, "OrderedDict: key '", key, "' already exists");
    items_.emplace_back(std::move(key), std::move(value));
    return items_.back().second;
  }
  // Adds the key or replaces its value, keeping its position.
  V& set(const std::string& key, V value) {
    if (V* v = find(key)) return *v = std::move(value);
    return insert(key, std::move(value));
  }
  V* find(const std::string& key) {
    const auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  const V* find(const std::string& key) const { return const_cast<OrderedDict*>(this)->find(key); }
  bool contains(const std::string& key) const { return find(key) != nullptr; }
  V& operator[](const std::string& key) {
    V* v = find(key);
    ACCEL_CHECK(v, "OrderedDict: no key '", key, "'");
    return *v;
  }
  const V& operator[](const std::string& key) const { return const_cast<OrderedDict&>(*this)[key]; }
  bool erase(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return false;
    const size_t position = it->second;
    index_.erase(it);
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(position));
    for (auto& [k, i] : index_)
      if (i > position) --i;
    return true;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.first);
    return out;
  }
  std::vector<V> values() const {
    std::vector<V> out;
    out.reserve(items_.size());
    for (const Item& item : items_) out.push_back(item.second);
    return out;
  }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() {
    items_.clear();
    index_.clear();
  }
  // Iteration may change values, not keys.
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;  // key -> position in items_
};

// Named tensors: a module's parameters and buffers, an optimizer's state, a checkpoint.
using StateDict = OrderedDict<Tensor>;

}  // namespace accel
