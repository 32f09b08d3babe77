#pragma once
// remove_padding: drops the rows (along dim 0) that consist entirely of pad_value, e.g. after
// gathering predictions that were padded to the same length on every process. A 1-D tensor loses
// every element equal to pad_value.
//   remove_padding(tensor({{0, 1}, {1, 2}, {-1, -1}}), -1)  ->  {{0, 1}, {1, 2}}
#include <accel/tensor/scalar.h>
#include <accel/tensor/tensor.h>

namespace accel::trainer {

Tensor remove_padding(const Tensor& tensor, Scalar pad_value);

}  // namespace accel::trainer
