#include <accel/nn/loss.h>

#include <accel/tensor/error.h>

namespace accel::nn {
namespace {
// A copy: registering the caller's tensor itself would let clone() (which rebuilds the buffer
// from the options) share it between the two modules.
Tensor own_copy(const Tensor& t) { return t.defined() ? t.detach().clone() : Tensor(); }
}  // namespace

CrossEntropyLoss::CrossEntropyLoss(const CrossEntropyLossOptions& options) : options(options) { reset(); }

void CrossEntropyLoss::reset() {
  ACCEL_CHECK(options.label_smoothing >= 0 && options.label_smoothing <= 1,
              "CrossEntropyLoss: label_smoothing must be in [0, 1], got ", options.label_smoothing);
  weight = register_buffer("weight", own_copy(options.weight));
}

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return cross_entropy(input, target,
                       {.weight = weight,
                        .ignore_index = options.ignore_index,
                        .reduction = options.reduction,
                        .label_smoothing = options.label_smoothing});
}

NLLLoss::NLLLoss(const NLLLossOptions& options) : options(options) { reset(); }

void NLLLoss::reset() { weight = register_buffer("weight", own_copy(options.weight)); }

Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return nll_loss(input, target,
                  {.weight = weight, .ignore_index = options.ignore_index, .reduction = options.reduction});
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) {
  return mse_loss(input, target, options.reduction);
}

Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return l1_loss(input, target, options.reduction); }

SmoothL1Loss::SmoothL1Loss(const SmoothL1LossOptions& options) : options(options) { reset(); }

void SmoothL1Loss::reset() {
  ACCEL_CHECK(options.beta >= 0, "SmoothL1Loss: beta must be non-negative, got ", options.beta);
}

Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return smooth_l1_loss(input, target, options.reduction, options.beta);
}

HuberLoss::HuberLoss(const HuberLossOptions& options) : options(options) { reset(); }

void HuberLoss::reset() { ACCEL_CHECK(options.delta > 0, "HuberLoss: delta must be positive, got ", options.delta); }

Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return huber_loss(input, target, options.reduction, options.delta);
}

BCELoss::BCELoss(const BCELossOptions& options) : options(options) { reset(); }

void BCELoss::reset() { weight = register_buffer("weight", own_copy(options.weight)); }

Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy(input, target, weight, options.reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(const BCEWithLogitsLossOptions& options) : options(options) { reset(); }

void BCEWithLogitsLoss::reset() {
  weight = register_buffer("weight", own_copy(options.weight));
  pos_weight = register_buffer("pos_weight", own_copy(options.pos_weight));
}

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return binary_cross_entropy_with_logits(input, target, weight, options.reduction, pos_weight);
}

}  // namespace accel::nn
