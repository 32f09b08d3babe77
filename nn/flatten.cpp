#include <accel/nn/flatten.h>

#include <ostream>

#include <accel/nn/repr.h>

namespace accel::nn {

Tensor Flatten::forward(const Tensor& input) { return input.flatten(start_dim, end_dim); }
void Flatten::pretty_print(std::ostream& os) const {
  os << "Flatten(start_dim=" << start_dim << ", end_dim=" << end_dim << ")";
}

Tensor Unflatten::forward(const Tensor& input) { return input.unflatten(dim, unflattened_size); }
void Unflatten::pretty_print(std::ostream& os) const {
  os << "Unflatten(dim=" << dim << ", unflattened_size=" << python_tuple(unflattened_size) << ")";
}

}  // namespace accel::nn
