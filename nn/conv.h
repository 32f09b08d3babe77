#pragma once
// Conv1d and Conv2d (cross-correlation, as PyTorch), with zero padding.
//
//   nn::Conv2d conv(1, 32, 3, {.padding = 1});                 // 3x3 kernel
//   nn::Conv2d strided(32, 64, {3, 5}, {.stride = 2, .groups = 2});
#include <cstdint>
#include <iosfwd>

#include <accel/nn/expanding_array.h>
#include <accel/nn/module.h>

namespace accel::nn {

template <size_t D>
struct ConvOptions {
  ExpandingArray<D> stride = 1;
  ExpandingArray<D> padding = 0;
  ExpandingArray<D> dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

// weight [out_channels, in_channels / groups, *kernel_size] and bias [out_channels] start uniform
// in +-1/sqrt(fan_in), fan_in = in_channels / groups * prod(kernel_size), as PyTorch's.
template <size_t D>
class ConvNd : public Cloneable<ConvNd<D>> {
 public:
  ConvNd(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size, ConvOptions<D> options = {});
  void reset() override;
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  // "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", as PyTorch's.
  void pretty_print(std::ostream& os) const override;

  int64_t in_channels, out_channels;
  ExpandingArray<D> kernel_size;
  ConvOptions<D> options;
  Tensor weight, bias;
};

using Conv1d = ConvNd<1>;
using Conv2d = ConvNd<2>;

extern template class ConvNd<1>;
extern template class ConvNd<2>;

}  // namespace accel::nn
