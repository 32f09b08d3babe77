#pragma once
// Flatten and Unflatten: reshape between a run of dims and one dim (views when possible).
#include <cstdint>
#include <iosfwd>
#include <vector>

#include <accel/nn/module.h>

namespace accel::nn {

// Flattens dims start_dim..end_dim into one; the default keeps the batch dim: [N, C, H, W] -> [N, C*H*W].
class Flatten : public Cloneable<Flatten> {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t start_dim, end_dim;
};

// Splits dim into unflattened_size (one entry may be -1): Unflatten(1, {2, 5}) maps [N, 10] to [N, 2, 5].
class Unflatten : public Cloneable<Unflatten> {
 public:
  Unflatten(int64_t dim, std::vector<int64_t> unflattened_size)
      : dim(dim), unflattened_size(std::move(unflattened_size)) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  int64_t dim;
  std::vector<int64_t> unflattened_size;
};

}  // namespace accel::nn
