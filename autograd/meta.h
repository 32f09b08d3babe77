#pragma once
// Per-tensor autograd state, and how ops attach their outputs to the graph.
#include <functional>
#include <initializer_list>
#include <utility>
#include <vector>

#include <accel/autograd/grad_mode.h>
#include <accel/autograd/node.h>

namespace accel::autograd {

using PostAccumulateHook = std::function<void(const Tensor&)>;

struct Meta final : AutogradMeta {
  ~Meta() override;
  Tensor grad;
  IntrusivePtr<Node> grad_fn;      // null for leaves
  Node* grad_accumulator = nullptr;  // a leaf's AccumulateGrad while it exists (it clears this)
  uint32_t output_nr = 0;
  bool retains_grad = false;
  std::vector<std::pair<int, Hook>> leaf_hooks;  // tensor hooks of a leaf, run before accumulation
  std::vector<std::pair<int, PostAccumulateHook>> post_accumulate_hooks;
};

// The tensor's state, or null when it has none yet.
inline Meta* meta(const Tensor& t) { return static_cast<Meta*>(t.impl()->autograd_meta()); }
Meta& ensure_meta(const TensorImpl& t);
inline Meta& ensure_meta(const Tensor& t) { return ensure_meta(*t.impl()); }

// A tensor with no grad_fn: its gradient accumulates into .grad (when it requires grad).
bool is_leaf(const Tensor& t);

inline bool requires_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }
// Whether an op on these inputs records a node.
template <typename... T>
bool should_record(const T&... inputs) {
  return GradMode::is_enabled() && (requires_grad(inputs) || ...);
}
inline bool should_record(const std::vector<Tensor>& inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : inputs)
    if (requires_grad(t)) return true;
  return false;
}

// Where t's gradient goes: its grad_fn, its leaf accumulator (created on demand), or nowhere.
Edge gradient_edge(const Tensor& t);

// A node of type N whose next edges lead to the given inputs (undefined inputs and inputs that
// need no gradient get invalid edges).
template <typename N, typename... Args>
IntrusivePtr<N> make_node(std::initializer_list<const Tensor*> inputs, Args&&... args) {
  auto node = IntrusivePtr<N>::make(std::forward<Args>(args)...);
  auto& edges = node->mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor* t : inputs) edges.push_back(t && t->defined() ? gradient_edge(*t) : Edge{});
  return node;
}
template <typename N, typename... Args>
IntrusivePtr<N> make_node(const std::vector<Tensor>& inputs, Args&&... args) {
  auto node = IntrusivePtr<N>::make(std::forward<Args>(args)...);
  auto& edges = node->mutable_next_edges();
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(t.defined() ? gradient_edge(t) : Edge{});
  return node;
}

// Makes `output` the next output of `node` (a non-leaf that requires grad). Floating outputs only;
// integer outputs (indices) are left alone. In anomaly mode, checks the output for NaN/Inf.
void set_history(const Tensor& output, Node& node);

// Records an in-place op on `self`: `node` (whose edge 0 is self's previous history) becomes
// self's grad_fn. When self is a view, its base's history is rewritten so that gradients reach
// the base (PyTorch's CopySlices).
void rebase_history(const Tensor& self, Node& node);

// Throws when an in-place op may not modify self: a leaf that requires grad, or a view of one,
// while grad mode is on.
void check_inplace(const Tensor& self, const char* op);

// A new tensor sharing t's data (and version counter) without autograd history.
Tensor alias_without_history(const Tensor& t);

// Sums a broadcast gradient back to `sizes`.
Tensor sum_to(const Tensor& grad, IntArrayRef sizes);

}  // namespace accel::autograd
