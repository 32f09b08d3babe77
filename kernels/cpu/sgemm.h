#pragma once
// accel's own float32 GEMM: packed panels and a register-blocked FMA micro-kernel (the BLIS
// design), on accel's thread pool. Eigen's product reaches about two thirds of the FMA peak here;
// this one is written for the two ISAs we build for (AVX2+FMA, AVX-512) and is used whenever the
// build targets one of them (sgemm_available()).
#include <cstdint>

#include <accel/kernels/cpu/gemm_block.h>

namespace accel::cpu {

using MatrixView = Strided<float>;  // a transposed view is just swapped strides

// C = alpha * A @ B + beta * C (+ column_bias[j] in every row's column j, when given: a Linear
// layer's bias, added as each tile is stored rather than by a pass of its own) for A [m, k],
// B [k, n] and C [m, n] with rows ldc apart and contiguous columns. beta == 0 never reads C (so C
// may hold garbage). Runs on the thread pool when the product is large enough, and inline when
// called from inside a parallel region.
void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixView a, MatrixView b, float beta, float* c,
           int64_t ldc, const float* column_bias = nullptr);

// Columns per packed panel of B: two vectors of the ISA sgemm is built for.
#if defined(__AVX512F__)
inline constexpr int64_t kSgemmPanelWidth = 32;
#else
inline constexpr int64_t kSgemmPanelWidth = 16;
#endif

// A B operand that is never in memory as a matrix: it writes the packed panels sgemm asks for
// straight from its own data (a convolution's unrolled patches, conv_patches.h, are read from the
// image instead of being unrolled into a matrix that sgemm would then pack again).
class PanelSource {
 public:
  // B's rows [row0, row0 + rows) by columns [col0, col0 + cols) as panels of kSgemmPanelWidth
  // columns, one after another: B[row0 + p][col0 + j] at panels[j / W * W * rows + p * W + j % W]
  // (W = kSgemmPanelWidth); the last panel's columns past `cols` are zero.
  virtual void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* panels) const = 0;

 protected:
  ~PanelSource() = default;
};

// sgemm with B [k, n] given by a PanelSource (no bias).
void sgemm(int64_t m, int64_t n, int64_t k, float alpha, MatrixView a, const PanelSource& b, float beta, float* c,
           int64_t ldc);

// True when sgemm has a vector micro-kernel for the ISA this build targets; otherwise callers use Eigen.
constexpr bool sgemm_available() {
#if defined(__AVX2__) && defined(__FMA__)
  return true;
#else
  return false;
#endif
}

}  // namespace accel::cpu
