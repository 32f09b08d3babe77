#include <accel/autograd/function.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include <cxxabi.h>

namespace accel::autograd {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

std::vector<Tensor> AutogradContext::get_saved_variables() const {
  std::vector<Tensor> out;
  out.reserve(saved_.size());
  for (const SavedTensor& s : saved_) out.push_back(s.unpack(node_));
  return out;
}

void AutogradContext::mark_non_differentiable(const std::vector<Tensor>& outputs) {
  for (const Tensor& t : outputs)
    if (t.defined()) non_differentiable_.push_back(t.impl());
}

void FunctionNode::finish(TensorList& outputs, bool record) {
  auto is_output = [&](const Tensor& t) {
    return std::any_of(outputs.begin(), outputs.end(), [&](const Tensor& o) { return o.is_same(t); });
  };
  for (Tensor& out : outputs) {
    // An output that is an input (or the same tensor twice) gets its own handle, so that attaching
    // it to this node does not rewrite the input's history.
    if (out.defined() && (out.requires_grad() || out.grad_fn())) out = alias_without_history(out);
  }
  if (record) {
    for (const Tensor& out : outputs) {
      if (!out.defined()) continue;
      const bool skip = std::find(ctx_.non_differentiable_.begin(), ctx_.non_differentiable_.end(), out.impl()) !=
                        ctx_.non_differentiable_.end();
      if (!skip) set_history(out, *this);
    }
  }
  // After set_history, so that a saved output knows which output it is.
  for (const Tensor& t : ctx_.to_save_) ctx_.saved_.emplace_back(t, record && is_output(t));
  ctx_.to_save_.clear();
}

TensorList FunctionNode::apply(TensorList&& grads) {
  TensorList result = backward_(&ctx_, std::move(grads));
  ACCEL_CHECK(result.size() == next_edges().size(), name(), ": backward returned ", result.size(),
              " gradients, but forward took ", next_edges().size(), " arguments");
  for (size_t i = 0; i < result.size(); ++i)
    if (!needs_input_grad(i)) result[i] = {};
  return result;
}

void FunctionNode::release_saved() {
  for (SavedTensor& s : ctx_.saved_) s.reset();
}

}  // namespace accel::autograd
