#pragma once
// What each accel benchmark and its libtorch twin in benchmarks/peers/ must agree on for
// tools/bench_compare.py to compare them: the workloads' shapes and names, the run settings and the
// counters. Google Benchmark only, so that both sides include it.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include <benchmark/benchmark.h>

namespace bench {

using Bench = benchmark::internal::Benchmark;
inline void ms(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMillisecond); }
inline void us(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond); }
inline void ns(Bench* b) { b->UseRealTime()->MinTime(0.2)->Unit(benchmark::kNanosecond); }

inline benchmark::Counter per_second(double amount) {
  return benchmark::Counter(amount, benchmark::Counter::kIsIterationInvariantRate);
}

// ---- kernels ----------------------------------------------------------------------------------------

inline constexpr int64_t k16M = int64_t{1} << 24;

// The Linear layers of the main job's MLP (batch 32 and 256) and of the CNN's classifier (batch 64).
struct LinearShape {
  const char* layer;
  int64_t batch, in, out;
};
inline constexpr LinearShape kLinearShapes[] = {
    {"mlp_fc1", 32, 784, 128},  {"mlp_fc2", 32, 128, 64},  {"mlp_fc3", 32, 64, 10},
    {"mlp_fc1", 256, 784, 128}, {"mlp_fc2", 256, 128, 64}, {"mlp_fc3", 256, 64, 10},
    {"cnn_fc1", 64, 3136, 128}, {"cnn_fc2", 64, 128, 10},
};

// The three products of a Linear layer, each 2 * batch * in * out flops.
enum class LinearProduct { Forward, GradInput, GradWeight };

// Registers fn(state, shape, product) as gemm_<layer>_{fwd,dx,dw}/<batch> for every shape, by hand
// (BENCHMARK_CAPTURE would put the function's name first).
template <typename F>
bool register_linear_products(F fn) {
  const std::pair<const char*, LinearProduct> products[] = {
      {"fwd", LinearProduct::Forward}, {"dx", LinearProduct::GradInput}, {"dw", LinearProduct::GradWeight}};
  for (const LinearShape& s : kLinearShapes) {
    for (const auto& [suffix, product] : products) {
      const std::string name = std::string("gemm_") + s.layer + "_" + suffix + "/" + std::to_string(s.batch);
      benchmark::RegisterBenchmark(name.c_str(), fn, s, product)->Apply(us);
    }
  }
  return true;
}

// ---- training ---------------------------------------------------------------------------------------

inline constexpr int64_t kCnnBatch = 64;
inline constexpr int64_t kCnnWindowSteps = 100;
inline constexpr int64_t kCnnWarmupSteps = 5;
inline constexpr int64_t kEmptyStepExamples = 1000;

// ACCEL_BENCH_FULL_EPOCH=1: the CNN runs whole epochs instead of a window of kCnnWindowSteps.
inline bool full_epochs() {
  const char* value = std::getenv("ACCEL_BENCH_FULL_EPOCH");
  return value != nullptr && std::string_view(value) == "1";
}

// steps_per_s and epoch_s for `steps` steps per iteration, out of `epoch_steps` in a whole epoch.
inline void report_steps(benchmark::State& state, int64_t steps, int64_t epoch_steps) {
  using benchmark::Counter;
  state.counters["steps_per_s"] = Counter(static_cast<double>(steps), Counter::kIsIterationInvariantRate);
  state.counters["epoch_s"] = Counter(static_cast<double>(steps) / static_cast<double>(epoch_steps),
                                      Counter::kIsIterationInvariantRate | Counter::kInvert);
}

// ---- data -------------------------------------------------------------------------------------------

// The DataLoader benchmark with 0 and 2 workers.
inline void dataloader_runs(Bench* b) {
  b->ArgName("workers")->Arg(0)->Arg(2)->UseRealTime()->MinTime(0.5)->Unit(benchmark::kMicrosecond);
}

}  // namespace bench
