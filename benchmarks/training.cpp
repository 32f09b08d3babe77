// Training throughput on the real Fashion-MNIST (Debian's dataset-fashion-mnist, the 60,000 training
// images as float32 in [0, 1]), with a hand-written loop (zero_grad, forward, cross_entropy, backward,
// step per batch, from a shuffled DataLoader without workers) and through the Trainer (no callbacks,
// no workers), so that the Trainer's overhead over the hand loop shows.
// benchmarks/peers/training.cpp runs the hand loops on libtorch under the same names.
//
//   mlp_epoch_hand_loop/B, mlp_epoch_trainer/B (B = 32, 256): one epoch per iteration of the main job's
//       MLP (784-128-64-10, ReLU; SGD lr 0.01 momentum 0.9). An epoch takes about a second.
//   cnn_steps_hand_loop/64, cnn_steps_trainer/64: the main job's CNN (2 conv + batch norm + max pool,
//       dropout; train mode; Adam lr 3e-3, no scheduler), batch 64. An epoch (938 steps) takes about a
//       minute, so by default an iteration is a window of 100 steps (a random 6,400 of the images, in
//       shuffled batches) after 5 warm-up steps; ACCEL_BENCH_FULL_EPOCH=1 makes it a whole epoch.
//   empty_step_hand_loop, empty_step_trainer: Linear(1, 1), MSE loss, SGD lr 0.01, batch size 1, on 1,000
//       in-memory examples (one epoch of 1,000 steps per iteration): the cost of a step with nothing in it.
//
// Counters, all from the wall-clock time: steps_per_s; epoch_s, the time of one whole epoch (for the CNN
// windows derived: 938 steps / steps_per_s); s_per_step, seconds per step, for the empty steps.
#include <benchmark/benchmark.h>

#include <memory>

#include <accel/accel.h>

#include "../examples/fashion_mnist/models.h"
#include "workloads.h"

namespace {

using namespace accel;

using fashion_mnist::CNN;  // the main job's models
using fashion_mnist::MLP;

using namespace bench;  // what each benchmark shares with its libtorch twin (workloads.h)

// Read once: decoding the gzip files takes longer than an MLP epoch.
const std::shared_ptr<data::FashionMNIST>& train_set() {
  static const auto train = std::make_shared<data::FashionMNIST>(data::FashionMNIST::kDebianRoot, true, kFloat32);
  return train;
}

int64_t steps_per_epoch(int64_t batch_size) { return (train_set()->size() + batch_size - 1) / batch_size; }

// `steps` shuffled batches of the training set per epoch: the first steps * batch_size indices of a
// random permutation (so a window behaves like the start of a real epoch). Null for a whole epoch.
std::shared_ptr<data::Sampler> window_sampler(int64_t steps, int64_t batch_size) {
  if (steps * batch_size >= train_set()->size()) return nullptr;
  const data::RandomSamplerOptions options{.num_samples = steps * batch_size, .seed = 0};
  return std::make_shared<data::RandomSampler>(train_set()->size(), options);
}

int64_t cnn_steps_per_iteration() { return full_epochs() ? steps_per_epoch(kCnnBatch) : kCnnWindowSteps; }

// One epoch of `loader`, one optimizer step per batch.
void train_epoch(nn::Module& model, optim::Optimizer& optimizer, data::DataLoader& loader) {
  for (const data::Batch& batch : loader) {
    optimizer.zero_grad();
    const Tensor loss = cross_entropy(model(batch[0]), batch[1]);
    loss.backward();
    optimizer.step();
  }
}

void train_with_trainer(Trainer& trainer, int64_t batch_size, std::shared_ptr<data::Sampler> sampler) {
  trainer.train({.train_dataset = train_set(),
                 .num_epochs = 1,
                 .per_device_batch_size = batch_size,
                 .train_dataloader_kwargs = {.sampler = std::move(sampler), .num_workers = 0}});
}

void mlp_epoch_hand_loop(benchmark::State& state) {
  manual_seed(0);
  const int64_t batch_size = state.range(0);
  auto model = std::make_shared<MLP>();
  optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  data::DataLoader loader(train_set(), {.batch_size = batch_size, .shuffle = true, .seed = 0});
  for (auto _ : state) train_epoch(*model, optimizer, loader);
  report_steps(state, loader.size(), loader.size());
}

void mlp_epoch_trainer(benchmark::State& state) {
  manual_seed(0);
  const int64_t batch_size = state.range(0);
  auto model = std::make_shared<MLP>();
  optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  Trainer trainer(model, nn::CrossEntropyLoss(), optimizer, /*callbacks=*/{});
  const int64_t steps = steps_per_epoch(batch_size);  // reads the data set, outside the timed loop
  for (auto _ : state) train_with_trainer(trainer, batch_size, nullptr);
  report_steps(state, steps, steps);
}

void cnn_steps_hand_loop(benchmark::State& state) {
  manual_seed(0);
  const int64_t batch_size = state.range(0);
  const int64_t steps = cnn_steps_per_iteration();
  auto model = std::make_shared<CNN>();
  model->train();
  optim::Adam optimizer(model->parameters(), {.lr = 3e-3});
  data::DataLoader warmup(train_set(),
                          {.batch_size = batch_size, .sampler = window_sampler(kCnnWarmupSteps, batch_size)});
  train_epoch(*model, optimizer, warmup);
  const std::shared_ptr<data::Sampler> sampler = window_sampler(steps, batch_size);
  data::DataLoader loader(train_set(),
                          {.batch_size = batch_size, .shuffle = sampler == nullptr, .sampler = sampler, .seed = 0});
  for (auto _ : state) train_epoch(*model, optimizer, loader);
  report_steps(state, steps, steps_per_epoch(batch_size));
}

void cnn_steps_trainer(benchmark::State& state) {
  manual_seed(0);
  const int64_t batch_size = state.range(0);
  const int64_t steps = cnn_steps_per_iteration();
  auto model = std::make_shared<CNN>();
  optim::Adam optimizer(model->parameters(), {.lr = 3e-3});
  Trainer trainer(model, nn::CrossEntropyLoss(), optimizer, /*callbacks=*/{});
  train_with_trainer(trainer, batch_size, window_sampler(kCnnWarmupSteps, batch_size));
  const std::shared_ptr<data::Sampler> sampler = window_sampler(steps, batch_size);
  for (auto _ : state) train_with_trainer(trainer, batch_size, sampler);
  report_steps(state, steps, steps_per_epoch(batch_size));
}

// Inputs and targets of shape [1]: each batch is [1, 1].
std::shared_ptr<data::TensorDataset> empty_step_dataset() {
  manual_seed(0);
  return std::make_shared<data::TensorDataset>(
      std::vector<Tensor>{randn({kEmptyStepExamples, 1}), randn({kEmptyStepExamples, 1})});
}

void report_s_per_step(benchmark::State& state) {
  using benchmark::Counter;
  state.counters["s_per_step"] =
      Counter(static_cast<double>(kEmptyStepExamples), Counter::kIsIterationInvariantRate | Counter::kInvert);
}

void empty_step_hand_loop(benchmark::State& state) {
  const std::shared_ptr<data::TensorDataset> dataset = empty_step_dataset();
  auto model = std::make_shared<nn::Linear>(1, 1);
  optim::SGD optimizer(model->parameters(), {.lr = 0.01});
  data::DataLoader loader(dataset, {.batch_size = 1, .shuffle = true, .seed = 0});
  for (auto _ : state) {
    for (const data::Batch& batch : loader) {
      optimizer.zero_grad();
      const Tensor loss = mse_loss((*model)(batch[0]), batch[1]);
      loss.backward();
      optimizer.step();
    }
  }
  report_s_per_step(state);
}

void empty_step_trainer(benchmark::State& state) {
  const std::shared_ptr<data::TensorDataset> dataset = empty_step_dataset();
  auto model = std::make_shared<nn::Linear>(1, 1);
  optim::SGD optimizer(model->parameters(), {.lr = 0.01});
  Trainer trainer(model, nn::MSELoss(), optimizer, /*callbacks=*/{});
  for (auto _ : state) {
    trainer.train({.train_dataset = dataset,
                   .num_epochs = 1,
                   .per_device_batch_size = 1,
                   .train_dataloader_kwargs = {.num_workers = 0}});
  }
  report_s_per_step(state);
}

}  // namespace

// One iteration each: an iteration takes seconds.
BENCHMARK(mlp_epoch_hand_loop)->Arg(32)->Arg(256)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(mlp_epoch_trainer)->Arg(32)->Arg(256)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(cnn_steps_hand_loop)->Arg(kCnnBatch)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(cnn_steps_trainer)->Arg(kCnnBatch)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(empty_step_hand_loop)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(empty_step_trainer)->UseRealTime()->Unit(benchmark::kMillisecond);
