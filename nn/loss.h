#pragma once
// Losses as modules, over the functional losses of tensor/ops.h (same names, options and values
// as PyTorch's torch.nn losses). Each is called with (input, target):
//
//   nn::CrossEntropyLoss criterion({.label_smoothing = 0.1});
//   Tensor loss = criterion(logits, labels);
//   auto mse = nn::MSELoss({.reduction = accel::Reduction::Sum});
//
// Class weights (weight, pos_weight) are buffers, so they follow the module's to(device) and appear
// in its state dict as in PyTorch; the module keeps a copy of the tensor it was given.
#include <cstdint>
#include <string>

#include <accel/autograd/grad_mode.h>
#include <accel/nn/module.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

// The shared shape of a loss: forward(input, target) and the call operator for it, in place of
// Module's single-tensor ones.
template <typename Derived>
class Loss : public Cloneable<Derived> {
 public:
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) {
    if (!autograd::AnomalyMode::is_enabled()) return forward(input, target);
    const std::string name = this->type_name();  // anomaly reports name the module; it must outlive the scope
    autograd::ModuleNameScope scope(name.c_str());
    return forward(input, target);
  }
};

struct CrossEntropyLossOptions {
  Tensor weight = {};  // per-class weight [C]
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
  double label_smoothing = 0.0;
};

// input: logits [N, C] (or [N, C, d1, ...], or [C]); target: class indices or class probabilities.
class CrossEntropyLoss : public Loss<CrossEntropyLoss> {
 public:
  explicit CrossEntropyLoss(const CrossEntropyLossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  CrossEntropyLossOptions options;
  Tensor weight;  // the registered buffer (undefined without one)
};

struct NLLLossOptions {
  Tensor weight = {};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::Mean;
};

// input: log-probabilities [N, C] (e.g. from log_softmax); target: class indices.
class NLLLoss : public Loss<NLLLoss> {
 public:
  explicit NLLLoss(const NLLLossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  NLLLossOptions options;
  Tensor weight;
};

struct MSELossOptions {
  Reduction reduction = Reduction::Mean;
};

class MSELoss : public Loss<MSELoss> {
 public:
  explicit MSELoss(const MSELossOptions& options = {}) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  MSELossOptions options;
};

struct L1LossOptions {
  Reduction reduction = Reduction::Mean;
};

class L1Loss : public Loss<L1Loss> {
 public:
  explicit L1Loss(const L1LossOptions& options = {}) : options(options) {}
  void reset() override {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  L1LossOptions options;
};

struct SmoothL1LossOptions {
  Reduction reduction = Reduction::Mean;
  double beta = 1.0;  // quadratic below beta, linear above
};

class SmoothL1Loss : public Loss<SmoothL1Loss> {
 public:
  explicit SmoothL1Loss(const SmoothL1LossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  SmoothL1LossOptions options;
};

struct HuberLossOptions {
  Reduction reduction = Reduction::Mean;
  double delta = 1.0;  // quadratic below delta, linear above (delta * SmoothL1 with beta = delta)
};

class HuberLoss : public Loss<HuberLoss> {
 public:
  explicit HuberLoss(const HuberLossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  HuberLossOptions options;
};

struct BCELossOptions {
  Tensor weight = {};  // rescales each element's loss; broadcasts to the input
  Reduction reduction = Reduction::Mean;
};

// input: probabilities in [0, 1]; target: same shape.
class BCELoss : public Loss<BCELoss> {
 public:
  explicit BCELoss(const BCELossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  BCELossOptions options;
  Tensor weight;
};

struct BCEWithLogitsLossOptions {
  Tensor weight = {};
  Reduction reduction = Reduction::Mean;
  Tensor pos_weight = {};  // weight of the positive examples, per class (broadcasts over the last dim)
};

// input: logits (sigmoid applied inside, numerically stable); target: same shape.
class BCEWithLogitsLoss : public Loss<BCEWithLogitsLoss> {
 public:
  explicit BCEWithLogitsLoss(const BCEWithLogitsLossOptions& options = {});
  void reset() override;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  BCEWithLogitsLossOptions options;
  Tensor weight, pos_weight;
};

}  // namespace accel::nn
