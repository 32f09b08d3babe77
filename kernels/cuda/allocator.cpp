// A caching allocator per device, after PyTorch's CUDACachingAllocator: cudaMalloc costs far more
// than a kernel and cudaFree synchronises the device, so freed blocks are kept and reused.
//
// Segments come from cudaMalloc: requests up to 1 MiB share 2 MiB segments (the small pool),
// larger ones get 20 MiB segments below 10 MiB and their own segment, rounded to 2 MiB, above.
// A free block is split to fit a request (best fit by size) and merged with its free neighbours
// when released, so a segment whose blocks are all free becomes one block again.
//
// Reuse is stream-ordered on the legacy default stream, the only stream accel uses so far: a block
// freed while kernels that use it are still queued may be handed out at once, because any later
// kernel writing it runs after them on the same stream. Supporting other streams will need a
// block to remember its stream and record events when it is used on another one.
#include <accel/kernels/cuda/allocator.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <accel/kernels/cuda/runtime.h>

namespace accel::cuda::detail {
namespace {

constexpr size_t kMinBlockSize = 512;             // sizes are multiples of this
constexpr size_t kSmallSize = size_t{1} << 20;    // the largest request of the small pool
constexpr size_t kSmallSegment = size_t{2} << 20;
constexpr size_t kLargeSegment = size_t{20} << 20;
constexpr size_t kMinLargeAlloc = size_t{10} << 20;  // from here a request gets its own segment
constexpr size_t kRoundLarge = size_t{2} << 20;
constexpr size_t kMaxRequest = size_t{1} << 56;   // keeps the rounding below from overflowing

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

size_t segment_size(size_t block_size) {
  if (block_size <= kSmallSize) return kSmallSegment;
  return block_size < kMinLargeAlloc ? kLargeSegment : round_up(block_size, kRoundLarge);
}

std::string format_bytes(double value) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  for (; value >= 1024 && unit < 5; ++unit) value /= 1024;
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.2f %s", value, units[unit]);
  return text;
}

struct Block {
  char* ptr;
  size_t size;
  bool small;              // which pool it returns to
  bool allocated = false;
  Block* prev = nullptr;   // neighbours within the same segment
  Block* next = nullptr;
};

struct BySizeThenAddress {
  bool operator()(const Block* a, const Block* b) const {
    return a->size != b->size ? a->size < b->size : a->ptr < b->ptr;
  }
};
using Pool = std::set<Block*, BySizeThenAddress>;

class DeviceCachingAllocator final : public Allocator {
 public:
  explicit DeviceCachingAllocator(int device) : device_(device) {}

  void* allocate(size_t nbytes) override {
    if (nbytes == 0) return nullptr;
    std::lock_guard lock(mutex_);
    if (nbytes > kMaxRequest) out_of_memory(nbytes);
    const size_t size = round_up(nbytes, kMinBlockSize);
    const bool small = size <= kSmallSize;
    Pool& pool = small ? small_pool_ : large_pool_;
    Block key{nullptr, size, small};
    Block* block = nullptr;
    if (auto it = pool.lower_bound(&key); it != pool.end()) {
      block = *it;
      pool.erase(it);
      ++stats_.cache_hits;
    } else {
      block = new_segment(segment_size(size), small, nbytes);
      ++stats_.cache_misses;
    }
    split(block, size, pool);
    block->allocated = true;
    live_.emplace(block->ptr, block);
    stats_.allocated_bytes += static_cast<int64_t>(block->size);
    stats_.peak_allocated_bytes = std::max(stats_.peak_allocated_bytes, stats_.allocated_bytes);
    return block->ptr;
  }

  void deallocate(void* ptr, size_t /*nbytes*/) override {
    if (!ptr) return;
    std::lock_guard lock(mutex_);
    const auto it = live_.find(ptr);
    ACCEL_CHECK(it != live_.end(), "cuda allocator: ", ptr, " was not allocated on cuda:", device_);
    Block* block = it->second;
    live_.erase(it);
    block->allocated = false;
    stats_.allocated_bytes -= static_cast<int64_t>(block->size);
    Pool& pool = block->small ? small_pool_ : large_pool_;
    if (block->prev && !block->prev->allocated) merge_into(block, block->prev, pool);
    if (block->next && !block->next->allocated) merge_into(block, block->next, pool);
    pool.insert(block);
  }

  void empty_cache() override {
    std::lock_guard lock(mutex_);
    release_free_segments();
  }

  MemoryStats stats() {
    std::lock_guard lock(mutex_);
    MemoryStats s = stats_;
    s.cached_bytes = s.reserved_bytes - s.allocated_bytes;
    return s;
  }

 private:
  // Gives the tail of `block` beyond `size` back to the pool, when it is worth keeping apart:
  // large-pool remainders of 1 MiB or less stay attached, as in PyTorch, to limit fragmentation.
  static void split(Block* block, size_t size, Pool& pool) {
    const size_t rest = block->size - size;
    if (block->small ? rest < kMinBlockSize : rest <= kSmallSize) return;
    auto* tail = new Block{block->ptr + size, rest, block->small, false, block, block->next};
    if (block->next) block->next->prev = tail;
    block->next = tail;
    block->size = size;
    pool.insert(tail);
  }

  // Absorbs the free neighbour (block->prev or block->next) into block.
  static void merge_into(Block* block, Block* neighbour, Pool& pool) {
    pool.erase(neighbour);
    if (neighbour == block->prev) {
      block->ptr = neighbour->ptr;
      block->prev = neighbour->prev;
      if (block->prev) block->prev->next = block;
    } else {
      block->next = neighbour->next;
      if (block->next) block->next->prev = block;
    }
    block->size += neighbour->size;
    delete neighbour;
  }

  Block* new_segment(size_t size, bool small, size_t requested) {
    DeviceGuard guard(device_);
    void* ptr = nullptr;
    cudaError_t error = cudaMalloc(&ptr, size);
    if (error == cudaErrorMemoryAllocation) {  // the cache may hold what is missing
      cudaGetLastError();
      release_free_segments();
      error = cudaMalloc(&ptr, size);
    }
    if (error == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      out_of_memory(requested);
    }
    ACCEL_CUDA_CHECK(error);
    stats_.reserved_bytes += static_cast<int64_t>(size);
    stats_.peak_reserved_bytes = std::max(stats_.peak_reserved_bytes, stats_.reserved_bytes);
    return new Block{static_cast<char*>(ptr), size, small};
  }

  [[noreturn]] void out_of_memory(size_t requested) const {
    const auto allocated = static_cast<double>(stats_.allocated_bytes);
    const auto cached = static_cast<double>(stats_.reserved_bytes - stats_.allocated_bytes);
    ACCEL_FAIL("CUDA out of memory: tried to allocate ", format_bytes(static_cast<double>(requested)), " (",
               requested, " bytes) on cuda:", device_, " (allocated ", format_bytes(allocated), ", cached ",
               format_bytes(cached), ")");
  }

  // cudaFrees every segment that is one free block.
  void release_free_segments() {
    std::vector<Block*> whole;
    for (Pool* pool : {&small_pool_, &large_pool_})
      for (Block* b : *pool)
        if (!b->prev && !b->next) whole.push_back(b);
    if (whole.empty()) return;
    DeviceGuard guard(device_);
    // Kernels queued before the blocks were freed may still be using them.
    ACCEL_CUDA_CHECK(cudaDeviceSynchronize());
    for (Block* b : whole) {
      (b->small ? small_pool_ : large_pool_).erase(b);
      ACCEL_CUDA_CHECK(cudaFree(b->ptr));
      stats_.reserved_bytes -= static_cast<int64_t>(b->size);
      delete b;
    }
  }

  const int device_;
  std::mutex mutex_;
  Pool small_pool_;
  Pool large_pool_;
  std::unordered_map<void*, Block*> live_;
  MemoryStats stats_;
};

std::vector<std::unique_ptr<DeviceCachingAllocator>>& allocators() {
  // Never destroyed: tensors in static objects may be freed after main returns.
  static auto* all = [] {
    auto* list = new std::vector<std::unique_ptr<DeviceCachingAllocator>>();
    for (int d = 0; d < device_count(); ++d) list->push_back(std::make_unique<DeviceCachingAllocator>(d));
    return list;
  }();
  return *all;
}

}  // namespace

Allocator& device_allocator(int device) {
  check_device(device, "allocate");
  return *allocators()[static_cast<size_t>(device)];
}

MemoryStats device_memory_stats(int device) {
  check_device(device, "memory_stats");
  return allocators()[static_cast<size_t>(device)]->stats();
}

void empty_device_caches() {
  for (auto& allocator : allocators()) allocator->empty_cache();
}

}  // namespace accel::cuda::detail
