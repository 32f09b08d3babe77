#pragma once
// Shared pieces of the Trainer tests: a linear-regression problem small enough to train in
// milliseconds, and a Trainer whose optimizer outlives it.
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/trainer/trainer.h>

namespace accel::trainer::testing {

// y = 2x + 1 on n points x = 0, 1/n, ..., (n-1)/n; examples {x[i] (shape [1]), y[i] (shape [1])}.
inline data::TensorDataset regression_dataset(int64_t n) {
  Tensor x = arange(n, {.dtype = kFloat32}).view({n, 1}) / static_cast<double>(n);
  Tensor y = x * 2.0 + 1.0;
  return data::TensorDataset({x, y});
}

// Loader options that keep the tests single-threaded and in order.
inline DataLoaderKwargs sequential_loader() { return {.shuffle = false, .num_workers = 0}; }

// A Linear(1, 1) model, its SGD optimizer and an MSE loss, seeded so that every test starts alike.
struct RegressionProblem {
  RegressionProblem() {
    manual_seed(0);
    model = std::make_shared<nn::Linear>(1, 1);
    optimizer = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
  }
  std::shared_ptr<nn::Linear> model;
  std::unique_ptr<optim::SGD> optimizer;
};

// A directory under the system's temporary directory, removed with everything in it at scope exit.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace accel::trainer::testing
