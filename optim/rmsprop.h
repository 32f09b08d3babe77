#pragma once
// RMSprop (PyTorch's torch.optim.RMSprop):
//   g = grad (+ weight_decay * param);  v = alpha * v + (1 - alpha) * g^2
//   centered: a = lerp(a, g, 1 - alpha), avg = sqrt(v - a^2) + eps; else avg = sqrt(v) + eps
//   momentum > 0: buf = momentum * buf + g / avg, param -= lr * buf; else param -= lr * g / avg
#include <vector>

#include <accel/optim/optimizer.h>

namespace accel::optim {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
  bool maximize = false;
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  explicit RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options = {});
  void step() override;
  const char* name() const override { return "RMSprop"; }
};

}  // namespace accel::optim
