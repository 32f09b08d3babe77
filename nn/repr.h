#pragma once
// Values written the way Python's repr writes them, so that modules print exactly like PyTorch's
// ("LeakyReLU(negative_slope=0.01)", "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True)").
#include <string>
#include <vector>

#include <accel/tensor/shape.h>

namespace accel::nn {

// Python's float repr: shortest round-trip digits, "1.0", "0.0001", "1e-05", "1e+16", "inf", "nan".
std::string python_repr(double value);
// "True" / "False".
std::string python_repr(bool value);
// A Python tuple of ints: "(3, 3)", "(3,)", "()".
std::string python_tuple(IntArrayRef values);

}  // namespace accel::nn
