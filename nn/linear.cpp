#include <accel/nn/linear.h>

#include <cmath>
#include <ostream>

#include <accel/nn/init.h>
#include <accel/nn/repr.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

Linear::Linear(int64_t in_features, int64_t out_features, LinearOptions options)
    : in_features(in_features), out_features(out_features), options(options) {
  reset();
}

void Linear::reset() {
  ACCEL_CHECK(in_features >= 0 && out_features >= 0, "Linear: features must be non-negative, got in_features=",
              in_features, ", out_features=", out_features);
  weight = register_parameter("weight", accel::empty({out_features, in_features}));
  bias = register_parameter("bias", options.bias ? accel::empty({out_features}) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = in_features > 0 ? 1 / std::sqrt(static_cast<double>(in_features)) : 0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& input) { return linear(input, weight, bias); }

void Linear::pretty_print(std::ostream& os) const {
  os << "Linear(in_features=" << in_features << ", out_features=" << out_features
     << ", bias=" << python_repr(bias.defined()) << ")";
}

}  // namespace accel::nn
