#pragma once
// Host entry points of the .cu kernels (internal; no CUDA headers). Each runs on the current
// device's legacy default stream; the caller makes the tensor's device current (DeviceGuard).
#include <cstdint>

#include <accel/tensor/dtype.h>

namespace accel::cuda::detail {

// Sets n contiguous elements of itemsize bytes (1, 2, 4 or 8) to the low itemsize bytes of pattern.
void fill(void* dst, int64_t n, int64_t itemsize, uint64_t pattern);

// dst[i] = src[i] converted as the CPU backend converts, for n contiguous elements.
void cast(void* dst, DType dst_dtype, const void* src, DType src_dtype, int64_t n);

}  // namespace accel::cuda::detail
