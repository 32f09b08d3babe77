#include <accel/trainer/remove_padding.h>

#include <accel/tensor/error.h>
#include <accel/tensor/indexing.h>
#include <accel/tensor/ops.h>

namespace accel::trainer {

Tensor remove_padding(const Tensor& tensor, Scalar pad_value) {
  ACCEL_CHECK(tensor.defined() && tensor.dim() > 0, "remove_padding: expected a tensor with at least one dimension");
  // A row is padding when all of its elements are.
  Tensor is_padding = tensor.eq(pad_value);
  while (is_padding.dim() > 1) is_padding = is_padding.all({-1});
  return tensor.index({logical_not(is_padding)});
}

}  // namespace accel::trainer
