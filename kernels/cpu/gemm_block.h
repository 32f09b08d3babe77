#pragma once
// One matrix product on raw memory, the building block of the GEMM, convolution and any other
// CPU kernel that multiplies matrices (internal). float32 runs on sgemm.h where the build has its
// micro-kernel; everything else on Eigen, single-threaded.
#include <cstdint>

namespace accel::cpu {

// Element (i, j) at data[i * row_stride + j * col_stride]. Eigen needs one of the two strides to
// be 1 (row- or column-major); sgemm takes any.
template <typename T>
struct Strided {
  const T* data;
  int64_t row_stride, col_stride;
};

// C [m, n] (rows ldc apart, contiguous columns) = alpha * A [m, k] @ B [k, n] + beta * C;
// beta == 0 never reads C. A float32 product large enough to be worth it runs on the thread pool
// unless called from inside a parallel region; the other types always run on the calling thread.
// Defined for float, double, int32_t and int64_t.
template <typename T>
void gemm_block(int64_t m, int64_t n, int64_t k, T alpha, Strided<T> a, Strided<T> b, T beta, T* c, int64_t ldc);

}  // namespace accel::cpu
