// CPU kernel benchmarks for accel. benchmarks/peers/kernels.cpp runs the same
// workloads under the same names against libtorch; scripts/bench-compare.sh puts them side by side.
//
// Every benchmark uses wall-clock time (UseRealTime): the kernels are multi-threaded, and the
// main thread's CPU time would overstate their speed.
#include <benchmark/benchmark.h>

#include <accel/accel.h>
#include <accel/tensor/backend.h>

namespace {

constexpr int64_t k16M = int64_t{1} << 24;

using Bench = benchmark::internal::Benchmark;
void ms(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMillisecond); }
void us(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond); }
void ns(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kNanosecond); }

void sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const accel::Tensor a = accel::randn({n, n}), b = accel::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(accel::mm(a, b));
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * n * n * n * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The Fashion-MNIST CNN's two convolutions (3x3, padding 1, with bias), batch 64.
void conv2d(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const accel::Tensor x = accel::randn({64, cin, hw, hw});
  const accel::Tensor w = accel::randn({cout, cin, 3, 3}), bias = accel::randn({cout});
  for (auto _ : state) benchmark::DoNotOptimize(accel::conv2d(x, w, bias, 1, 1));
  const double flops = 2.0 * 64 * cout * hw * hw * cin * 9;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// The backward kernels of those convolutions (no libtorch peer: its backward is not a public op).
// Each computes as many multiply-adds as the forward.
void conv2d_backward_input(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const accel::Tensor w = accel::randn({cout, cin, 3, 3}), dy = accel::randn({64, cout, hw, hw});
  const accel::Tensor grad = accel::empty({64, cin, hw, hw});
  accel::Backend& cpu = accel::backend(accel::kCPU);
  for (auto _ : state) cpu.conv2d_backward_input(grad, dy, w, {1, 1}, {1, 1}, {1, 1}, 1);
  const double flops = 2.0 * 64 * cout * hw * hw * cin * 9;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void conv2d_backward_weight(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const accel::Tensor x = accel::randn({64, cin, hw, hw}), dy = accel::randn({64, cout, hw, hw});
  const accel::Tensor grad = accel::empty({cout, cin, 3, 3});
  accel::Backend& cpu = accel::backend(accel::kCPU);
  for (auto _ : state) cpu.conv2d_backward_weight(grad, dy, x, {1, 1}, {1, 1}, {1, 1}, 1);
  const double flops = 2.0 * 64 * cout * hw * hw * cin * 9;
  state.counters["GFLOPS"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void add_16M(benchmark::State& state) {
  const accel::Tensor a = accel::randn({k16M}), b = accel::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  // Two reads and one write per element.
  state.counters["GBps"] = benchmark::Counter(3.0 * 4 * k16M * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void sum_16M(benchmark::State& state) {
  const accel::Tensor a = accel::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(accel::sum(a));
  state.counters["GBps"] = benchmark::Counter(4.0 * k16M * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void softmax(benchmark::State& state, int64_t rows, int64_t cols) {
  const accel::Tensor x = accel::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(accel::softmax(x, -1));
  state.counters["GBps"] =
      benchmark::Counter(2.0 * 4 * rows * cols * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Per-op overhead: the arithmetic on 10 elements is negligible.
void add_small(benchmark::State& state) {
  const accel::Tensor a = accel::randn({10}), b = accel::randn({10});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

}  // namespace

BENCHMARK(sgemm)->Arg(256)->Arg(1024)->Arg(2048)->Apply(ms);
BENCHMARK_CAPTURE(conv2d, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_input, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_input, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_weight, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_weight, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK(add_16M)->Apply(ms);
BENCHMARK(sum_16M)->Apply(ms);
BENCHMARK_CAPTURE(softmax, 64x1000, 64, 1000)->Apply(us);
BENCHMARK_CAPTURE(softmax, 4096x1024, 4096, 1024)->Apply(us);
BENCHMARK(add_small)->Apply(ns);
