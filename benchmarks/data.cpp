// DataLoader throughput: batches per second from an in-memory TensorDataset the size of
// Fashion-MNIST (60000 float images [1, 28, 28] and int64 labels), batch 64, shuffled, with 0 and
// 2 worker threads. This is the loader's own cost (indexing, default collate, hand-off between
// threads), the floor under every training step that reads from it. benchmarks/peers/data.cpp runs
// the same workload under the same name on libtorch's torch::data; tools/bench_compare.py compares them.
#include <benchmark/benchmark.h>

#include <accel/accel.h>
#include <accel/data/data.h>

#include "workloads.h"

namespace {

void BM_dataloader_fashion_mnist_sized(benchmark::State& state) {
  const accel::data::TensorDataset dataset({accel::rand({60000, 1, 28, 28}), accel::randint(0, 10, {60000})});
  accel::data::DataLoader loader(dataset,
                                 {.batch_size = 64, .shuffle = true, .num_workers = state.range(0), .seed = 0});
  auto it = loader.begin();
  for (auto _ : state) {
    if (it == loader.end()) it = loader.begin();
    benchmark::DoNotOptimize((*it)[0].data_ptr());
    ++it;
  }
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_dataloader_fashion_mnist_sized)->Apply(bench::dataloader_runs);
