#pragma once
// Linear (y = x W^T + b) and Identity.
#include <cstdint>
#include <iosfwd>

#include <accel/nn/module.h>

namespace accel::nn {

struct LinearOptions {
  bool bias = true;
};

// weight [out_features, in_features] and bias [out_features] start uniform in
// +-1/sqrt(in_features), as PyTorch's (kaiming_uniform_ with a = sqrt(5)).
class Linear : public Cloneable<Linear> {
 public:
  Linear(int64_t in_features, int64_t out_features, LinearOptions options = {});
  void reset() override;
  // Draws fresh initial values for weight and bias.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t in_features, out_features;
  LinearOptions options;
  Tensor weight, bias;  // bias is undefined when options.bias is false
};

// Returns its input; a placeholder where a layer is optional (e.g. a removed classifier head).
class Identity : public Cloneable<Identity> {
 public:
  void reset() override {}
  Tensor forward(const Tensor& input) override { return input; }
};

}  // namespace accel::nn
