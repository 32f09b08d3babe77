// CPU kernel benchmarks for accel. benchmarks/peers/kernels.cpp runs the same workloads under the
// same names against libtorch; tools/bench_compare.py puts them side by side.
//
//   sgemm/N                      mm of two N x N float32 matrices
//   gemm_<layer>_{fwd,dx,dw}/B   the Linear layers of the Fashion-MNIST MLP (784-128-64-10, batch 32 and
//                                256) and of the CNN's classifier (3136-128-10, batch 64): y = x W^T with W
//                                stored [out, in], dX = dY W and dW = dY^T X, with the transposed views
//                                autograd passes to matmul
//   conv2d*/1to32, /32to64       the CNN's two 3x3 convolutions (padding 1, batch 64): forward, and the
//                                gradients of the input and of the weight (the backend's kernels)
//   batch_norm_{fwd,bwd}/...     batch norm 2-D in training mode (batch statistics) at the CNN's shapes
//   max_pool2d_{fwd,bwd}/...     2x2 max pooling at the CNN's shapes
//   relu/64x32x28x28             relu into a new tensor
//   cross_entropy_{fwd,fwd_bwd}/N  softmax + cross-entropy (mean over the batch) of [N, 10] logits;
//                                fwd_bwd also records the graph and computes d loss / d logits
//   add_16M, sum_16M, mean_16M   elementwise and full reductions on 16M float32
//   sum_dim0/256x128             the bias gradient of the MLP's first layer at batch 256
//   softmax/RxC                  softmax over the last dim
//   optim_sgd_step/mlp           SGD (lr 0.01, momentum 0.9) over the MLP's parameters
//   optim_adam_step/cnn          Adam (lr 1e-3) over the CNN's parameters
//   add_small                    a + b on 10 float32: the per-op overhead
//
// Inputs of forward benchmarks do not require grad. Backward benchmarks go through autograd: the
// forward graph is recorded once, then each iteration resets the leaves' gradients to undefined (as
// zero_grad(set_to_none) does, so every backward adopts its gradient instead of adding to one) and runs
// backward with retain_graph. Every benchmark uses wall-clock time (UseRealTime): the kernels are
// multi-threaded, and the main thread's CPU time would overstate their speed.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include <accel/accel.h>
#include <accel/tensor/backend.h>

#include "workloads.h"

namespace {

using accel::Tensor;

using namespace bench;  // what each benchmark shares with its libtorch twin (workloads.h)

void sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = accel::randn({n, n}), b = accel::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(accel::mm(a, b));
  state.counters["GFLOPS"] = per_second(2.0 * n * n * n * 1e-9);
}

// ---- GEMM at the models' Linear layers -------------------------------------------------------------

void gemm_linear(benchmark::State& state, LinearShape s, LinearProduct product) {
  const Tensor x = accel::randn({s.batch, s.in}), weight = accel::randn({s.out, s.in});
  const Tensor dy = accel::randn({s.batch, s.out});
  for (auto _ : state) {
    switch (product) {
      case LinearProduct::Forward: benchmark::DoNotOptimize(accel::matmul(x, weight.t())); break;
      case LinearProduct::GradInput: benchmark::DoNotOptimize(accel::matmul(dy, weight)); break;
      case LinearProduct::GradWeight: benchmark::DoNotOptimize(accel::matmul(dy.t(), x)); break;
    }
  }
  state.counters["GFLOPS"] = per_second(2.0 * s.batch * s.in * s.out * 1e-9);
}

// ---- convolution -------------------------------------------------------------------------------------

// The Fashion-MNIST CNN's two convolutions (3x3, padding 1, with bias), batch 64.
void conv2d(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const Tensor x = accel::randn({64, cin, hw, hw});
  const Tensor w = accel::randn({cout, cin, 3, 3}), bias = accel::randn({cout});
  for (auto _ : state) benchmark::DoNotOptimize(accel::conv2d(x, w, bias, 1, 1));
  state.counters["GFLOPS"] = per_second(2.0 * 64 * cout * hw * hw * cin * 9 * 1e-9);
}

// The backward kernels of those convolutions, called on the backend (the peer calls
// at::convolution_backward for one gradient). Each computes as many multiply-adds as the forward.
void conv2d_backward_input(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const Tensor w = accel::randn({cout, cin, 3, 3}), dy = accel::randn({64, cout, hw, hw});
  const Tensor grad = accel::empty({64, cin, hw, hw});
  accel::Backend& cpu = accel::backend(accel::kCPU);
  for (auto _ : state) cpu.conv2d_backward_input(grad, dy, w, {1, 1}, {1, 1}, {1, 1}, 1);
  state.counters["GFLOPS"] = per_second(2.0 * 64 * cout * hw * hw * cin * 9 * 1e-9);
}

void conv2d_backward_weight(benchmark::State& state, int64_t cin, int64_t cout, int64_t hw) {
  const Tensor x = accel::randn({64, cin, hw, hw}), dy = accel::randn({64, cout, hw, hw});
  const Tensor grad = accel::empty({cout, cin, 3, 3});
  accel::Backend& cpu = accel::backend(accel::kCPU);
  for (auto _ : state) cpu.conv2d_backward_weight(grad, dy, x, {1, 1}, {1, 1}, {1, 1}, 1);
  state.counters["GFLOPS"] = per_second(2.0 * 64 * cout * hw * hw * cin * 9 * 1e-9);
}

// ---- batch norm, pooling, activation -------------------------------------------------------------------

// Training mode, as the CNN's BatchNorm2d layers run while training: normalised with the batch's
// statistics, which also update the running ones. GBps counts one read and one write per element.
void batch_norm_fwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = accel::randn({n, c, hw, hw});
  const Tensor weight = accel::ones({c}), bias = accel::zeros({c});
  const Tensor running_mean = accel::zeros({c}), running_var = accel::ones({c});
  for (auto _ : state)
    benchmark::DoNotOptimize(accel::batch_norm(x, weight, bias, running_mean, running_var, true, 0.1, 1e-5));
  state.counters["GBps"] = per_second(2.0 * 4 * n * c * hw * hw * 1e-9);
}

// Gradients of the input, weight and bias.
void batch_norm_bwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = accel::randn({n, c, hw, hw}, {.requires_grad = true});
  const Tensor weight = accel::ones({c}, {.requires_grad = true}), bias = accel::zeros({c}, {.requires_grad = true});
  const Tensor running_mean = accel::zeros({c}), running_var = accel::ones({c});
  const Tensor y = accel::batch_norm(x, weight, bias, running_mean, running_var, true, 0.1, 1e-5);
  const Tensor dy = accel::randn({n, c, hw, hw});
  for (auto _ : state) {
    x.mutable_grad() = {};
    weight.mutable_grad() = {};
    bias.mutable_grad() = {};
    y.backward(dy, true);
  }
  benchmark::DoNotOptimize(x.grad().data_ptr());
}

// 2x2 windows, stride 2. GBps counts the input read and the output written.
void max_pool2d_fwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = accel::randn({n, c, hw, hw});
  for (auto _ : state) benchmark::DoNotOptimize(accel::max_pool2d(x, {2, 2}));
  state.counters["GBps"] = per_second(1.25 * 4 * n * c * hw * hw * 1e-9);
}

void max_pool2d_bwd(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = accel::randn({n, c, hw, hw}, {.requires_grad = true});
  const Tensor y = accel::max_pool2d(x, {2, 2});
  const Tensor dy = accel::randn({n, c, hw / 2, hw / 2});
  for (auto _ : state) {
    x.mutable_grad() = {};
    y.backward(dy, true);
  }
  benchmark::DoNotOptimize(x.grad().data_ptr());
}

void relu(benchmark::State& state, int64_t n, int64_t c, int64_t hw) {
  const Tensor x = accel::randn({n, c, hw, hw});
  for (auto _ : state) benchmark::DoNotOptimize(accel::relu(x));
  state.counters["GBps"] = per_second(2.0 * 4 * n * c * hw * hw * 1e-9);
}

// ---- loss ------------------------------------------------------------------------------------------

// Mean cross-entropy of [batch, 10] logits against int64 class targets.
void cross_entropy_fwd(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const Tensor logits = accel::randn({batch, 10}), target = accel::randint(0, 10, {batch});
  for (auto _ : state) benchmark::DoNotOptimize(accel::cross_entropy(logits, target));
}

// Forward with recording, then d loss / d logits, as every training step does.
void cross_entropy_fwd_bwd(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const Tensor logits = accel::randn({batch, 10}, {.requires_grad = true});
  const Tensor target = accel::randint(0, 10, {batch});
  for (auto _ : state) {
    logits.mutable_grad() = {};
    accel::cross_entropy(logits, target).backward();
  }
  benchmark::DoNotOptimize(logits.grad().data_ptr());
}

// ---- elementwise and reductions ------------------------------------------------------------------------

void add_16M(benchmark::State& state) {
  const Tensor a = accel::randn({k16M}), b = accel::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  // Two reads and one write per element.
  state.counters["GBps"] = per_second(3.0 * 4 * k16M * 1e-9);
}

void sum_16M(benchmark::State& state) {
  const Tensor a = accel::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(accel::sum(a));
  state.counters["GBps"] = per_second(4.0 * k16M * 1e-9);
}

void mean_16M(benchmark::State& state) {
  const Tensor a = accel::randn({k16M});
  for (auto _ : state) benchmark::DoNotOptimize(accel::mean(a));
  state.counters["GBps"] = per_second(4.0 * k16M * 1e-9);
}

// The bias gradient of a Linear layer: the output gradient summed over the batch.
void sum_dim0(benchmark::State& state, int64_t rows, int64_t cols) {
  const Tensor a = accel::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(accel::sum(a, {0}));
}

void softmax(benchmark::State& state, int64_t rows, int64_t cols) {
  const Tensor x = accel::randn({rows, cols});
  for (auto _ : state) benchmark::DoNotOptimize(accel::softmax(x, -1));
  state.counters["GBps"] = per_second(2.0 * 4 * rows * cols * 1e-9);
}

// ---- optimizer step ------------------------------------------------------------------------------------

// Parameters of the given shapes, each with a gradient already filled in.
std::vector<Tensor> parameters_with_grads(const std::vector<std::vector<int64_t>>& shapes, int64_t* count) {
  std::vector<Tensor> params;
  *count = 0;
  for (const std::vector<int64_t>& shape : shapes) {
    params.push_back(accel::randn(shape, {.requires_grad = true}));
    params.back().mutable_grad() = accel::randn(shape);
    *count += params.back().numel();
  }
  return params;
}

// The MLP 784-128-64-10's weights and biases.
const std::vector<std::vector<int64_t>> kMlpShapes = {{128, 784}, {128}, {64, 128}, {64}, {10, 64}, {10}};
// The CNN's: conv1, bn1, conv2, bn2, fc1, fc2.
const std::vector<std::vector<int64_t>> kCnnShapes = {
    {32, 1, 3, 3}, {32}, {32}, {32}, {64, 32, 3, 3}, {64}, {64}, {64}, {128, 3136}, {128}, {10, 128}, {10}};

// GBps counts the least traffic per parameter: SGD with momentum reads the parameter, gradient and
// momentum buffer and writes two of them (20 bytes); Adam reads four tensors and writes three (28 bytes).
void optim_sgd_step(benchmark::State& state, const std::vector<std::vector<int64_t>>& shapes) {
  int64_t count = 0;
  accel::optim::SGD sgd(parameters_with_grads(shapes, &count), {.lr = 0.01, .momentum = 0.9});
  for (auto _ : state) sgd.step();
  state.counters["GBps"] = per_second(20.0 * count * 1e-9);
}

void optim_adam_step(benchmark::State& state, const std::vector<std::vector<int64_t>>& shapes) {
  int64_t count = 0;
  accel::optim::Adam adam(parameters_with_grads(shapes, &count), {.lr = 1e-3});
  for (auto _ : state) adam.step();
  state.counters["GBps"] = per_second(28.0 * count * 1e-9);
}

// Per-op overhead: the arithmetic on 10 elements is negligible.
void add_small(benchmark::State& state) {
  const Tensor a = accel::randn({10}), b = accel::randn({10});
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
