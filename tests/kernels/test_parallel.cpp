// The CPU thread pool: parallel_for cuts a range into at most one chunk per thread, parallel_tasks
// hands out single tasks; both run everything exactly once, inline where they must, and pass a
// task's exception to the caller.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <accel/accel.h>
#include <accel/kernels/cpu/parallel.h>

#include "kernel_testing.h"

using namespace accel;
using kernel_testing::ThreadCount;

TEST(Parallel, ForCoversTheRangeOnceInAtMostOneChunkPerThread) {
  for (int threads : {1, 2, 3}) {
    const ThreadCount count(threads);
    std::vector<std::atomic<int>> hits(1000);
    std::mutex mutex;
    std::vector<std::pair<int64_t, int64_t>> chunks;
    cpu::parallel_for(0, 1000, 10, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) ++hits[i];
      const std::lock_guard lock(mutex);
      chunks.emplace_back(begin, end);
    });
    for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
    EXPECT_LE(chunks.size(), static_cast<size_t>(threads));
    // A range no larger than one grain runs inline, as one chunk.
    std::vector<std::pair<int64_t, int64_t>> small;
    cpu::parallel_for(5, 15, 10, [&](int64_t begin, int64_t end) { small.emplace_back(begin, end); });
    EXPECT_EQ(small, (std::vector<std::pair<int64_t, int64_t>>{{5, 15}}));
  }
}

TEST(Parallel, TasksRunOnceEachOnTheThreadsThatAreFree) {
  for (int threads : {1, 3}) {
    const ThreadCount count(threads);
    for (int repeat = 0; repeat < 50; ++repeat) {
      std::vector<std::atomic<int>> hits(7);
      std::mutex mutex;
      std::set<std::thread::id> ran_on;
      cpu::parallel_tasks(7, [&](int64_t task) {
        ++hits[task];
        const std::lock_guard lock(mutex);
        ran_on.insert(std::this_thread::get_id());
      });
      for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
      EXPECT_LE(ran_on.size(), static_cast<size_t>(threads));
      if (threads == 1) {
        EXPECT_EQ(*ran_on.begin(), std::this_thread::get_id());
      }
    }
  }
  const ThreadCount count(2);
  int none = 0;
  cpu::parallel_tasks(0, [&](int64_t) { ++none; });
  EXPECT_EQ(none, 0);
}

TEST(Parallel, NestedWorkRunsInlineAndErrorsReachTheCaller) {
  const ThreadCount count(3);
  std::atomic<int> inner{0};
  cpu::parallel_tasks(4, [&](int64_t) {
    EXPECT_TRUE(cpu::in_parallel_region());
    const std::thread::id outer = std::this_thread::get_id();
    cpu::parallel_tasks(3, [&](int64_t) {
      EXPECT_EQ(std::this_thread::get_id(), outer);
      ++inner;
    });
  });
  EXPECT_EQ(inner.load(), 12);
  EXPECT_FALSE(cpu::in_parallel_region());
  EXPECT_THROW(cpu::parallel_tasks(5, [](int64_t task) {
                 if (task == 3) throw std::runtime_error("task 3");
               }),
               std::runtime_error);
  EXPECT_THROW(cpu::parallel_for(0, 100000, 1, [](int64_t begin, int64_t) {
                 if (begin > 0) ACCEL_FAIL("second chunk");
               }),
               Error);
  std::atomic<int> after{0};  // the pool still works
  cpu::parallel_tasks(3, [&](int64_t) { ++after; });
  EXPECT_EQ(after.load(), 3);
  EXPECT_THROW(set_num_threads(0), Error);
}

// Jobs back to back, some so short that the caller runs every chunk before a worker looks: a worker
// then reads a job that is over (or being replaced by the next) and must claim nothing from it.
// Every chunk of every job still runs exactly once, whatever the thread count.
TEST(Parallel, BackToBackJobsRunEachChunkOnce) {
  for (int threads : {2, 3}) {
    const ThreadCount count(threads);
    std::vector<int> runs(3 * 20000, 0);
    for (int job = 0; job < 20000; ++job) {
      cpu::parallel_for(0, 3, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) ++runs[static_cast<size_t>(3 * job + i)];
      });
    }
    EXPECT_EQ(std::count(runs.begin(), runs.end(), 1), static_cast<std::ptrdiff_t>(runs.size()))
        << threads << " threads";
  }
}
