// The workloads of benchmarks/autograd.cpp, under the same names, run on libtorch.
// Built only with -DACCEL_BENCH_LIBTORCH=ON; tools/bench_compare.py runs both.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include <torch/torch.h>

namespace {

void BM_tiny_forward_backward(benchmark::State& state) {
  const at::Tensor a = torch::randn({10}, torch::requires_grad());
  const at::Tensor b = torch::randn({10}, torch::requires_grad());
  for (auto _ : state) {
    a.mutable_grad().reset();
    b.mutable_grad().reset();
    (a * b + a).sum().backward();
  }
  benchmark::DoNotOptimize(a.grad().data_ptr());
}

void BM_mlp_train_step(benchmark::State& state) {
  constexpr int64_t kBatch = 32;
  constexpr double kLr = 0.01;
  const int64_t sizes[] = {784, 128, 64, 10};
  torch::manual_seed(0);
  std::vector<at::Tensor> params;  // w1, b1, w2, b2, w3, b3
  for (int i = 0; i < 3; ++i) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(sizes[i]));
    params.push_back(((torch::rand({sizes[i + 1], sizes[i]}) * 2 - 1) * bound).requires_grad_());
    params.push_back(((torch::rand({sizes[i + 1]}) * 2 - 1) * bound).requires_grad_());
  }
  const at::Tensor x = torch::randn({kBatch, sizes[0]});
  const at::Tensor target = torch::randint(0, sizes[3], {kBatch});
  for (auto _ : state) {
    at::Tensor h = torch::relu(torch::nn::functional::linear(x, params[0], params[1]));
    h = torch::relu(torch::nn::functional::linear(h, params[2], params[3]));
    const at::Tensor loss =
        torch::nn::functional::cross_entropy(torch::nn::functional::linear(h, params[4], params[5]), target);
    for (at::Tensor& p : params) p.mutable_grad().reset();
    loss.backward();
    torch::NoGradGuard no_grad;
    for (at::Tensor& p : params) p.sub_(p.grad(), kLr);
  }
  benchmark::DoNotOptimize(params[0].data_ptr());
}

}  // namespace

BENCHMARK(BM_tiny_forward_backward)->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mlp_train_step)->UseRealTime()->MinTime(0.2)->Unit(benchmark::kMicrosecond);
