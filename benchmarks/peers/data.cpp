// The workload of benchmarks/data.cpp, under the same name, run on libtorch's torch::data API: an
// in-memory dataset the size of Fashion-MNIST (60000 float images [1, 28, 28] and int64 labels), batch 64,
// shuffled (RandomSampler), with 0 and 2 worker threads, as a libtorch user writes it: a Dataset returning
// one example per index (views into the two tensors) and the Stack collate.
// Built only with -DACCEL_BENCH_LIBTORCH=ON; tools/bench_compare.py runs both.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <utility>

#include <torch/torch.h>

#include "../workloads.h"

namespace {

class InMemoryImages : public torch::data::datasets::Dataset<InMemoryImages> {
 public:
  InMemoryImages(torch::Tensor images, torch::Tensor labels)
      : images_(std::move(images)), labels_(std::move(labels)) {}
  torch::data::Example<> get(size_t index) override {
    const auto i = static_cast<int64_t>(index);
    return {images_[i], labels_[i]};
  }
  // c10::optional: std::optional in libtorch 2.x, a class of its own in Debian's 1.13.
  c10::optional<size_t> size() const override { return static_cast<size_t>(images_.size(0)); }

 private:
  torch::Tensor images_, labels_;
};

void BM_dataloader_fashion_mnist_sized(benchmark::State& state) {
  InMemoryImages dataset(torch::rand({60000, 1, 28, 28}), torch::randint(0, 10, {60000}, torch::kInt64));
  auto loader = torch::data::make_data_loader<torch::data::samplers::RandomSampler>(
      std::move(dataset).map(torch::data::transforms::Stack<>()),
      torch::data::DataLoaderOptions(64).workers(static_cast<size_t>(state.range(0))));
  auto it = loader->begin();
  for (auto _ : state) {
    if (it == loader->end()) it = loader->begin();
    benchmark::DoNotOptimize(it->data.data_ptr());
    ++it;
  }
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_dataloader_fashion_mnist_sized)->Apply(bench::dataloader_runs);
