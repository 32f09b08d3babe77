// The workloads of benchmarks/kernels.cpp, under the same names, run on libtorch.
// Built only with -DACCEL_BENCH_LIBTORCH=ON; scripts/bench-compare.sh runs both.
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>

namespace {

constexpr int64_t k16M = int64_t{1} << 24;

using Bench = benchmark::internal::Benchmark;
void ms(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMillisecond); }
void us(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond); }
void ns(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kNanosecond); }

void sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(at::mm(a, b));
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void conv2d(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const at::Tensor x = at::randn({64, cin, hw, hw});
  const at::Tensor w = at::randn({cout, cin, 3, 3}), bias = at::randn({cout});
  for (auto _ : state) benchmark::DoNotOptimize(at::conv2d(x, w, bias, 1, 1));
  const double flops = 2.0 * 64 * cout * hw * hw * cin * 9;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void add_16M(benchmark::State& state) {
  const at::Tensor a = at::randn({k16M}), b = at::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  state.counters["GBps"] = benchmark::Counter(3.0 * 4 * k16M * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void sum_16M(benchmark::State& state) {
  const at::Tensor a = at::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(at::sum(a));
  state.counters["GBps"] = benchmark::Counter(4.0 * k16M * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void softmax(benchmark::State& state, int64_t rows, int64_t cols) {
  const at::Tensor x = at::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(at::softmax(x, -1));
  state.counters["GBps"] =
      benchmark::Counter(2.0 * 4 * rows * cols * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void add_small(benchmark::State& state) {
  const at::Tensor a = at::randn({10}), b = at::randn({10});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

}  // namespace

BENCHMARK(sgemm)->Arg(256)->Arg(1024)->Arg(2048)->Apply(ms);
BENCHMARK_CAPTURE(conv2d, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK(add_16M)->Apply(ms);
BENCHMARK(sum_16M)->Apply(ms);
BENCHMARK_CAPTURE(softmax, 64x1000, 64, 1000)->Apply(us);
BENCHMARK_CAPTURE(softmax, 4096x1024, 4096, 1024)->Apply(us);
BENCHMARK(add_small)->Apply(ns);
