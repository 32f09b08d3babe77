#pragma once
// Helpers shared by the neural-network kernels (softmax, conv, pool, norm; internal).
#include <algorithm>
#include <utility>

#include <accel/tensor/backend.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>

namespace accel::cpu {

// These kernels are written for float and double (mostly on Eigen, which knows nothing of our
// 16-bit types). float16 and bfloat16 tensors run them on float32 copies and are rounded once
// when the results are copied back, as PyTorch's CPU kernels compute them in float.
inline bool computes_in_float32(DType t) { return t == kFloat16 || t == kBFloat16; }

// A float32 copy of a 16-bit t; any other tensor (undefined, int64 indices) as it is.
inline Tensor float32_copy(const Tensor& t) {
  if (!t.defined() || !computes_in_float32(t.dtype())) return t;
  const Tensor f = empty(t.sizes(), {.dtype = kFloat32});
  backend(DeviceType::CPU).copy(f, t);
  return f;
}

// Uninitialised working memory for n values of T from the caching allocator. A std::vector would
// zero it, and above glibc's mmap threshold page-fault it in fresh, on every call.
template <typename T>
class Scratch {
 public:
  explicit Scratch(int64_t n) : storage_(empty({n}, {.dtype = dtype_of_v<T>})) {}
  T* data() const { return storage_.data_ptr<T>(); }

 private:
  Tensor storage_;
};

// Copies each float32 result (second) back into the output it stands for (first).
inline void copy_back(std::initializer_list<std::pair<const Tensor*, const Tensor*>> outputs) {
  for (const auto& [dst, src] : outputs)
    if (dst->defined() && !dst->is_same(*src)) backend(DeviceType::CPU).copy(*dst, *src);
}

inline Tensor contiguous_if_defined(const Tensor& t) { return t.defined() ? t.contiguous() : t; }

// Calls fn.template operator()<T>() with T = float or double for a float32 or float64 t; any other
// dtype is an error naming op.
template <typename F>
void dispatch_floating(DType t, const char* op, F&& fn) {
  switch (t) {
    case kFloat32: return fn.template operator()<float>();
    case kFloat64: return fn.template operator()<double>();
    default: ACCEL_FAIL(op, ": not implemented for ", name(t));
  }
}

// The indices o in [0, count) for which o * step + offset lies in [0, limit): the outputs of a
// convolution tap, or the taps of a pooling window, that touch the input rather than padding.
inline std::pair<int64_t, int64_t> in_bounds(int64_t offset, int64_t step, int64_t limit, int64_t count) {
  const auto ceil_div = [](int64_t a, int64_t b) { return a > 0 ? (a + b - 1) / b : a / b; };  // b > 0
  const int64_t lo = std::clamp<int64_t>(ceil_div(-offset, step), 0, count);
  return {lo, std::clamp<int64_t>(ceil_div(limit - offset, step), lo, count)};
}

}  // namespace accel::cpu
