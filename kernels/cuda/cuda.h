#pragma once
// Device-level CUDA API, like torch.cuda. It exists in every build: built without CUDA, or run on
// a machine without a driver or a GPU, is_available() is false and device_count() is 0.
#include <cstdint>

namespace accel::cuda {

// Whether CUDA tensors can be created: built with CUDA and at least one device visible.
bool is_available();
int device_count();

// Waits for all work queued on the device (-1: on every device).
void synchronize(int device = -1);

// Returns the caching allocator's free blocks on every device to the driver, so that other
// processes (or another library in this one) can use the memory.
void empty_cache();

// The caching allocator of one device. Sizes are the allocator's rounded block sizes.
struct MemoryStats {
  int64_t allocated_bytes = 0;       // in live tensors
  int64_t reserved_bytes = 0;        // obtained from the driver: allocated plus cached
  int64_t cached_bytes = 0;          // reserved but free, kept for reuse
  int64_t peak_allocated_bytes = 0;
  int64_t peak_reserved_bytes = 0;
  int64_t cache_hits = 0;            // allocations served without calling cudaMalloc
  int64_t cache_misses = 0;          // allocations that called cudaMalloc
};
MemoryStats memory_stats(int device = 0);

}  // namespace accel::cuda
