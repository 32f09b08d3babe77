#pragma once
// 2-d pooling: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d. They print their sizes the way they were
// given (2 or {2, 2}), as PyTorch's do.
#include <cstdint>
#include <iosfwd>
#include <optional>

#include <accel/nn/expanding_array.h>
#include <accel/nn/module.h>

namespace accel::nn {

struct MaxPool2dOptions {
  std::optional<ExpandingArray<2>> stride = std::nullopt;  // default: kernel_size
  ExpandingArray<2> padding = 0;
  ExpandingArray<2> dilation = 1;
  bool ceil_mode = false;
};

class MaxPool2d : public Cloneable<MaxPool2d> {
 public:
  explicit MaxPool2d(ExpandingArray<2> kernel_size, MaxPool2dOptions options = {});
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  ExpandingArray<2> kernel_size, stride;
  MaxPool2dOptions options;
};

struct AvgPool2dOptions {
  std::optional<ExpandingArray<2>> stride = std::nullopt;  // default: kernel_size
  ExpandingArray<2> padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;
};

class AvgPool2d : public Cloneable<AvgPool2d> {
 public:
  explicit AvgPool2d(ExpandingArray<2> kernel_size, AvgPool2dOptions options = {});
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  ExpandingArray<2> kernel_size, stride;
  AvgPool2dOptions options;
};

class AdaptiveAvgPool2d : public Cloneable<AdaptiveAvgPool2d> {
 public:
  explicit AdaptiveAvgPool2d(ExpandingArray<2> output_size) : output_size(output_size) {}
  void reset() override {}
  Tensor forward(const Tensor& input) override;
  void pretty_print(std::ostream& os) const override;

  ExpandingArray<2> output_size;
};

}  // namespace accel::nn
