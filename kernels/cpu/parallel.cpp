#include <accel/kernels/cpu/parallel.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <accel/tensor/error.h>

namespace accel {
namespace cpu {
namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

thread_local bool tls_in_parallel = false;

// Workers spin, then sleep on a condition variable, between jobs. A job is split into `chunks`
// pieces, and each participant (the caller is participant 0, worker i is i + 1) owns a contiguous
// share of them: it claims its own from the front and, once they are gone, takes the others' from
// the back. When both cores run at full speed each does its share, the same memory as a static
// split; when the host slows one vCPU down (or deschedules it), the other finishes its share.
class ThreadPool {
 public:
  explicit ThreadPool(int threads) { resize(threads); }

  int size() const { return static_cast<int>(shares_.size()); }

  void resize(int threads) {
    stop();
    stopping_ = false;
    shares_ = std::vector<Share>(static_cast<size_t>(threads));
    // A new worker has seen every job so far: the last one is over.
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i, seen = generation_] { worker_loop(i, seen); });
  }

  // Runs fn over [begin, end) cut into at most max_chunks chunks of at least `grain`.
  void run(int64_t begin, int64_t end, int64_t grain, int64_t max_chunks,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard job_lock(job_mutex_);  // one job at a time; other callers queue here
    const int64_t range = end - begin;
    const int64_t chunks = std::min({max_chunks, (range + grain - 1) / grain, Share::kMaxChunks});
    const Job job{&fn, begin, end, chunks, ++generation_};
    pending_.store(chunks, std::memory_order_relaxed);
    error_ = nullptr;
    const int64_t participants = size();
    for (int64_t p = 0; p < participants; ++p) {
      shares_[p].reset(job.generation, p * chunks / participants, (p + 1) * chunks / participants);
    }
    slot_.publish(job);  // spinning workers pick it up from here, without taking a lock,
    doorbell_.store(job.generation, std::memory_order_release);  // once this tells them it's there
    {
      std::lock_guard lock(mutex_);  // for workers asleep on wake_
      sleepers_generation_ = job.generation;
    }
    wake_.notify_all();
    work(job, 0);
    // The other chunks usually end within microseconds of ours; sleeping instead would add a
    // futex wake-up (tens of microseconds on a VM) to every parallel op.
    for (int i = 0; i < kSpinIterations && pending_.load(std::memory_order_acquire) != 0; ++i) cpu_relax();
    if (pending_.load(std::memory_order_acquire) != 0) {
      std::unique_lock lock(mutex_);
      done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  struct Job {
    const std::function<void(int64_t, int64_t)>* fn;
    int64_t begin, end, chunks;
    uint64_t generation;
  };

  // The latest job, readable without a lock (the mutex and condition variable cost several cache
  // line transfers between the cores, a microsecond before each job's first chunk started on the
  // second one): a seqlock whose sequence number is odd while the caller rewrites the fields. A
  // worker that sees it change during its copy copies again (the caller may already be on the
  // next job). The fields are atomics (relaxed) so that such a copy is not a data race; the fences
  // order them against the sequence number.
  struct alignas(64) JobSlot {
    std::atomic<uint64_t> sequence{0};
    std::atomic<const std::function<void(int64_t, int64_t)>*> fn{nullptr};
    std::atomic<int64_t> begin{0}, end{0}, chunks{0};

    void publish(const Job& job) {
      sequence.store(2 * job.generation - 1, std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_release);
      fn.store(job.fn, std::memory_order_relaxed);
      begin.store(job.begin, std::memory_order_relaxed);
      end.store(job.end, std::memory_order_relaxed);
      chunks.store(job.chunks, std::memory_order_relaxed);
      sequence.store(2 * job.generation, std::memory_order_release);
    }
    // The latest job whose publication is complete.
    Job read() const {
      for (;;) {
        const uint64_t before = sequence.load(std::memory_order_acquire);
        if (before % 2 == 0) {
          const Job job{fn.load(std::memory_order_relaxed), begin.load(std::memory_order_relaxed),
                        end.load(std::memory_order_relaxed), chunks.load(std::memory_order_relaxed), before / 2};
          std::atomic_thread_fence(std::memory_order_acquire);
          if (sequence.load(std::memory_order_relaxed) == before) return job;
        }
        cpu_relax();
      }
    }
  };

  // A participant's chunks of the current job, [front, back), in one word with the job's generation,
  // so that a participant still finishing one job can never claim a chunk of the next. Each on a
  // cache line of its own: its owner claims from it once per chunk.
  struct alignas(64) Share {
    static constexpr int64_t kMaxChunks = 0xffff;  // front and back have 16 bits each
    std::atomic<uint64_t> word{0};

    void reset(uint64_t generation, int64_t front, int64_t back) {
      word.store(generation << 32 | static_cast<uint64_t>(front) << 16 | static_cast<uint64_t>(back),
                 std::memory_order_relaxed);
    }
    // The first chunk (the owner's) or the last (another participant's), or -1 when none is left.
    int64_t claim(uint64_t generation, bool first) {
      uint64_t w = word.load(std::memory_order_relaxed);
      for (;;) {
        const int64_t front = static_cast<int64_t>(w >> 16 & 0xffff), back = static_cast<int64_t>(w & 0xffff);
        if ((w >> 32) != (generation & 0xffffffffu) || front >= back) return -1;
        if (word.compare_exchange_weak(w, first ? w + (1u << 16) : w - 1, std::memory_order_relaxed)) {
          return first ? front : back - 1;
        }
      }
    }
  };

  int64_t claim(const Job& job, int self) {
    const int participants = size();
    int64_t chunk = shares_[self].claim(job.generation, true);
    for (int i = 1; chunk < 0 && i < participants; ++i) {
      chunk = shares_[(self + i) % participants].claim(job.generation, false);
    }
    return chunk;
  }

  void work(const Job& job, int self) {
    tls_in_parallel = true;
    for (int64_t chunk = claim(job, self); chunk >= 0; chunk = claim(job, self)) {
      // Sizes that differ by at most one (the first range % chunks one longer): ceil-sized chunks
      // could leave the last shares empty.
      const int64_t length = (job.end - job.begin) / job.chunks, longer = (job.end - job.begin) % job.chunks;
      const int64_t b = job.begin + chunk * length + std::min(chunk, longer);
      const int64_t e = b + length + (chunk < longer ? 1 : 0);
      try {
        (*job.fn)(b, e);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lock(mutex_);  // orders the notify after a sleeping caller's predicate check
        done_.notify_all();
      }
    }
    tls_in_parallel = false;
  }

  void worker_loop(int self, uint64_t seen) {
    for (;;) {
      // Spin briefly before sleeping: waking a sleeping thread costs 30-75 us on a VM, more than
      // many whole ops, and training loops issue parallel ops back to back.
      // The doorbell has a cache line of its own: spinning on the job's line would pull it away
      // from the caller between each of its writes.
      for (int i = 0; i < kSpinIterations && doorbell_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
      if (doorbell_.load(std::memory_order_acquire) == seen) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || sleepers_generation_ != seen; });
      }
      if (doorbell_.load(std::memory_order_acquire) == kStopping) return;
      const Job job = slot_.read();
      seen = job.generation;
      work(job, self);
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      doorbell_.store(kStopping, std::memory_order_release);  // ends any spin
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    doorbell_.store(generation_, std::memory_order_relaxed);
  }

  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  JobSlot slot_;
  alignas(64) std::atomic<uint64_t> doorbell_{0};  // the latest job's generation, or kStopping
  static constexpr uint64_t kStopping = ~uint64_t{0};
  // One per participant (the caller and the workers); read by every claim, so off the doorbell's line.
  alignas(64) std::vector<Share> shares_;
  alignas(64) std::atomic<int64_t> pending_{0};  // chunks of the current job not yet finished
  static constexpr int kSpinIterations = 2000;  // ~50 us of pause instructions
  uint64_t generation_ = 0;           // the latest job's; written by the caller under job_mutex_
  uint64_t sleepers_generation_ = 0;  // the same, under mutex_, for workers waiting on wake_
  bool stopping_ = false;
  std::exception_ptr error_;
};

int default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

std::atomic<int> num_threads{0};  // 0: not yet set, use the default

ThreadPool& pool() {
  // Leaked on purpose: joining threads during static destruction can deadlock.
  static auto* p = new ThreadPool(get_num_threads());
  return *p;
}

}  // namespace

bool in_parallel_region() { return tls_in_parallel; }

void parallel_for_impl(int64_t begin, int64_t end, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  ThreadPool& threads = pool();
  const int64_t participants = threads.size();
  grain = std::max<int64_t>(grain, 1);
  const int64_t grains = (end - begin + grain - 1) / grain;
  // As many chunks in every share: three chunks on two threads would leave the third to a race.
  const int64_t chunks =
      grains <= participants ? grains : std::min(grains, participants * kChunksPerThread) / participants * participants;
  threads.run(begin, end, grain, chunks, fn);
}

void parallel_tasks(int64_t count, const std::function<void(int64_t)>& fn) {
  if (count <= 1 || in_parallel_region() || get_num_threads() == 1) {
    for (int64_t i = 0; i < count; ++i) fn(i);
    return;
  }
  pool().run(0, count, 1, count, [&fn](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) fn(i);
  });
}

}  // namespace cpu

void set_num_threads(int n) {
  ACCEL_CHECK(n >= 1, "set_num_threads: expected a positive number of threads, got ", n);
  cpu::num_threads.store(n);
  cpu::pool().resize(n);
}

int get_num_threads() {
  const int n = cpu::num_threads.load(std::memory_order_relaxed);
  if (n > 0) [[likely]] return n;
  // hardware_concurrency() costs microseconds (it reads /sys), so ask once.
  int expected = 0;
  cpu::num_threads.compare_exchange_strong(expected, cpu::default_threads());
  return cpu::num_threads.load(std::memory_order_relaxed);
}

}  // namespace accel
