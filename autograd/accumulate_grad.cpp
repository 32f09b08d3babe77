#include <accel/autograd/accumulate_grad.h>

#include <accel/autograd/meta.h>

namespace accel::autograd {

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : leaf_(leaf) { add_output(leaf); }

AccumulateGrad::~AccumulateGrad() {
  if (Meta* m = meta(leaf_); m && m->grad_accumulator == this) m->grad_accumulator = nullptr;
}

void AccumulateGrad::run_tensor_hooks(TensorList& grads) {
  Meta* m = meta(leaf_);
  if (!m) return;
  for (const auto& [id, hook] : m->leaf_hooks) {
    if (!grads[0].defined()) return;
    Tensor replaced = hook(grads[0]);
    if (replaced.defined()) grads[0] = std::move(replaced);
  }
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = std::move(grads[0]);
  Meta& m = ensure_meta(leaf_);
  if (GradMode::is_enabled()) {
    // create_graph: the accumulated gradient keeps its graph (for gradient penalties and the like).
    m.grad = m.grad.defined() ? m.grad + g : g;
  } else if (!m.grad.defined()) {
    // Take the gradient without a copy when nothing else can see its memory.
    const bool exclusive = g.use_count() == 1 && g.storage().use_count() == 1 && g.is_contiguous();
    m.grad = exclusive ? std::move(g) : g.clone();
  } else {
    m.grad.add_(g);
  }
  for (const auto& [id, hook] : m.post_accumulate_hooks) hook(leaf_);
  return {};
}

}  // namespace accel::autograd
