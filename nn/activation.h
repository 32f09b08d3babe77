#pragma once
// Activation modules: each applies the function of the same name in nn::functional elementwise
// (Softmax and LogSoftmax along `dim`).
#include <cstdint>
#include <iosfwd>
#include <string>

#include <accel/nn/module.h>

namespace accel::nn {

class ReLU : public Cloneable<ReLU> {
 public:
  void reset() override {}
  Tensor forward(const Tensor& input) override;
};

struct GELUOptions {
  std::string approximate = "none";  // "none" (exact, erf) or "tanh"
};

class GELU : public Cloneable<GELU> {
 public:
  explicit GELU(GELUOptions options = {});
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  GELUOptions options;
};

class SiLU : public Cloneable<SiLU> {
 public:
  void reset() override {}
  Tensor forward(const Tensor& input) override;
};

class Tanh : public Cloneable<Tanh> {
 public:
  void reset() override {}
  Tensor forward(const Tensor& input) override;
};

class Sigmoid : public Cloneable<Sigmoid> {
 public:
  void reset() override {}
  Tensor forward(const Tensor& input) override;
};

struct LeakyReLUOptions {
  double negative_slope = 0.01;
};

class LeakyReLU : public Cloneable<LeakyReLU> {
 public:
  explicit LeakyReLU(LeakyReLUOptions options = {}) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  LeakyReLUOptions options;
};

class Softmax : public Cloneable<Softmax> {
 public:
  explicit Softmax(int64_t dim) : dim(dim) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t dim;
};

class LogSoftmax : public Cloneable<LogSoftmax> {
 public:
  explicit LogSoftmax(int64_t dim) : dim(dim) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t dim;
};

}  // namespace accel::nn
