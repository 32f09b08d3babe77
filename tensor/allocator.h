#pragma once
// Device memory comes from an Allocator. The CPU one caches freed blocks by size class, because
// page faults are expensive and training loops free and reallocate the same sizes every step.
#include <cstddef>
#include <cstdint>

#include <accel/tensor/device.h>

namespace accel {

class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(size_t nbytes) = 0;
  virtual void deallocate(void* ptr, size_t nbytes) = 0;
  // Returns cached blocks to the system.
  virtual void empty_cache() {}
};

struct AllocatorStats {
  int64_t allocated_bytes = 0;  // in live tensors
  int64_t cached_bytes = 0;     // free blocks kept for reuse
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
};

Allocator& cpu_allocator();
AllocatorStats cpu_allocator_stats();

namespace cpu {
// Frees every cached CPU block (like torch.cuda.empty_cache(), for host memory).
void empty_cache();
}  // namespace cpu

}  // namespace accel
