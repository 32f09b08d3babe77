// Autograd benchmarks for accel. benchmarks/peers/autograd.cpp runs the same workloads under the
// same names against libtorch; tools/bench_compare.py puts them side by side.
//
// Gradients are reset to undefined before each backward (PyTorch's zero_grad(set_to_none=True)), so
// every iteration does the same work: the first backward into a leaf adopts the gradient, no sum.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <accel/accel.h>

namespace {

using accel::Tensor;

// Graph overhead: on 10 elements the arithmetic is negligible, so this times recording three nodes,
// the engine's traversal and the accumulation into two leaves.
void BM_tiny_forward_backward(benchmark::State& state) {
  const Tensor a = accel::randn({10}, {.requires_grad = true});
  const Tensor b = accel::randn({10}, {.requires_grad = true});
  for (auto _ : state) {
    a.mutable_grad() = {};
    b.mutable_grad() = {};
    (a * b + a).sum().backward();
  }
  benchmark::DoNotOptimize(a.grad().data_ptr());
}

// One SGD step of a 784-128-64-10 MLP (linear + relu, cross_entropy) on a batch of 32.
void BM_mlp_train_step(benchmark::State& state) {
  constexpr int64_t kBatch = 32;
  constexpr double kLr = 0.01;
  const int64_t sizes[] = {784, 128, 64, 10};
  accel::manual_seed(0);
  std::vector<Tensor> params;  // w1, b1, w2, b2, w3, b3
  for (int i = 0; i < 3; ++i) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(sizes[i]));  // nn.Linear's init range
    params.push_back(((accel::rand({sizes[i + 1], sizes[i]}) * 2 - 1) * bound).requires_grad_());
    params.push_back(((accel::rand({sizes[i + 1]}) * 2 - 1) * bound).requires_grad_());
  }
  const Tensor x = accel::randn({kBatch, sizes[0]});
  const Tensor target = accel::randint(0, sizes[3], {kBatch});
  for (auto _ : state) {
    Tensor h = accel::relu(accel::linear(x, params[0], params[1]));
    h = accel::relu(accel::linear(h, params[2], params[3]));
    const Tensor loss = accel::cross_entropy(accel::linear(h, params[4], params[5]), target);
    for (const Tensor& p : params) p.mutable_grad() = {};
    loss.backward();
    accel::NoGradGuard no_grad;
    for (const Tensor& p : params) p.sub_(p.grad(), kLr);
  }
  benchmark::DoNotOptimize(params[0].data_ptr());
}

}  // namespace

BENCHMARK(BM_tiny_forward_backward)->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mlp_train_step)->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
