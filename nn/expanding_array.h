#pragma once
// A size or stride given per spatial dimension, or as one number for all of them, as in PyTorch:
// nn::Conv2d(3, 8, 3) and nn::Conv2d(3, 8, {3, 5}) both work. It remembers which form it was given
// in, because pooling layers print the value the way the user wrote it ("kernel_size=2").
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

#include <accel/nn/repr.h>
#include <accel/tensor/error.h>
#include <accel/tensor/shape.h>

namespace accel::nn {

template <size_t D>
class ExpandingArray {
 public:
  ExpandingArray(int64_t value) : from_scalar_(true) { values_.fill(value); }  // NOLINT
  ExpandingArray(std::initializer_list<int64_t> values) {  // NOLINT
    ACCEL_CHECK(values.size() == D, "expected ", D, " values (one per spatial dimension), got ", values.size());
    std::copy(values.begin(), values.end(), values_.begin());
  }

  IntArrayRef ref() const { return {values_.data(), D}; }
  operator IntArrayRef() const { return ref(); }  // NOLINT
  int64_t operator[](size_t i) const { return values_[i]; }
  bool from_scalar() const { return from_scalar_; }
  bool all_equal(int64_t value) const {
    for (int64_t v : values_)
      if (v != value) return false;
    return true;
  }
  // Python's repr of what the user passed: "2" or "(2, 3)".
  std::string repr() const { return from_scalar_ ? std::to_string(values_[0]) : python_tuple(ref()); }

 private:
  std::array<int64_t, D> values_{};
  bool from_scalar_ = false;
};

}  // namespace accel::nn
