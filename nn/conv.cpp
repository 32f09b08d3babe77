#include <accel/nn/conv.h>

#include <cmath>
#include <ostream>
#include <vector>

#include <accel/nn/init.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

template <size_t D>
ConvNd<D>::ConvNd(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size, ConvOptions<D> options)
    : Cloneable<ConvNd<D>>("Conv" + std::to_string(D) + "d"),
      in_channels(in_channels),
      out_channels(out_channels),
      kernel_size(kernel_size),
      options(options) {
  reset();
}

template <size_t D>
void ConvNd<D>::reset() {
  const std::string name = this->type_name();
  ACCEL_CHECK(in_channels > 0 && out_channels > 0, name, ": channels must be positive, got in_channels=",
              in_channels, ", out_channels=", out_channels);
  ACCEL_CHECK(options.groups > 0 && in_channels % options.groups == 0 && out_channels % options.groups == 0, name,
              ": in_channels (", in_channels, ") and out_channels (", out_channels,
              ") must be divisible by groups (", options.groups, ")");
  for (size_t d = 0; d < D; ++d)
    ACCEL_CHECK(kernel_size[d] > 0 && options.stride[d] > 0 && options.dilation[d] > 0 && options.padding[d] >= 0,
                name, ": needs positive kernel_size, stride and dilation and non-negative padding, got kernel_size=",
                python_tuple(kernel_size), ", stride=", python_tuple(options.stride),
                ", dilation=", python_tuple(options.dilation), ", padding=", python_tuple(options.padding));
  std::vector<int64_t> shape = {out_channels, in_channels / options.groups};
  for (size_t d = 0; d < D; ++d) shape.push_back(kernel_size[d]);
  weight = this->register_parameter("weight", accel::empty(shape));
  bias = this->register_parameter("bias", options.bias ? accel::empty({out_channels}) : Tensor());
  reset_parameters();
}

template <size_t D>
void ConvNd<D>::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1 / std::sqrt(static_cast<double>(init::calculate_fan_in_and_fan_out(weight).first));
    init::uniform_(bias, -bound, bound);
  }
}

template <size_t D>
Tensor ConvNd<D>::forward(const Tensor& input) {
  if constexpr (D == 1)
    return conv1d(input, weight, bias, options.stride, options.padding, options.dilation, options.groups);
  else
    return conv2d(input, weight, bias, options.stride, options.padding, options.dilation, options.groups);
}

template <size_t D>
void ConvNd<D>::pretty_print(std::ostream& os) const {
  os << this->type_name() << "(" << in_channels << ", " << out_channels << ", kernel_size=" << python_tuple(kernel_size)
     << ", stride=" << python_tuple(options.stride);
  if (!options.padding.all_equal(0)) os << ", padding=" << python_tuple(options.padding);
  if (!options.dilation.all_equal(1)) os << ", dilation=" << python_tuple(options.dilation);
  if (options.groups != 1) os << ", groups=" << options.groups;
  if (!bias.defined()) os << ", bias=False";
  os << ")";
}

template class ConvNd<1>;
template class ConvNd<2>;

}  // namespace accel::nn
