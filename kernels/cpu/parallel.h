#pragma once
// A persistent thread pool. parallel_for splits [begin, end) into at most num_threads() chunks of
// at least `grain` iterations; a range no larger than one grain runs inline on the caller, so
// small tensors never pay for a thread hand-off.
#include <cstdint>
#include <functional>

namespace accel {

// Threads used by CPU kernels (default: the number of cores). set_num_threads(1) disables the pool.
void set_num_threads(int n);
int get_num_threads();

namespace cpu {

// Elementwise work below this many elements runs on one thread.
inline constexpr int64_t kGrainSize = 32768;

// True inside a parallel region (nested parallel_for calls then run inline).
bool in_parallel_region();

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// Runs fn(0), ..., fn(count - 1) on the pool, each task claimed by whichever thread is free next
// (inline, in order, on one thread or inside a parallel region). For a few independent pieces of
// work, each too small to gain from being split across the threads itself.
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
