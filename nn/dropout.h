#pragma once
// Dropout: in training, zeroes each element with probability p and scales the rest by 1 / (1 - p);
// in evaluation, the identity.
//
//   auto drop = nn::Dropout({.p = 0.1});
#include <accel/nn/module.h>

namespace accel::nn {

struct DropoutOptions {
  double p = 0.5;
};

class Dropout : public Cloneable<Dropout> {
 public:
  explicit Dropout(const DropoutOptions& options = {});

  void reset() override;
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  DropoutOptions options;
};

}  // namespace accel::nn
