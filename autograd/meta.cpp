#include <accel/autograd/meta.h>

#include <accel/autograd/accumulate_grad.h>
#include <accel/autograd/anomaly.h>
#include <accel/autograd/view_inplace.h>

namespace accel::autograd {

Meta::~Meta() {
  // The node outlives this tensor; it must not write a retained gradient into freed memory.
  if (retains_grad && grad_fn) grad_fn->forget_retained(this);
}

Meta& ensure_meta(const TensorImpl& t) {
  auto& impl = const_cast<TensorImpl&>(t);
  if (!impl.autograd_meta()) impl.set_autograd_meta(std::make_unique<Meta>());
  return *static_cast<Meta*>(impl.autograd_meta());
}

Edge gradient_edge(const Tensor& t) {
  if (!t.requires_grad()) return {};
  Edge edge{.dtype = t.dtype(), .device = t.device(), .sizes = DimVector(t.sizes())};
  Meta& m = ensure_meta(t);
  if (m.grad_fn) {
    edge.fn = m.grad_fn;
    edge.input_nr = m.output_nr;
  } else if (m.grad_accumulator) {
    edge.fn = IntrusivePtr<Node>::reclaim_copy(m.grad_accumulator);
  } else {
    auto accumulator = IntrusivePtr<AccumulateGrad>::make(t);
    m.grad_accumulator = accumulator.get();
    edge.fn = std::move(accumulator);
  }
  return edge;
}

namespace {
void attach(const Tensor& t, Node& node) {
  Meta& m = ensure_meta(t);
  if (m.retains_grad && m.grad_fn) m.grad_fn->forget_retained(&m);
  m.grad_fn = IntrusivePtr<Node>::reclaim_copy(&node);
  m.output_nr = node.add_output(t);
  if (m.retains_grad) node.retain_grad(m.output_nr, &m);
  t.impl()->set_requires_grad(true);
  if (AnomalyMode::is_enabled()) check_forward_output(t, node);
}
}  // namespace

void set_history(const Tensor& output, Node& node) {
  if (is_floating_point(output.dtype())) attach(output, node);
}

void rebase_history(const Tensor& self, Node& node) {
  if (self.impl()->view_base()) rebase_view_history(self, node);
  else attach(self, node);
}

bool is_leaf(const Tensor& t) {
  const Meta* m = meta(t);
  return !m || !m->grad_fn;
}

void check_inplace(const Tensor& self, const char* op) {
  if (!GradMode::is_enabled()) return;
  ACCEL_CHECK(!(self.requires_grad() && is_leaf(self)), op,
              ": a leaf tensor that requires grad is being used in an in-place operation; wrap the update "
              "in NoGradGuard, or clone() the tensor first");
  const TensorImpl* base = self.impl()->view_base();
  if (!base || !base->requires_grad()) return;
  const Meta* m = static_cast<const Meta*>(base->autograd_meta());
  ACCEL_CHECK(m && m->grad_fn, op,
              ": a view of a leaf tensor that requires grad is being used in an in-place operation");
}

Tensor alias_without_history(const Tensor& t) {
  return Tensor(IntrusivePtr<TensorImpl>::make(t.storage(), t.dtype(), DimVector(t.sizes()), DimVector(t.strides()),
                                               t.storage_offset()));
}

Tensor sum_to(const Tensor& grad, IntArrayRef sizes) {
  if (grad.sizes() == sizes) return grad;
  const int64_t lead = grad.dim() - static_cast<int64_t>(sizes.size());
  DimVector dims;
  for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
  for (int64_t i = 0; i < static_cast<int64_t>(sizes.size()); ++i)
    if (sizes[i] == 1 && grad.size(lead + i) != 1) dims.push_back(lead + i);
  const Tensor reduced = dims.empty() ? grad : grad.sum(dims, /*keepdim=*/true);
  return reduced.sizes() == sizes ? reduced : reduced.view(sizes);
}

}  // namespace accel::autograd
