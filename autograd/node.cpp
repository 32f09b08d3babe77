#include <accel/autograd/node.h>

#include <algorithm>
#include <atomic>
#include <sstream>

#include <accel/autograd/meta.h>

namespace accel::autograd {
namespace {
std::atomic<uint64_t> next_sequence_nr{0};
std::atomic<int> next_hook_id{0};
}  // namespace

Node::Node() : sequence_nr_(next_sequence_nr.fetch_add(1, std::memory_order_relaxed)) {
  if (AnomalyMode::is_enabled() && ModuleNameScope::current()) module_name_ = ModuleNameScope::current();
}

uint32_t Node::add_output(const Tensor& t) {
  outputs_.push_back({t.dtype(), t.device(), DimVector(t.sizes())});
  return static_cast<uint32_t>(outputs_.size() - 1);
}

std::string Node::describe_inputs() const {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < next_edges_.size(); ++i) {
    if (i) os << ", ";
    const Edge& e = next_edges_[i];
    if (e.valid()) os << IntArrayRef(e.sizes) << " " << accel::name(e.dtype);
    else os << "(no grad)";
  }
  os << "]";
  return os.str();
}

int Node::add_hook(uint32_t output_nr, Hook hook) {
  const int id = next_hook_id.fetch_add(1, std::memory_order_relaxed);
  hooks_.push_back({id, output_nr, std::move(hook)});
  return id;
}

bool Node::remove_hook(int id) {
  auto it = std::find_if(hooks_.begin(), hooks_.end(), [&](const TensorHook& h) { return h.id == id; });
  if (it == hooks_.end()) return false;
  hooks_.erase(it);
  return true;
}

void Node::retain_grad(uint32_t output_nr, Meta* tensor) { retained_.emplace_back(output_nr, tensor); }

void Node::forget_retained(const Meta* tensor) {
  std::erase_if(retained_, [&](const auto& r) { return r.second == tensor; });
}

void Node::run_tensor_hooks(TensorList& grads) {
  for (const TensorHook& h : hooks_) {
    Tensor& g = grads[h.output_nr];
    if (!g.defined()) continue;
    Tensor replaced = h.fn(g);
    if (replaced.defined()) g = std::move(replaced);
  }
  // retain_grad runs after the other hooks, so it stores the gradient they produced.
  for (const auto& [output_nr, tensor] : retained_) {
    const Tensor& g = grads[output_nr];
    if (!g.defined()) continue;
    tensor->grad = tensor->grad.defined() ? tensor->grad + g : g.clone();
  }
}

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  state_ = State::Saved;
  version_ = t.version();
  if (is_output) {
    output_nr_ = meta(t) ? meta(t)->output_nr : 0;
    data_ = alias_without_history(t);
  } else {
    data_ = t;
  }
}

Tensor SavedTensor::unpack(const Node* owner) const {
  ACCEL_CHECK(state_ != State::Released, owner->name(),
              ": trying to backward through the graph a second time (or to access saved tensors after they "
              "have been freed). Saved values are freed by backward() and autograd::grad(); pass "
              "retain_graph=true to backward through the graph again.");
  if (state_ == State::Empty) return {};
  ACCEL_CHECK(data_.version() == version_,
              "one of the tensors needed for gradient computation has been modified by an in-place operation: ",
              owner->name(), " saved a ", accel::name(data_.dtype()), " tensor of shape ", data_.sizes(),
              " at version ", version_, "; it is now at version ", data_.version(),
              ". Use out-of-place ops (or clone() before the in-place op).");
  if (!is_output_ || !GradMode::is_enabled()) return data_;
  // create_graph: the output takes part in the gradient's graph, through its own node.
  Tensor out = alias_without_history(data_);
  Meta& m = ensure_meta(out);
  m.grad_fn = IntrusivePtr<Node>::reclaim_copy(const_cast<Node*>(owner));
  m.output_nr = output_nr_;
  out.impl()->set_requires_grad(true);
  return out;
}

void SavedTensor::reset() {
  if (state_ == State::Empty) return;
  data_ = {};
  state_ = State::Released;
}

}  // namespace accel::autograd
