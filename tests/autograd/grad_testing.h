#pragma once
// Helpers the gradient tests share: float64 leaves (contiguous and transposed), gradcheck plus
// gradgradcheck, and error-message checks.
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <accel/accel.h>

#include "../expect_error.h"

namespace grad_testing {

using accel::Tensor;
using V = std::vector<double>;
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

inline V values(const Tensor& t) { return t.to_vector<double>(); }

inline Tensor rnd(accel::IntArrayRef sizes) {
  return accel::randn(sizes, {.dtype = accel::kFloat64, .requires_grad = true});
}
// A non-contiguous leaf: the transpose of a [cols, rows] tensor.
inline Tensor rnd_t(int64_t rows, int64_t cols) {
  return accel::randn({cols, rows}, {.dtype = accel::kFloat64}).t().requires_grad_();
}

// First and second derivatives against finite differences.
inline void check(const Fn& f, const std::vector<Tensor>& in) {
  EXPECT_TRUE(accel::autograd::gradcheck(f, in));
  EXPECT_TRUE(accel::autograd::gradgradcheck(f, in));
}
// For ops without double backward (in-place ops on views go through CopySlices).
inline void check_first_order(const Fn& f, const std::vector<Tensor>& in) {
  EXPECT_TRUE(accel::autograd::gradcheck(f, in));
}

using accel_testing::expect_error;

}  // namespace grad_testing
