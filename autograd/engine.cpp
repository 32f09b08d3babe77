// The engine: count each node's incoming edges from the roots, then run nodes whose gradients are
// complete, latest-created first (as PyTorch does), until none is left. One thread; a graph is
// not run by two threads at once.
#include <accel/autograd/engine.h>

#include <algorithm>
#include <cstdint>
#include <queue>

#include <accel/autograd/anomaly.h>
#include <accel/autograd/grad_mode.h>
#include <accel/autograd/meta.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::autograd {
namespace {

struct Task {
  int dependencies = 0;
  bool needed = true;
  TensorList grads;
  std::vector<std::pair<uint32_t, size_t>> captures;  // (input_nr, index into the result)
};

// Node -> Task for one backward: open addressing on the node's address (graphs are rebuilt for
// every backward, and std::unordered_map would allocate once per node). References to tasks are
// only held once discovery has stopped adding them.
class TaskMap {
 public:
  // The node's task, and whether it was just created.
  std::pair<Task*, bool> try_emplace(Node* node) {
    // Looked up before growing: a lookup must not move nodes_ or tasks_, which callers may be
    // iterating or holding references into.
    if (Task* task = find(node)) return {task, false};
    if (2 * (nodes_.size() + 1) > slots_.size()) grow();
    size_t i = slot(node);
    while (slots_[i].node) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {node, static_cast<uint32_t>(nodes_.size())};
    nodes_.push_back(node);
    return {&tasks_.emplace_back(), true};
  }
  Task* find(Node* node) {
    if (slots_.empty()) return nullptr;
    for (size_t i = slot(node); slots_[i].node; i = (i + 1) & (slots_.size() - 1))
      if (slots_[i].node == node) return &tasks_[slots_[i].index];
    return nullptr;
  }
  Task& operator[](Node* node) { return *try_emplace(node).first; }
  const std::vector<Node*>& nodes() const { return nodes_; }

 private:
  struct Slot {
    Node* node = nullptr;
    uint32_t index = 0;
  };
  size_t slot(Node* node) const {
    const uint64_t h = (reinterpret_cast<uintptr_t>(node) >> 4) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 32) & (slots_.size() - 1);
  }
  void grow() {
    const size_t capacity = std::max<size_t>(32, slots_.size() * 2);
    slots_.assign(capacity, Slot{});
    for (uint32_t t = 0; t < nodes_.size(); ++t) {
      size_t i = slot(nodes_[t]);
      while (slots_[i].node) i = (i + 1) & (capacity - 1);
      slots_[i] = {nodes_[t], t};
    }
    nodes_.reserve(capacity / 2);
    tasks_.reserve(capacity / 2);
  }

  std::vector<Slot> slots_;
  std::vector<Node*> nodes_;  // in discovery order, parallel to tasks_
  std::vector<Task> tasks_;
};

void add_grad(Task& task, Node& node, uint32_t input_nr, Tensor grad) {
  if (task.grads.empty()) task.grads.resize(node.outputs().size());
  Tensor& slot = task.grads[input_nr];
  slot = slot.defined() ? slot + grad : std::move(grad);
}

// Every node reachable from the roots, with the number of edges that lead to it.
TaskMap discover(const std::vector<Edge>& roots) {
  TaskMap tasks;
  std::vector<Node*> stack;
  for (const Edge& root : roots)
    if (root.valid() && tasks.try_emplace(root.fn.get()).second) stack.push_back(root.fn.get());
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& e : node->next_edges()) {
      if (!e.valid()) continue;
      auto [task, fresh] = tasks.try_emplace(e.fn.get());
      ++task->dependencies;
      if (fresh) stack.push_back(e.fn.get());
    }
  }
  return tasks;
}

// With inputs given, a node runs only if one of the inputs' edges can be reached from it.
void mark_needed(TaskMap& tasks, const std::vector<Edge>& roots) {
  // Kahn's order puts every node before the nodes it feeds; walking it backwards sees a node's
  // successors first.
  TaskMap remaining;  // dependencies left, in Task::dependencies
  for (Node* node : tasks.nodes()) remaining[node].dependencies = tasks[node].dependencies;
  std::vector<Node*> order, ready;
  for (const Edge& root : roots)
    if (root.valid() && remaining[root.fn.get()].dependencies == 0 &&
        std::find(ready.begin(), ready.end(), root.fn.get()) == ready.end())
      ready.push_back(root.fn.get());
  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    order.push_back(node);
    for (const Edge& e : node->next_edges())
      if (e.valid() && --remaining[e.fn.get()].dependencies == 0) ready.push_back(e.fn.get());
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Task& task = tasks[*it];
    bool needed = !task.captures.empty();
    for (const Edge& e : (*it)->next_edges()) needed = needed || (e.valid() && tasks[e.fn.get()].needed);
    task.needed = needed;
  }
}

// The gradient a node returned, made to fit the input it goes to.
Tensor fit_to_edge(Tensor grad, const Edge& edge, const Node& node, size_t index) {
  if (grad.sizes() != IntArrayRef(edge.sizes)) {
    ACCEL_CHECK(grad.dim() >= static_cast<int64_t>(edge.sizes.size()), node.name(),
                " returned an invalid gradient for input ", index, ": got shape ", grad.sizes(),
                " but expected shape compatible with ", IntArrayRef(edge.sizes));
    grad = sum_to(grad, edge.sizes);
    ACCEL_CHECK(grad.sizes() == IntArrayRef(edge.sizes), node.name(), " returned an invalid gradient for input ",
                index, ": its shape does not reduce to ", IntArrayRef(edge.sizes));
  }
  if (grad.dtype() != edge.dtype || grad.device() != edge.device) grad = grad.to(edge.device, edge.dtype);
  return grad;
}

class GradModeScope {
 public:
  explicit GradModeScope(bool enabled) : previous_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~GradModeScope() { GradMode::set_enabled(previous_); }

 private:
  bool previous_;
};

// Stands in the graph of a gradient computed by a node without double backward: differentiating
// that gradient again reaches this node, which says so.
class DoubleBackwardError final : public Node {
 public:
  explicit DoubleBackwardError(const char* op) : op_(op) {}
  const char* name() const override { return "DoubleBackwardError"; }
  TensorList apply(TensorList&&) override {
    ACCEL_FAIL(op_, ": double backward is not implemented for this op (its gradient was computed with "
               "create_graph=true and is now being differentiated)");
  }

 private:
  const char* op_;
};

TensorList apply_once_differentiable(Node& node, TensorList grads) {
  bool grads_require_grad = false;
  for (const Tensor& g : grads) grads_require_grad = grads_require_grad || requires_grad(g);
  TensorList outputs;
  {
    NoGradGuard no_grad;
    outputs = node.apply(std::move(grads));
  }
  bool inputs_require_grad = grads_require_grad;
  for (const Edge& e : node.next_edges()) inputs_require_grad = inputs_require_grad || e.valid();
  if (!inputs_require_grad) return outputs;
  auto error = IntrusivePtr<DoubleBackwardError>::make(node.name());
  error->mutable_next_edges() = node.next_edges();
  for (const Tensor& out : outputs)
    if (out.defined()) set_history(out, *error);
  return outputs;
}

struct LaterFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

}  // namespace

TensorList run_backward(const std::vector<Edge>& roots, TensorList root_grads, const BackwardOptions& options,
                        const std::vector<Edge>& inputs) {
  ACCEL_CHECK(roots.size() == root_grads.size(), "backward: got ", roots.size(), " outputs but ",
              root_grads.size(), " gradients");
  TaskMap tasks = discover(roots);
  const bool capturing = !inputs.empty();
  TensorList captured(inputs.size());
  if (capturing) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Edge& in = inputs[i];
      Task* task = in.valid() ? tasks.find(in.fn.get()) : nullptr;
      ACCEL_CHECK(task || options.allow_unused, "grad: input ", i,
                  " is not part of the graph of the outputs (or does not require grad); pass allow_unused=true "
                  "to get an undefined gradient for it");
      if (task) task->captures.emplace_back(in.input_nr, i);
    }
    mark_needed(tasks, roots);
  }

  std::priority_queue<Node*, std::vector<Node*>, LaterFirst> ready;
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!roots[i].valid()) continue;
    Node* node = roots[i].fn.get();
    Task& task = tasks[node];
    add_grad(task, *node, roots[i].input_nr, std::move(root_grads[i]));
  }
  for (const Edge& root : roots)
    if (root.valid() && tasks[root.fn.get()].dependencies == 0) {
      tasks[root.fn.get()].dependencies = -1;  // queued once even when several roots share it
      ready.push(root.fn.get());
    }

  GradModeScope grad_mode(options.create_graph);

  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    Task& task = tasks[node];
    TensorList grads = std::move(task.grads);
    if (grads.empty()) grads.resize(node->outputs().size());
    node->run_tensor_hooks(grads);
    for (const auto& [input_nr, index] : task.captures) captured[index] = grads[input_nr];
    if (!task.needed) continue;
    if (capturing && !task.captures.empty() && node->next_edges().empty()) continue;  // a leaf

    const bool any_grad = std::any_of(grads.begin(), grads.end(), [](const Tensor& g) { return g.defined(); });
    TensorList outputs;
    if (any_grad) {
      const auto& infos = node->outputs();
      for (size_t i = 0; i < grads.size(); ++i)
        if (!grads[i].defined()) grads[i] = zeros(infos[i].sizes, {.dtype = infos[i].dtype, .device = infos[i].device});
      if (options.create_graph && !node->supports_double_backward()) {
        outputs = apply_once_differentiable(*node, std::move(grads));
      } else {
        outputs = node->apply(std::move(grads));
      }
      ACCEL_CHECK(outputs.size() == node->next_edges().size() || node->next_edges().empty(), node->name(),
                  " returned ", outputs.size(), " gradients, expected ", node->next_edges().size());
    }
    if (!options.keep_graph) node->release_saved();

    const auto& edges = node->next_edges();
    for (size_t i = 0; i < edges.size(); ++i) {
      const Edge& edge = edges[i];
      if (!edge.valid()) continue;
      Task& next = tasks[edge.fn.get()];
      if (any_grad && outputs[i].defined()) {
        Tensor grad = fit_to_edge(std::move(outputs[i]), edge, *node, i);
        if (AnomalyMode::is_enabled()) check_backward_output(grad, *node, i);
        add_grad(next, *edge.fn, edge.input_nr, std::move(grad));
      }
      if (--next.dependencies == 0) ready.push(edge.fn.get());
    }
  }
  return captured;
}

}  // namespace accel::autograd
