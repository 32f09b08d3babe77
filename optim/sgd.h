#pragma once
// Stochastic gradient descent with optional momentum (PyTorch's torch.optim.SGD):
//   g = grad (+ weight_decay * param);  buf = momentum * buf + (1 - dampening) * g  (buf = g at first)
//   param -= lr * (nesterov ? g + momentum * buf : buf)
#include <vector>

#include <accel/optim/optimizer.h>

namespace accel::optim {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;  // needs momentum > 0 and dampening == 0
  bool maximize = false;  // ascend the objective instead
};

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Tensor> params, SGDOptions options = {});
  explicit SGD(std::vector<ParamGroup> groups, SGDOptions options = {});
  void step() override;
  const char* name() const override { return "SGD"; }
};

}  // namespace accel::optim
