#include <accel/nn/pooling.h>

#include <ostream>

#include <accel/tensor/ops.h>

namespace accel::nn {

MaxPool2d::MaxPool2d(ExpandingArray<2> kernel_size, MaxPool2dOptions options)
    : kernel_size(kernel_size), stride(options.stride.value_or(kernel_size)), options(options) {}

Tensor MaxPool2d::forward(const Tensor& input) {
  return max_pool2d(input, kernel_size, stride, options.padding, options.dilation, options.ceil_mode);
}

void MaxPool2d::pretty_print(std::ostream& os) const {
  os << "MaxPool2d(kernel_size=" << kernel_size.repr() << ", stride=" << stride.repr()
     << ", padding=" << options.padding.repr() << ", dilation=" << options.dilation.repr()
     << ", ceil_mode=" << python_repr(options.ceil_mode) << ")";
}

AvgPool2d::AvgPool2d(ExpandingArray<2> kernel_size, AvgPool2dOptions options)
    : kernel_size(kernel_size), stride(options.stride.value_or(kernel_size)), options(options) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return avg_pool2d(input, kernel_size, stride, options.padding, options.ceil_mode, options.count_include_pad,
                    options.divisor_override);
}

void AvgPool2d::pretty_print(std::ostream& os) const {
  os << "AvgPool2d(kernel_size=" << kernel_size.repr() << ", stride=" << stride.repr()
     << ", padding=" << options.padding.repr() << ")";
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return adaptive_avg_pool2d(input, output_size); }

void AdaptiveAvgPool2d::pretty_print(std::ostream& os) const {
  os << "AdaptiveAvgPool2d(output_size=" << output_size.repr() << ")";
}

}  // namespace accel::nn
