#pragma once
// The fashion_mnist program's command line. Each model has its own defaults (the configuration that
// reaches its accuracy target); every flag overrides one of them.
#include <cstdint>
#include <optional>
#include <string>

namespace fashion_mnist {

struct Options {
  std::string model = "mlp";  // mlp | cnn
  int64_t epochs = 8;
  int64_t batch_size = 32;
  double lr = 0.01;
  std::string optimizer = "sgd";  // sgd | adam | adamw
  double momentum = 0.9;          // SGD's momentum (OneCycle cycles it, or Adam's beta1)
  std::string scheduler = "none";  // none | onecycle | cosine | step
  int64_t accumulation = 1;        // gradient accumulation steps
  uint64_t seed = 42;              // weights, validation split and shuffling
  // Random crops and horizontal flips of the training images (the CNN's default).
  bool augment = false;
  // Taken out of the 60,000 training images to measure accuracy after each epoch and keep the most
  // accurate epoch. 0 (the MLP's default, as the seed trains on all 60,000): keep the epoch with the
  // lowest training loss.
  int64_t validation_samples = 0;
  std::string output_dir = "fashion_mnist_output";
  std::optional<std::string> resume = std::nullopt;  // a training-state directory written by an earlier run
  std::optional<std::string> device = std::nullopt;  // cpu | cuda | cuda:N; unset: the launcher's environment
  std::optional<int64_t> limit_batches = std::nullopt;  // batches per epoch, for quick checks
  double min_accuracy = 0;               // exit with status 1 below this test accuracy
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  bool progress_bar = true;
};

// The defaults of `model` ("mlp" or "cnn"), then the flags in argv; --help prints usage() and exits.
// Unknown flags and bad values throw accel::Error.
Options parse_options(int argc, char** argv);
std::string usage();

}  // namespace fashion_mnist
