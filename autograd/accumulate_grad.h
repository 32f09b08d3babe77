#pragma once
// The node at a leaf: adds the incoming gradient into the leaf's .grad.
#include <accel/autograd/node.h>

namespace accel::autograd {

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  ~AccumulateGrad() override;
  const char* name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  // A leaf's tensor hooks live on the leaf (this node may be freed with its graph).
  void run_tensor_hooks(TensorList& grads) override;
  const Tensor& leaf() const { return leaf_; }

 private:
  Tensor leaf_;
};

}  // namespace accel::autograd
