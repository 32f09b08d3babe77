#pragma once
// Custom differentiable functions, as torch::autograd::Function:
//
//   struct Cube : accel::autograd::Function<Cube> {
//     static Tensor forward(AutogradContext* ctx, const Tensor& x) {
//       ctx->save_for_backward({x});
//       return x * x * x;
//     }
//     static std::vector<Tensor> backward(AutogradContext* ctx, std::vector<Tensor> grad_outputs) {
//       const Tensor x = ctx->get_saved_variables()[0];
//       return {grad_outputs[0] * 3 * x * x};
//     }
//   };
//   Tensor y = Cube::apply(x);
//
// forward runs without recording and returns a Tensor or a std::vector<Tensor>; backward gets one
// gradient per output and returns one per forward argument (undefined for non-tensor arguments
// and for inputs that need none). backward may use differentiable ops: then create_graph works.
#include <any>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <accel/autograd/meta.h>

namespace accel::autograd {

class AutogradContext {
 public:
  void save_for_backward(std::vector<Tensor> tensors) { to_save_ = std::move(tensors); }
  std::vector<Tensor> get_saved_variables() const;
  // Outputs that are not differentiable (e.g. indices) get no history.
  void mark_non_differentiable(const std::vector<Tensor>& outputs);
  // Whether forward argument i needs a gradient.
  bool needs_input_grad(size_t i) const { return i < needs_grad_.size() && needs_grad_[i]; }
  // Anything else backward needs (sizes, flags, scalars).
  std::unordered_map<std::string, std::any> saved_data;

 private:
  template <typename F>
  friend struct Function;
  friend class FunctionNode;
  std::vector<Tensor> to_save_;
  std::vector<SavedTensor> saved_;
  std::vector<const TensorImpl*> non_differentiable_;
  std::vector<bool> needs_grad_;
  const Node* node_ = nullptr;
};

// The readable name of a C++ type name from typeid.
std::string demangle(const char* mangled);

// The node recorded for a custom function.
class FunctionNode final : public Node {
 public:
  using Backward = TensorList (*)(AutogradContext*, TensorList);
  FunctionNode(const char* mangled_name, Backward backward)
      : name_(demangle(mangled_name)), backward_(backward) {
    ctx_.node_ = this;
  }
  const char* name() const override { return name_.c_str(); }
  TensorList apply(TensorList&& grads) override;
  void release_saved() override;
  AutogradContext& context() { return ctx_; }
  // After forward: saves the context's tensors and attaches the outputs to this node.
  void finish(TensorList& outputs, bool record);

 private:
  std::string name_;
  Backward backward_;
  AutogradContext ctx_;
};

namespace detail {
inline void collect(std::vector<const Tensor*>& out, const Tensor& t) { out.push_back(&t); }
template <typename T>
void collect(std::vector<const Tensor*>& out, const T&) {
  out.push_back(nullptr);
}
}  // namespace detail

template <typename F>
struct Function {
  template <typename... Args>
  static auto apply(Args&&... args) {
    std::vector<const Tensor*> tensor_args;
    (detail::collect(tensor_args, args), ...);
    bool record = GradMode::is_enabled();
    bool any = false;
    for (const Tensor* t : tensor_args) any = any || (t && requires_grad(*t));
    record = record && any;

    auto node = IntrusivePtr<FunctionNode>::make(typeid(F).name(), &F::backward);
    AutogradContext& ctx = node->context();
    for (const Tensor* t : tensor_args) ctx.needs_grad_.push_back(t && requires_grad(*t));
    using Result = decltype(F::forward(&ctx, std::forward<Args>(args)...));
    static_assert(std::is_same_v<Result, Tensor> || std::is_same_v<Result, std::vector<Tensor>>,
                  "Function::forward must return a Tensor or a std::vector<Tensor>");
    TensorList outputs;
    {
      NoGradGuard no_grad;
      if constexpr (std::is_same_v<Result, Tensor>) outputs.push_back(F::forward(&ctx, std::forward<Args>(args)...));
      else outputs = F::forward(&ctx, std::forward<Args>(args)...);
    }
    if (record) {
      auto& edges = node->mutable_next_edges();
      for (const Tensor* t : tensor_args) edges.push_back(t && t->defined() ? gradient_edge(*t) : Edge{});
    }
    node->finish(outputs, record);
    if constexpr (std::is_same_v<Result, Tensor>) return outputs[0];
    else return outputs;
  }
};

}  // namespace accel::autograd
