// The hand-loop workloads of benchmarks/training.cpp, under the same names, run on libtorch (the Trainer
// ones have no libtorch counterpart). Built only with -DACCEL_BENCH_LIBTORCH=ON; tools/bench_compare.py
// runs both.
//
// The data are the real Fashion-MNIST training set, read here from Debian's gzip IDX files with zlib
// (libtorch's MNIST reader wants them uncompressed): images as float32 [60000, 1, 28, 28] scaled to
// [0, 1] (uint8 / 255, as accel's FashionMNIST with a float dtype), labels int64. accel's DataLoader
// visits a random permutation per epoch and copies each batch's examples into a new tensor; here
// each epoch draws a randperm and gathers every batch with index_select. A step is zero_grad (to None,
// both sides' default), forward, cross_entropy, backward, optimizer step.
//
//   mlp_epoch_hand_loop/B (B = 32, 256): one epoch of the MLP 784-128-64-10 (ReLU; SGD lr 0.01
//       momentum 0.9).
//   cnn_steps_hand_loop/64: the CNN (Conv2d(1, 32, 3, pad 1), BatchNorm2d, ReLU, MaxPool2d(2),
//       Conv2d(32, 64, 3, pad 1), BatchNorm2d, ReLU, MaxPool2d(2), Flatten, Linear(3136, 128), ReLU,
//       Dropout(0.25), Linear(128, 10); train mode; Adam lr 3e-3), batch 64: a window of 100 steps (the
//       first 6,400 indices of a permutation) after 5 warm-up steps, or a whole epoch (938 steps) with
//       ACCEL_BENCH_FULL_EPOCH=1.
//   empty_step_hand_loop: Linear(1, 1), mse_loss, SGD lr 0.01, batch size 1, one epoch of 1,000
//       in-memory examples per iteration.
//
// Counters, all from the wall-clock time: steps_per_s; epoch_s, the time of one whole epoch (for the CNN
// windows derived: 938 steps / steps_per_s); s_per_step, seconds per step, for the empty step.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "../workloads.h"

namespace {

// Where Debian's dataset-fashion-mnist installs the files (accel's data::FashionMNIST::kDebianRoot).
constexpr const char* kFashionMnistRoot = "/usr/share/datasets/fashion-mnist";
using namespace bench;  // what each benchmark shares with its libtorch twin (workloads.h)

std::vector<uint8_t> read_gzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + path);
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 20);
  int n;
  while ((n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0)
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  gzclose(file);
  if (n < 0) throw std::runtime_error("cannot decompress " + path);
  return bytes;
}

// An IDX file of unsigned bytes (type 0x08), as a uint8 tensor of its shape.
at::Tensor read_idx_ubyte(const std::string& path) {
  const std::vector<uint8_t> bytes = read_gzip(path);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    throw std::runtime_error(path + ": not an IDX file of unsigned bytes");
  const size_t header = 4 + 4 * size_t{bytes[3]};
  std::vector<int64_t> sizes;
  int64_t numel = 1;
  for (size_t at = 4; at < header && at + 4 <= bytes.size(); at += 4) {
    sizes.push_back(int64_t{bytes[at]} << 24 | int64_t{bytes[at + 1]} << 16 | int64_t{bytes[at + 2]} << 8 |
                    int64_t{bytes[at + 3]});
    numel *= sizes.back();
  }
  if (sizes.size() != bytes[3] || bytes.size() != header + static_cast<size_t>(numel))
    throw std::runtime_error(path + ": the dimensions disagree with the file's size");
  return torch::from_blob(const_cast<uint8_t*>(bytes.data()) + header, sizes, torch::kUInt8).clone();
}

struct FashionMnist {
  at::Tensor images;  // [60000, 1, 28, 28] float32 in [0, 1]
  at::Tensor labels;  // [60000] int64
  int64_t size() const { return labels.size(0); }
};

// Read once: decoding the gzip files takes longer than an MLP epoch.
const FashionMnist& train_set() {
  static const FashionMnist train = [] {
    const std::string root = kFashionMnistRoot;
    return FashionMnist{read_idx_ubyte(root + "/train-images-idx3-ubyte.gz").unsqueeze(1).to(torch::kFloat32).div(255),
                        read_idx_ubyte(root + "/train-labels-idx1-ubyte.gz").to(torch::kInt64)};
  }();
  return train;
}

int64_t steps_per_epoch(int64_t batch_size) { return (train_set().size() + batch_size - 1) / batch_size; }

int64_t cnn_steps_per_iteration() { return full_epochs() ? steps_per_epoch(kCnnBatch) : kCnnWindowSteps; }

struct MLPImpl : torch::nn::Module {
  MLPImpl()
      : fc1(register_module("fc1", torch::nn::Linear(784, 128))),
        fc2(register_module("fc2", torch::nn::Linear(128, 64))),
        fc3(register_module("fc3", torch::nn::Linear(64, 10))) {}
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor h = torch::relu(fc1(x.flatten(1)));
    h = torch::relu(fc2(h));
    return fc3(h);
  }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(MLP);

struct CNNImpl : torch::nn::Module {
  CNNImpl() {
    namespace nn = torch::nn;
    features = register_module(
        "features", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1)), nn::BatchNorm2d(32), nn::ReLU(),
                                   nn::MaxPool2d(2), nn::Conv2d(nn::Conv2dOptions(32, 64, 3).padding(1)),
                                   nn::BatchNorm2d(64), nn::ReLU(), nn::MaxPool2d(2)));
    classifier = register_module("classifier", nn::Sequential(nn::Flatten(), nn::Linear(64 * 7 * 7, 128), nn::ReLU(),
                                                              nn::Dropout(0.25), nn::Linear(128, 10)));
  }
  at::Tensor forward(const at::Tensor& x) { return classifier->forward(features->forward(x)); }
  torch::nn::Sequential features{nullptr}, classifier{nullptr};
};
TORCH_MODULE(CNN);

// `steps` batches of the training set (at most a whole epoch): the first steps * batch_size indices of
// a new random permutation, one optimizer step per batch.
template <typename Model>
void train_steps(const FashionMnist& data, Model& model, torch::optim::Optimizer& optimizer, int64_t batch_size,
                 int64_t steps) {
  const at::Tensor order = torch::randperm(data.size(), torch::kInt64);
  const int64_t end = std::min(steps * batch_size, data.size());
  for (int64_t start = 0; start < end; start += batch_size) {
    const at::Tensor index = order.slice(0, start, std::min(start + batch_size, end));
    const at::Tensor images = data.images.index_select(0, index);
    const at::Tensor labels = data.labels.index_select(0, index);
    optimizer.zero_grad();
    const at::Tensor loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
    loss.backward();
    optimizer.step();
  }
}

void mlp_epoch_hand_loop(benchmark::State& state) {
  const FashionMnist& data = train_set();  // outside the timed loop
  torch::manual_seed(0);
  const int64_t batch_size = state.range(0);
  const int64_t steps = steps_per_epoch(batch_size);
  MLP model;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  for (auto _ : state) train_steps(data, model, optimizer, batch_size, steps);
  report_steps(state, steps, steps);
}

void cnn_steps_hand_loop(benchmark::State& state) {
  const FashionMnist& data = train_set();  // outside the timed loop
  torch::manual_seed(0);
  const int64_t batch_size = state.range(0);
  const int64_t steps = cnn_steps_per_iteration();
  CNN model;
  model->train();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  train_steps(data, model, optimizer, batch_size, kCnnWarmupSteps);
  for (auto _ : state) train_steps(data, model, optimizer, batch_size, steps);
  report_steps(state, steps, steps_per_epoch(batch_size));
}

void empty_step_hand_loop(benchmark::State& state) {
  torch::manual_seed(0);
  const at::Tensor inputs = torch::randn({kEmptyStepExamples, 1});
  const at::Tensor targets = torch::randn({kEmptyStepExamples, 1});
  torch::nn::Linear model(1, 1);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01));
  for (auto _ : state) {
    const at::Tensor order = torch::randperm(kEmptyStepExamples, torch::kInt64);
    for (int64_t i = 0; i < kEmptyStepExamples; ++i) {
      const at::Tensor index = order.slice(0, i, i + 1);
      optimizer.zero_grad();
      const at::Tensor loss = torch::mse_loss(model(inputs.index_select(0, index)), targets.index_select(0, index));
      loss.backward();
      optimizer.step();
    }
  }
  using benchmark::Counter;
  state.counters["s_per_step"] =
      Counter(static_cast<double>(kEmptyStepExamples), Counter::kIsIterationInvariantRate | Counter::kInvert);
}

}  // namespace

// One iteration each for the training sets: an iteration takes seconds.
BENCHMARK(mlp_epoch_hand_loop)->Arg(32)->Arg(256)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(cnn_steps_hand_loop)->Arg(kCnnBatch)->UseRealTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(empty_step_hand_loop)->UseRealTime()->Unit(benchmark::kMillisecond);
