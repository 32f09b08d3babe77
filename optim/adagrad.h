#pragma once
// Adagrad (PyTorch's torch.optim.Adagrad), at step t:
//   g = grad (+ weight_decay * param);  sum += g^2
//   param -= lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)
// sum starts at initial_accumulator_value (created at a parameter's first step; PyTorch creates it in
// the constructor, which only shows in a state_dict taken before any step).
#include <vector>

#include <accel/optim/optimizer.h>

namespace accel::optim {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  bool maximize = false;
};

class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  explicit Adagrad(std::vector<ParamGroup> groups, AdagradOptions options = {});
  void step() override;
  const char* name() const override { return "Adagrad"; }
};

}  // namespace accel::optim
