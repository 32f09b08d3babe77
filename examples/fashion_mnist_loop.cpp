// The seed's MLP (784-128-64-10, ReLU) trained on the real Fashion-MNIST with a hand-written loop,
// the way a libtorch user writes it: SGD lr 0.01 momentum 0.9, batch 32, 8 epochs.
//
//   build/release/fashion_mnist_loop                      # the full run
//   build/release/fashion_mnist_loop --epochs 1 --train-samples 10000 --min-accuracy 0.75
//
// --min-accuracy makes the program exit with status 1 when the final test accuracy is lower (the
// test suite runs the short variant above).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>

#include <accel/accel.h>

#include "fashion_mnist/models.h"  // the main job's MLP, so both programs train the same model

using namespace accel;

namespace {

struct Settings {
  int64_t epochs = 8;
  int64_t train_samples = 0;  // 0: all 60,000
  double min_accuracy = 0;
  std::string root = data::FashionMNIST::kDebianRoot;
};

Settings parse(int argc, char** argv) {
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const auto value = [&](const char* flag) {
      ACCEL_CHECK(i + 1 < argc, flag, " needs a value");
      return std::string(argv[++i]);
    };
    if (!std::strcmp(argv[i], "--epochs")) s.epochs = std::stoll(value("--epochs"));
    else if (!std::strcmp(argv[i], "--train-samples")) s.train_samples = std::stoll(value("--train-samples"));
    else if (!std::strcmp(argv[i], "--min-accuracy")) s.min_accuracy = std::stod(value("--min-accuracy"));
    else if (!std::strcmp(argv[i], "--data")) s.root = value("--data");
    else ACCEL_FAIL("unknown argument '", argv[i], "' (see the comment at the top of fashion_mnist_loop.cpp)");
  }
  return s;
}

// Fraction of correctly classified test images.
double accuracy(nn::Module& model, data::DataLoader& loader) {
  NoGradGuard no_grad;
  model.eval();
  int64_t correct = 0, total = 0;
  for (const data::Batch& batch : loader) {
    const Tensor predicted = model(batch[0]).argmax(1);
    correct += predicted.eq(batch[1]).sum().item<int64_t>();
    total += batch[1].size(0);
  }
  return static_cast<double>(correct) / static_cast<double>(total);
}

}  // namespace

int main(int argc, char** argv) try {
  const Settings settings = parse(argc, argv);
  manual_seed(42);
  auto train = std::make_shared<data::FashionMNIST>(settings.root, /*train=*/true, kFloat32);
  auto test = std::make_shared<data::FashionMNIST>(settings.root, /*train=*/false, kFloat32);
  data::DatasetPtr train_set = train;
  if (settings.train_samples > 0) {
    std::vector<int64_t> first(static_cast<size_t>(std::min(settings.train_samples, train->size())));
    std::iota(first.begin(), first.end(), int64_t{0});
    train_set = std::make_shared<data::Subset>(train, first);
  }
  data::DataLoader train_loader(train_set, {.batch_size = 32, .shuffle = true, .seed = 42});
  data::DataLoader test_loader(test, {.batch_size = 256});

  auto model = std::make_shared<fashion_mnist::MLP>();
  optim::SGD optimizer(model->parameters(), {.lr = 0.01, .momentum = 0.9});
  std::printf("Fashion-MNIST: %lld training images, %lld test images; %lld parameters\n",
              static_cast<long long>(train_set->size()), static_cast<long long>(test->size()),
              static_cast<long long>(model->num_parameters()));

  double final_accuracy = 0;
  for (int64_t epoch = 1; epoch <= settings.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    model->train();
    double loss_sum = 0;
    int64_t seen = 0;
    for (const data::Batch& batch : train_loader) {
      optimizer.zero_grad();
      const Tensor loss = cross_entropy((*model)(batch[0]), batch[1]);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * static_cast<double>(batch[1].size(0));
      seen += batch[1].size(0);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    final_accuracy = accuracy(*model, test_loader);
    std::printf("epoch %lld: train loss %.4f, test accuracy %.4f, %.2f s (%.0f steps/s)\n",
                static_cast<long long>(epoch), loss_sum / static_cast<double>(seen), final_accuracy, seconds,
                static_cast<double>(train_loader.size()) / seconds);
  }
  if (final_accuracy < settings.min_accuracy) {
    std::printf("FAILED: test accuracy %.4f is below %.4f\n", final_accuracy, settings.min_accuracy);
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion_mnist_loop: %s\n", e.what());
  return 2;
}
