#pragma once
// The per-device CUDA caching allocators (internal; no CUDA headers).
#include <accel/kernels/cuda/cuda.h>
#include <accel/tensor/allocator.h>

namespace accel::cuda::detail {

Allocator& device_allocator(int device);  // throws unless 0 <= device < device_count()
MemoryStats device_memory_stats(int device);
void empty_device_caches();

}  // namespace accel::cuda::detail
