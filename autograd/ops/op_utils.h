#pragma once
// Shared checks and helpers of the op front end (internal).
#include <accel/tensor/backend.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::ops {

inline void check_defined(const Tensor& t, const char* op) {
  ACCEL_CHECK(t.defined(), op, ": got an undefined tensor");
}

// The device an op runs on. A 0-dim CPU tensor may join tensors on another device (like a
// number); anything else must match.
Device common_device(const char* op, std::initializer_list<const Tensor*> tensors);
inline Device common_device(const char* op, const Tensor& a, const Tensor& b) { return common_device(op, {&a, &b}); }

// A 0-dim tensor holding s, of the given dtype and device.
Tensor scalar_tensor(Scalar s, DType dtype, Device device);

// t converted to dtype and moved to device (no copy when it already is).
inline Tensor prepare(const Tensor& t, DType dtype, Device device) {
  if (t.dtype() == dtype && t.device() == device) return t;
  return t.to(device, dtype);
}

// t viewed with the given (broadcast) shape; no new tensor when the shape already matches.
inline Tensor broadcast_to(const Tensor& t, IntArrayRef shape) {
  if (t.sizes() == shape) return t;
  return t.expand(shape);
}

// t converted to dtype/device and broadcast to shape. Returns t itself when nothing changes, else
// the new tensor stored in holder: the hot path copies no handle (each copy is two atomic ops).
inline const Tensor& operand(const Tensor& t, DType dtype, Device device, IntArrayRef shape, Tensor& holder) {
  if (t.dtype() == dtype && t.device() == device && t.sizes() == shape) return t;
  holder = broadcast_to(prepare(t, dtype, device), shape);
  return holder;
}

// Writes through `self` are allowed: no element of self may alias another (expanded tensors), and
// autograd allows it (self is not a leaf that requires grad). Call before modifying self.
void check_writable(const Tensor& self, const char* op);

// PyTorch's can_cast: float -> integral and non-bool -> bool are not allowed in place.
void check_can_cast(DType from, DType to, const char* op);

uint64_t dims_mask(const Tensor& x, IntArrayRef dims, const char* op);

}  // namespace accel::ops
