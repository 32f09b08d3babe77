#pragma once
// A persistent thread pool. parallel_for splits [begin, end) into at most kChunksPerThread chunks
// per thread, of about `grain` iterations or more; a range no larger than one grain runs inline on
// the caller, so small tensors never pay for a thread hand-off. Each thread owns a contiguous share
// of the chunks (the caller the first), works through it in order, and then takes chunks from the
// end of the others' shares: when the cores keep pace each touches the same memory as under a
// static split, and when the host slows one vCPU down the other takes over the rest of its share.
#include <cstdint>
#include <functional>

namespace accel {

// Threads used by CPU kernels (default: the number of cores). set_num_threads(1) disables the pool.
void set_num_threads(int n);
int get_num_threads();

namespace cpu {

// Elementwise work below this many elements runs on one thread.
inline constexpr int64_t kGrainSize = 32768;

// Chunks per thread that parallel_for cuts a long range into: the granularity at which a thread
// that finishes its share early can take over another's.
inline constexpr int64_t kChunksPerThread = 4;

// True inside a parallel region (nested parallel_for calls then run inline).
bool in_parallel_region();

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(0), ..., fn(count - 1) on the pool, each thread through its share of the tasks and then
// the others' from their ends (inline, in order, on one thread or inside a parallel region). For a
// few independent pieces of work, each too small to gain from being split across the threads itself.
void parallel_tasks(int64_t count, const std::function<void(int64_t)>& fn);

template <typename F>
inline void parallel_for(int64_t begin, int64_t end, int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (end - begin <= grain || in_parallel_region() || get_num_threads() == 1) {
    fn(begin, end);
    return;
  }
  parallel_for_impl(begin, end, grain, std::function<void(int64_t, int64_t)>(std::forward<F>(fn)));
}

}  // namespace cpu
}  // namespace accel
