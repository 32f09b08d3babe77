#pragma once
// Normalization layers: BatchNorm1d/2d (running statistics), LayerNorm and GroupNorm.
//
//   auto bn = nn::BatchNorm2d(32, {.momentum = 0.01});
//   auto ln = nn::LayerNorm(512, {.eps = 1e-6});
//   auto gn = nn::GroupNorm(8, 64);
#include <cstdint>
#include <optional>
#include <vector>

#include <accel/nn/module.h>

namespace accel::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  // Weight of the new batch statistic in the running average; nullopt gives the cumulative
  // average over all batches so far (PyTorch's momentum=None).
  std::optional<double> momentum = 0.1;
  bool affine = true;  // learnable weight (init 1) and bias (init 0)
  // Keep running_mean / running_var / num_batches_tracked. Without them, evaluation also
  // normalizes with the batch's own statistics.
  bool track_running_stats = true;
};

// The shared implementation of BatchNorm1d and BatchNorm2d, which differ only in the input ranks
// they accept. Parameters "weight", "bias"; buffers "running_mean", "running_var" and
// "num_batches_tracked" (int64), as in PyTorch.
template <typename Derived>
class BatchNormBase : public Cloneable<Derived> {
 public:
  BatchNormBase(int64_t num_features, const BatchNormOptions& options);

  void reset() override;
  // Running mean 0, variance 1, counter 0.
  void reset_running_stats();
  // Training (or no running statistics): normalizes with the batch's statistics over all dims but
  // the channel dim (1) and updates the running ones; evaluation: uses the running statistics.
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t num_features;
  BatchNormOptions options;
  Tensor weight, bias;                                    // undefined without affine
  Tensor running_mean, running_var, num_batches_tracked;  // undefined without tracking

 protected:
  virtual void check_input_dim(const Tensor& input) const = 0;
};

// Over [N, C] or [N, C, L] inputs.
class BatchNorm1d : public BatchNormBase<BatchNorm1d> {
 public:
  explicit BatchNorm1d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNormBase(num_features, options) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

// Over [N, C, H, W] inputs.
class BatchNorm2d : public BatchNormBase<BatchNorm2d> {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormOptions& options = {})
      : BatchNormBase(num_features, options) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

extern template class BatchNormBase<BatchNorm1d>;
extern template class BatchNormBase<BatchNorm2d>;

struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;  // learnable weight (init 1) of normalized_shape
  bool bias = true;                // and bias (init 0), when elementwise_affine
};

// Normalizes over the trailing dims given by normalized_shape, per sample.
class LayerNorm : public Cloneable<LayerNorm> {
 public:
  explicit LayerNorm(std::vector<int64_t> normalized_shape, const LayerNormOptions& options = {});
  explicit LayerNorm(int64_t normalized_size, const LayerNormOptions& options = {})
      : LayerNorm(std::vector<int64_t>{normalized_size}, options) {}

  void reset() override;
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  std::vector<int64_t> normalized_shape;
  LayerNormOptions options;
  Tensor weight, bias;
};

struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;  // learnable per-channel weight (init 1) and bias (init 0)
};

// Splits the channels (dim 1) into num_groups groups and normalizes each group per sample.
class GroupNorm : public Cloneable<GroupNorm> {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, const GroupNormOptions& options = {});

  void reset() override;
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t num_groups, num_channels;
  GroupNormOptions options;
  Tensor weight, bias;
};

}  // namespace accel::nn
