// Training throughput on the real Fashion-MNIST (Debian's dataset-fashion-mnist): one epoch of the
// seed's MLP (784-128-64-10, ReLU, SGD lr 0.01 momentum 0.9) per iteration, with a hand-written loop
// and through the Trainer (no callbacks), so that the Trainer's overhead over the hand loop shows.
// Each iteration is a whole epoch (about a second), so the default runs one iteration.
#include <benchmark/benchmark.h>

#include <memory>

#include <accel/accel.h>

#include "../examples/fashion_mnist/models.h"

namespace {

using namespace accel;

using fashion_mnist::MLP;  // the main job's model

// Read once: decoding the gzip files takes longer than an epoch.
const std::shared_ptr<data::FashionMNIST>& train_set() {
  static const auto train = std::make_shared<data::FashionMNIST>(data::FashionMNIST::kDebianRoot, true, kFloat32);
  return train;
}

void report_steps(benchmark::State& state, int64_t steps_per_epoch) {
  state.counters["steps_per_s"] =
      benchmark::Counter(static_cast<double>(steps_per_epoch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_mlp_epoch_hand_loop(benchmark::State& state) {
  manual_seed(0);
  auto model = std::make_shared<MLP>();
  optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  data::DataLoader loader(train_set(), {.batch_size = state.range(0), .shuffle = true, .seed = 0});
  for (auto _ : state) {
    for (const data::Batch& batch : loader) {
      optimizer.zero_grad();
      const Tensor loss = cross_entropy((*model)(batch[0]), batch[1]);
      loss.backward();
      optimizer.step();
    }
  }
  report_steps(state, loader.size());
}

void BM_mlp_epoch_trainer(benchmark::State& state) {
  manual_seed(0);
  auto model = std::make_shared<MLP>();
  optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  Trainer trainer(model, nn::CrossEntropyLoss(), optimizer, /*callbacks=*/{});
  const int64_t batch_size = state.range(0);
  for (auto _ : state) {
    trainer.train({.train_dataset = train_set(),
                   .num_epochs = 1,
                   .per_device_batch_size = batch_size,
                   .train_dataloader_kwargs = {.num_workers = 0}});
  }
  report_steps(state, (train_set()->size() + batch_size - 1) / batch_size);
}

}  // namespace

BENCHMARK(BM_mlp_epoch_hand_loop)->Arg(32)->Arg(256)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_mlp_epoch_trainer)->Arg(32)->Arg(256)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
