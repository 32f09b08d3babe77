#pragma once
#include <optional>

#include <accel/tensor/device.h>
#include <accel/tensor/dtype.h>

namespace accel {

// Used with designated initializers: accel::zeros({2, 3}, {.dtype = accel::kFloat64}).
// An unset dtype means the factory's default (float32, or what the values imply).
struct TensorOptions {
  std::optional<DType> dtype = std::nullopt;
  Device device = Device::cpu();
  bool requires_grad = false;
};

}  // namespace accel
