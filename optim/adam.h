#pragma once
// Adam (PyTorch's torch.optim.Adam), with L2 weight decay folded into the gradient:
//   g = grad (+ weight_decay * param);  m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g^2
//   param -= lr / (1 - beta1^t) * m / (sqrt(v_hat / (1 - beta2^t)) + eps)
// where v_hat is v, or with amsgrad the largest v so far.
#include <vector>

#include <accel/optim/optimizer.h>

namespace accel::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {});
  explicit Adam(std::vector<ParamGroup> groups, AdamOptions options = {});
  void step() override;
  const char* name() const override { return "Adam"; }

 protected:
  // decoupled_weight_decay: AdamW's rule, which shrinks the parameter instead of adding to the gradient.
  Adam(std::vector<ParamGroup> groups, const AdamOptions& options, bool decoupled_weight_decay);

 private:
  bool decoupled_weight_decay_;
};

}  // namespace accel::optim
