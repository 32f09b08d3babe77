// The CPU thread pool: parallel_for cuts a range into whole shares of chunks per thread,
// parallel_tasks hands out single tasks; a thread that is done takes over the rest of another's
// share; everything runs exactly once, inline where it must, and a task's exception reaches the caller.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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

TEST(Parallel, ForCoversTheRangeOnceInEqualSharesOfChunks) {
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
    EXPECT_EQ(chunks.size(), threads == 1 ? 1u : static_cast<size_t>(threads * cpu::kChunksPerThread));
    std::sort(chunks.begin(), chunks.end());
    for (const auto& [begin, end] : chunks) {  // 1000 / 8 = 125, 1000 / 12 = 83.3
      EXPECT_LE(end - begin, threads == 1 ? 1000 : (1000 + threads * cpu::kChunksPerThread - 1) /
                                                       (threads * cpu::kChunksPerThread));
      EXPECT_GE(end - begin, threads == 1 ? 1000 : 1000 / (threads * cpu::kChunksPerThread));
    }
    // Three grains on two threads make two chunks, not three: a third would go to whichever thread
    // came first, the other waiting for it.
    std::vector<std::pair<int64_t, int64_t>> few;
    cpu::parallel_for(0, 25, 10, [&](int64_t begin, int64_t end) {
      const std::lock_guard lock(mutex);
      few.emplace_back(begin, end);
    });
    std::sort(few.begin(), few.end());
    if (threads == 2) {
      EXPECT_EQ(few, (std::vector<std::pair<int64_t, int64_t>>{{0, 13}, {13, 25}}));
    }
    // A range no larger than one grain runs inline, as one chunk.
    std::vector<std::pair<int64_t, int64_t>> small;
    cpu::parallel_for(5, 15, 10, [&](int64_t begin, int64_t end) { small.emplace_back(begin, end); });
    EXPECT_EQ(small, (std::vector<std::pair<int64_t, int64_t>>{{5, 15}}));
  }
}

// A worker that stalls in its first chunk (its vCPU descheduled by the host, say) must not hold up
// the rest of its share: the caller takes those chunks from the share's end. With static shares the
// stalled chunk would wait for chunks queued behind it, which only its own thread would ever run.
TEST(Parallel, TheRestOfAStalledThreadsShareIsTakenOver) {
  const ThreadCount count(2);
  const auto caller = std::this_thread::get_id();
  for (int repeat = 0; repeat < 20; ++repeat) {
    std::vector<std::atomic<int>> hits(8);
    std::atomic<int> done{0};
    bool stalled_too_long = false;
    cpu::parallel_for(0, 8, 1, [&](int64_t begin, int64_t end) {
      if (std::this_thread::get_id() == caller) {  // slow enough for the worker to claim its first chunk
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(200);
        while (std::chrono::steady_clock::now() < until) {
        }
      } else if (done.load() < 7) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (done.load() < 7 && !stalled_too_long) {
          std::this_thread::yield();
          stalled_too_long = std::chrono::steady_clock::now() > give_up;
        }
      }
      for (int64_t i = begin; i < end; ++i) ++hits[i];
      done += static_cast<int>(end - begin);
    });
    ASSERT_FALSE(stalled_too_long) << "the stalled worker's share was left to it";
    for (const auto& h : hits) EXPECT_EQ(h.load(), 1);
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
    for (int64_t items : {3, 40}) {  // fewer chunks than threads, and several per thread
      std::vector<std::atomic<int>> runs(static_cast<size_t>(items * 20000));
      for (int64_t job = 0; job < 20000; ++job) {
        cpu::parallel_for(0, items, 1, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) ++runs[static_cast<size_t>(items * job + i)];
        });
      }
      EXPECT_EQ(std::count_if(runs.begin(), runs.end(), [](const std::atomic<int>& r) { return r.load() == 1; }),
                static_cast<std::ptrdiff_t>(runs.size()))
          << threads << " threads, " << items << " items";
    }
  }
}
