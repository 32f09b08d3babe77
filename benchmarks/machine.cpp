// The machine's own limits, the denominators of the floors in docs/benchmarks.md (no accel code and
// no libtorch peer):
//   fma_peak/threads:N      float32 FMA throughput with N threads: ten independent chains of vector
//                           FMAs per thread, enough to cover the FMA latency on both of a core's pipes
//   memory_bandwidth/threads:N  a[i] = b[i] + c[i] over three 64 MB arrays split across N threads:
//                           12 bytes per element, the traffic of an elementwise op larger than L3
#include <benchmark/benchmark.h>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <cstdint>
#include <thread>
#include <vector>

namespace {

// Runs fn(t) on threads 0..n-1 at once (thread 0 is the caller).
template <typename F>
void on_threads(int n, F&& fn) {
  std::vector<std::thread> others;
  for (int t = 1; t < n; ++t) others.emplace_back([&, t] { fn(t); });
  fn(0);
  for (std::thread& t : others) t.join();
}

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline Vec splat(float x) { return _mm512_set1_ps(x); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline Vec splat(float x) { return _mm256_set1_ps(x); }
#endif

void fma_peak(benchmark::State& state) {
#if defined(__AVX2__) && defined(__FMA__)
  constexpr int64_t kIterations = 10'000'000;
  const int threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    on_threads(threads, [](int) {
      const Vec x = splat(0.999999f), y = splat(1e-7f);
      Vec a0 = splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
      for (int64_t i = 0; i < kIterations; ++i) {
        a0 = fma(a0, x, y), a1 = fma(a1, x, y), a2 = fma(a2, x, y), a3 = fma(a3, x, y), a4 = fma(a4, x, y);
        a5 = fma(a5, x, y), a6 = fma(a6, x, y), a7 = fma(a7, x, y), a8 = fma(a8, x, y), a9 = fma(a9, x, y);
        // Each chain stays in a register and is computed, not hoisted or folded away.
        asm volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7), "+x"(a8),
                     "+x"(a9));
      }
    });
  }
  const double flops = 2.0 * kLanes * 10 * kIterations * threads;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
#else
  state.SkipWithError("built without AVX2/FMA");
#endif
}

void memory_bandwidth(benchmark::State& state) {
  constexpr int64_t kElements = int64_t{16} << 20;  // 64 MB per array
  const int threads = static_cast<int>(state.range(0));
  std::vector<float> a(kElements, 0.0f), b(kElements, 1.0f), c(kElements, 2.0f);  // touched: no page faults later
  for (auto _ : state) {
    on_threads(threads, [&](int t) {
      const int64_t begin = kElements * t / threads, end = kElements * (t + 1) / threads;
      for (int64_t i = begin; i < end; ++i) a[i] = b[i] + c[i];
    });
    benchmark::DoNotOptimize(a.data());
  }
  state.counters["GBps"] = benchmark::Counter(12.0 * kElements * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(fma_peak)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(memory_bandwidth)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
