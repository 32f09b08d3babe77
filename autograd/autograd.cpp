// backward() and grad(), and the Tensor methods of the autograd layer.
#include <accel/autograd/autograd.h>

#include <atomic>

#include <accel/autograd/engine.h>
#include <accel/autograd/meta.h>
#include <accel/tensor/factories.h>

namespace accel {
namespace autograd {
namespace {

std::vector<Edge> root_edges(const std::vector<Tensor>& outputs, TensorList& grads, const std::vector<Tensor>& given,
                             const char* op) {
  ACCEL_CHECK(given.empty() || given.size() == outputs.size(), op, ": got ", outputs.size(), " outputs but ",
              given.size(), " grad_outputs");
  std::vector<Edge> roots;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    ACCEL_CHECK(out.defined(), op, ": output ", i, " is undefined");
    ACCEL_CHECK(out.requires_grad(), op, ": element ", i,
                " of the outputs does not require grad and has no grad_fn (was it computed under NoGradGuard, "
                "or from tensors that do not require grad?)");
    Tensor g = given.empty() ? Tensor() : given[i];
    if (!g.defined()) {
      ACCEL_CHECK(out.numel() == 1, op, ": grad can be implicitly created only for one-element outputs, got shape ",
                  out.sizes());
      g = ones(out.sizes(), {.dtype = out.dtype(), .device = out.device()});
    } else {
      ACCEL_CHECK(g.sizes() == out.sizes(), op, ": gradient of shape ", g.sizes(), " for an output of shape ",
                  out.sizes());
      if (g.dtype() != out.dtype() || g.device() != out.device()) g = g.to(out.device(), out.dtype());
    }
    roots.push_back(gradient_edge(out));
    grads.push_back(std::move(g));
  }
  return roots;
}

}  // namespace

void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs,
              std::optional<bool> retain_graph, bool create_graph) {
  TensorList grads;
  const auto roots = root_edges(outputs, grads, grad_outputs, "backward");
  run_backward(roots, std::move(grads),
               {.keep_graph = retain_graph.value_or(create_graph), .create_graph = create_graph});
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused) {
  ACCEL_CHECK(!inputs.empty(), "grad: inputs must not be empty");
  TensorList grads;
  const auto roots = root_edges(outputs, grads, grad_outputs, "grad");
  std::vector<Edge> input_edges;
  for (size_t i = 0; i < inputs.size(); ++i) {
    ACCEL_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "grad: input ", i, " does not require grad");
    input_edges.push_back(gradient_edge(inputs[i]));
  }
  return run_backward(roots, std::move(grads),
                      {.keep_graph = retain_graph.value_or(create_graph),
                       .create_graph = create_graph,
                       .allow_unused = allow_unused},
                      input_edges);
}

}  // namespace autograd

using autograd::ensure_meta;
using autograd::meta;

const Tensor& Tensor::requires_grad_(bool value) const {
  ACCEL_CHECK(!value || is_floating_point(), "requires_grad_: only floating-point tensors can require gradients, got ",
              name(dtype()));
  ACCEL_CHECK(is_leaf(), "requires_grad_: you can only change requires_grad of leaf tensors; use detach() to get a "
              "tensor without history");
  impl()->set_requires_grad(value);
  return *this;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  const autograd::Meta* m = meta(*this);
  return m ? m->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return ensure_meta(*this).grad; }

autograd::Node* Tensor::grad_fn() const {
  const autograd::Meta* m = meta(*this);
  return m ? m->grad_fn.get() : nullptr;
}

bool Tensor::is_leaf() const { return autograd::is_leaf(*this); }

uint32_t Tensor::output_nr() const {
  const autograd::Meta* m = meta(*this);
  return m ? m->output_nr : 0;
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}

Tensor Tensor::detach() const { return autograd::alias_without_history(*this); }

void Tensor::set_data(const Tensor& new_data) const {
  ACCEL_CHECK(new_data.defined(), "set_data: the new data is undefined");
  ACCEL_CHECK(!requires_grad() || new_data.is_floating_point(), "set_data: a tensor that requires grad needs "
              "floating-point data, got ", name(new_data.dtype()));
  impl()->set_data(new_data.storage(), new_data.dtype(), DimVector(new_data.sizes()), DimVector(new_data.strides()),
                   new_data.storage_offset());
}

const Tensor& Tensor::detach_() const {
  ACCEL_CHECK(!impl()->view_base() || !impl()->view_base()->requires_grad(),
              "detach_: cannot detach a view of a tensor that requires grad in place; use detach()");
  if (autograd::Meta* m = meta(*this)) {
    if (m->retains_grad && m->grad_fn) m->grad_fn->forget_retained(m);
    m->grad_fn = {};
    m->output_nr = 0;
    m->retains_grad = false;
  }
  impl()->set_requires_grad(false);
  return *this;
}

void Tensor::retain_grad() const {
  ACCEL_CHECK(requires_grad(), "retain_grad: cannot retain the gradient of a tensor that does not require grad");
  autograd::Meta& m = ensure_meta(*this);
  if (!m.grad_fn || m.retains_grad) return;  // leaves keep their gradient anyway
  m.retains_grad = true;
  m.grad_fn->retain_grad(m.output_nr, &m);
}

bool Tensor::retains_grad() const {
  const autograd::Meta* m = meta(*this);
  return m && m->retains_grad;
}

int Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  ACCEL_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor that does not require grad");
  autograd::Meta& m = ensure_meta(*this);
  if (m.grad_fn) return m.grad_fn->add_hook(m.output_nr, std::move(hook));
  static std::atomic<int> next_leaf_hook{1 << 30};  // disjoint from node hook ids
  const int id = next_leaf_hook.fetch_add(1, std::memory_order_relaxed);
  m.leaf_hooks.emplace_back(id, std::move(hook));
  return id;
}

void Tensor::remove_hook(int id) const {
  autograd::Meta* m = meta(*this);
  if (!m) return;
  if (m->grad_fn && m->grad_fn->remove_hook(id)) return;
  std::erase_if(m->leaf_hooks, [&](const auto& h) { return h.first == id; });
}

int Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const {
  ACCEL_CHECK(is_leaf() && requires_grad(),
              "register_post_accumulate_grad_hook: only leaf tensors that require grad accumulate gradients");
  autograd::Meta& m = ensure_meta(*this);
  static std::atomic<int> next_id{0};
  const int id = next_id.fetch_add(1, std::memory_order_relaxed);
  m.post_accumulate_hooks.emplace_back(id, std::move(hook));
  return id;
}

}  // namespace accel
