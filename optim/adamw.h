#pragma once
// AdamW (PyTorch's torch.optim.AdamW): Adam with decoupled weight decay, which shrinks the
// parameter by lr * weight_decay each step instead of adding weight_decay * param to the gradient.
#include <vector>

#include <accel/optim/adam.h>

namespace accel::optim {

// AdamOptions with AdamW's default weight decay.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  explicit AdamW(std::vector<ParamGroup> groups, AdamWOptions options = {});
  const char* name() const override { return "AdamW"; }
};

}  // namespace accel::optim
