// The workloads of benchmarks/kernels.cpp, under the same names, run on libtorch (see that file for what
// each measures). Built only with -DACCEL_BENCH_LIBTORCH=ON; tools/bench_compare.py runs both.
//
// The convolution backward benchmarks call at::convolution_backward for the one gradient each measures;
// the other backward benchmarks go through autograd exactly as accel's do. Optimizer steps use
// torch::optim, the C++ API's optimizers.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "../workloads.h"

namespace {

using at::Tensor;

using namespace bench;  // what each benchmark shares with its libtorch twin (workloads.h)

void sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(torch::mm(a, b));
  state.counters["GFLOPS"] = per_second(2.0 * n * n * n * 1e-9);
}

// ---- GEMM at the models' Linear layers -------------------------------------------------------------

void gemm_linear(benchmark::State& state, LinearShape s, LinearProduct product) {
  const Tensor x = torch::randn({s.batch, s.in}), weight = torch::randn({s.out, s.in});
  const Tensor dy = torch::randn({s.batch, s.out});
  for (auto _ : state) {
    switch (product) {
      case LinearProduct::Forward: benchmark::DoNotOptimize(torch::mm(x, weight.t())); break;
      case LinearProduct::GradInput: benchmark::DoNotOptimize(torch::mm(dy, weight)); break;
      case LinearProduct::GradWeight: benchmark::DoNotOptimize(torch::mm(dy.t(), x)); break;
    }
  }
  state.counters["GFLOPS"] = per_second(2.0 * s.batch * s.in * s.out * 1e-9);
}

// ---- convolution -------------------------------------------------------------------------------------

void conv2d(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const Tensor x = torch::randn({64, cin, hw, hw});
  const Tensor w = torch::randn({cout, cin, 3, 3}), bias = torch::randn({cout});
  for (auto _ : state) benchmark::DoNotOptimize(torch::conv2d(x, w, bias, 1, 1));
  state.counters["GFLOPS"] = per_second(2.0 * 64 * cout * hw * hw * cin * 9 * 1e-9);
}

// output_mask picks which of (grad_input, grad_weight, grad_bias) at::convolution_backward computes.
void conv2d_backward(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw, std::array<bool, 3> output_mask) {
  const Tensor x = torch::randn({64, cin, hw, hw}), w = torch::randn({cout, cin, 3, 3});
  const Tensor dy = torch::randn({64, cout, hw, hw});
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        at::convolution_backward(dy, x, w, c10::nullopt, {1, 1}, {1, 1}, {1, 1}, false, {0, 0}, 1, output_mask));
  }
  state.counters["GFLOPS"] = per_second(2.0 * 64 * cout * hw * hw * cin * 9 * 1e-9);
}

void conv2d_backward_input(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  conv2d_backward(state, cin, cout, hw, {true, false, false});
}

void conv2d_backward_weight(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  conv2d_backward(state, cin, cout, hw, {false, true, false});
}

// ---- batch norm, pooling, activation -------------------------------------------------------------------

void batch_norm_fwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = torch::randn({n, c, hw, hw});
  const Tensor weight = torch::ones({c}), bias = torch::zeros({c});
  const Tensor running_mean = torch::zeros({c}), running_var = torch::ones({c});
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        torch::batch_norm(x, weight, bias, running_mean, running_var, true, 0.1, 1e-5, /*cudnn_enabled=*/false));
  }
  state.counters["GBps"] = per_second(2.0 * 4 * n * c * hw * hw * 1e-9);
}

void batch_norm_bwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = torch::randn({n, c, hw, hw}, torch::requires_grad());
  const Tensor weight = torch::ones({c}, torch::requires_grad()), bias = torch::zeros({c}, torch::requires_grad());
  const Tensor running_mean = torch::zeros({c}), running_var = torch::ones({c});
  const Tensor y = torch::batch_norm(x, weight, bias, running_mean, running_var, true, 0.1, 1e-5, false);
  const Tensor dy = torch::randn({n, c, hw, hw});
  for (auto _ : state) {
    x.mutable_grad().reset();
    weight.mutable_grad().reset();
    bias.mutable_grad().reset();
    y.backward(dy, true);
  }
  benchmark::DoNotOptimize(x.grad().data_ptr());
}

void max_pool2d_fwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = torch::randn({n, c, hw, hw});
  for (auto _ : state) benchmark::DoNotOptimize(torch::max_pool2d(x, {2, 2}));
  state.counters["GBps"] = per_second(1.25 * 4 * n * c * hw * hw * 1e-9);
}

void max_pool2d_bwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = torch::randn({n, c, hw, hw}, torch::requires_grad());
  const Tensor y = torch::max_pool2d(x, {2, 2});
  const Tensor dy = torch::randn({n, c, hw / 2, hw / 2});
  for (auto _ : state) {
    x.mutable_grad().reset();
    y.backward(dy, true);
  }
  benchmark::DoNotOptimize(x.grad().data_ptr());
}

void relu(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = torch::randn({n, c, hw, hw});
  for (auto _ : state) benchmark::DoNotOptimize(torch::relu(x));
  state.counters["GBps"] = per_second(2.0 * 4 * n * c * hw * hw * 1e-9);
}

// ---- loss ------------------------------------------------------------------------------------------

void cross_entropy_fwd(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const Tensor logits = torch::randn({batch, 10}), target = torch::randint(0, 10, {batch}, torch::kInt64);
  for (auto _ : state) benchmark::DoNotOptimize(torch::nn::functional::cross_entropy(logits, target));
}

void cross_entropy_fwd_bwd(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const Tensor logits = torch::randn({batch, 10}, torch::requires_grad());
  const Tensor target = torch::randint(0, 10, {batch}, torch::kInt64);
  for (auto _ : state) {
    logits.mutable_grad().reset();
    torch::nn::functional::cross_entropy(logits, target).backward();
  }
  benchmark::DoNotOptimize(logits.grad().data_ptr());
}

// ---- elementwise and reductions ------------------------------------------------------------------------

void add_16M(benchmark::State& state) {
  const Tensor a = torch::randn({k16M}), b = torch::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  state.counters["GBps"] = per_second(3.0 * 4 * k16M * 1e-9);
}

void sum_16M(benchmark::State& state) {
  const Tensor a = torch::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(torch::sum(a));
  state.counters["GBps"] = per_second(4.0 * k16M * 1e-9);
}

void mean_16M(benchmark::State& state) {
  const Tensor a = torch::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(torch::mean(a));
  state.counters["GBps"] = per_second(4.0 * k16M * 1e-9);
}

void sum_dim0(benchmark::State& state, int64_t rows, int64_t cols) {
  const Tensor a = torch::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(torch::sum(a, {0}));
}

void softmax(benchmark::State& state, int64_t rows, int64_t cols) {
  const Tensor x = torch::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(torch::softmax(x, -1));
  state.counters["GBps"] = per_second(2.0 * 4 * rows * cols * 1e-9);
}

// ---- optimizer step ------------------------------------------------------------------------------------

std::vector<Tensor> parameters_with_grads(const std::vector<std::vector<int64_t>>& shapes, int64_t* count) {
  std::vector<Tensor> params;
  *count = 0;
  for (const std::vector<int64_t>& shape : shapes) {
    params.push_back(torch::randn(shape, torch::requires_grad()));
    params.back().mutable_grad() = torch::randn(shape);
    *count += params.back().numel();
  }
  return params;
}

const std::vector<std::vector<int64_t>> kMlpShapes = {{128, 784}, {128}, {64, 128}, {64}, {10, 64}, {10}};
const std::vector<std::vector<int64_t>> kCnnShapes = {
    {32, 1, 3, 3}, {32}, {32}, {32}, {64, 32, 3, 3}, {64}, {64}, {64}, {128, 3136}, {128}, {10, 128}, {10}};

void optim_sgd_step(benchmark::State& state, const std::vector<std::vector<int64_t>>& shapes) {
  int64_t count = 0;
  torch::optim::SGD sgd(parameters_with_grads(shapes, &count), torch::optim::SGDOptions(0.01).momentum(0.9));
  for (auto _ : state) sgd.step();
  state.counters["GBps"] = per_second(20.0 * count * 1e-9);
}

void optim_adam_step(benchmark::State& state, const std::vector<std::vector<int64_t>>& shapes) {
  int64_t count = 0;
  torch::optim::Adam adam(parameters_with_grads(shapes, &count), torch::optim::AdamOptions(1e-3));
  for (auto _ : state) adam.step();
  state.counters["GBps"] = per_second(28.0 * count * 1e-9);
}

void add_small(benchmark::State& state) {
  const Tensor a = torch::randn({10}), b = torch::randn({10});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

}  // namespace

BENCHMARK(sgemm)->Arg(256)->Arg(1024)->Arg(2048)->Apply(ms);
const bool gemm_linear_registered = bench::register_linear_products(gemm_linear);
BENCHMARK_CAPTURE(conv2d, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_input, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_input, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_weight, 1to32, 1, 32, 28)->Apply(ms);
BENCHMARK_CAPTURE(conv2d_backward_weight, 32to64, 32, 64, 14)->Apply(ms);
BENCHMARK_CAPTURE(batch_norm_fwd, 64x32x28x28, 64, 32, 28)->Apply(us);
BENCHMARK_CAPTURE(batch_norm_fwd, 64x64x14x14, 64, 64, 14)->Apply(us);
BENCHMARK_CAPTURE(batch_norm_bwd, 64x32x28x28, 64, 32, 28)->Apply(us);
BENCHMARK_CAPTURE(batch_norm_bwd, 64x64x14x14, 64, 64, 14)->Apply(us);
BENCHMARK_CAPTURE(max_pool2d_fwd, 64x32x28x28, 64, 32, 28)->Apply(us);
BENCHMARK_CAPTURE(max_pool2d_fwd, 64x64x14x14, 64, 64, 14)->Apply(us);
BENCHMARK_CAPTURE(max_pool2d_bwd, 64x32x28x28, 64, 32, 28)->Apply(us);
BENCHMARK_CAPTURE(max_pool2d_bwd, 64x64x14x14, 64, 64, 14)->Apply(us);
BENCHMARK_CAPTURE(relu, 64x32x28x28, 64, 32, 28)->Apply(us);
BENCHMARK(cross_entropy_fwd)->Arg(32)->Arg(64)->Arg(256)->Apply(us);
BENCHMARK(cross_entropy_fwd_bwd)->Arg(32)->Arg(64)->Arg(256)->Apply(us);
BENCHMARK(add_16M)->Apply(ms);
BENCHMARK(sum_16M)->Apply(ms);
BENCHMARK(mean_16M)->Apply(ms);
BENCHMARK_CAPTURE(sum_dim0, 256x128, 256, 128)->Apply(us);
BENCHMARK_CAPTURE(softmax, 64x1000, 64, 1000)->Apply(us);
BENCHMARK_CAPTURE(softmax, 4096x1024, 4096, 1024)->Apply(us);
BENCHMARK_CAPTURE(optim_sgd_step, mlp, kMlpShapes)->Apply(us);
BENCHMARK_CAPTURE(optim_adam_step, cnn, kCnnShapes)->Apply(us);
BENCHMARK(add_small)->Apply(ns);
