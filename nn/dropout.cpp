#include <accel/nn/dropout.h>

#include <ostream>

#include <accel/nn/repr.h>
#include <accel/tensor/error.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

Dropout::Dropout(const DropoutOptions& options) : options(options) { reset(); }

void Dropout::reset() {
  ACCEL_CHECK(options.p >= 0 && options.p <= 1, "Dropout: p must be in [0, 1], got ", options.p);
}

Tensor Dropout::forward(const Tensor& input) { return dropout(input, options.p, is_training()); }

// PyTorch also prints inplace, which accel's dropout never is.
void Dropout::pretty_print(std::ostream& os) const {
  os << "Dropout(p=" << python_repr(options.p) << ", inplace=False)";
}

}  // namespace accel::nn
