#pragma once
// The GEMM of a Linear layer's forward pass, x @ W^T, for a batch of few rows. Both operands hold k
// contiguously (rows of x, rows of W), so each value of C is a dot product of two contiguous
// vectors. Computing it that way needs no packing at all, where the panel GEMM of sgemm.cpp would
// transpose all of W for every call: for 32 rows that transpose costs a third of the product.
#include <cstdint>

#include <accel/kernels/cpu/gemm_block.h>

namespace accel::cpu {

// Columns of C per tile: parallel callers cut C into parts of whole tiles.
inline constexpr int64_t kDotTileCols = 4;

// True when sgemm_dot is the faster route for C = A @ B: A's rows and B's columns contiguous, few
// enough rows of A that packing B would not pay for itself, and k long enough to amortise each
// tile's final reduction (a convolution's short k, 9 x input channels, runs faster packed).
bool sgemm_dot_suits(int64_t m, int64_t k, Strided<float> a, Strided<float> b);

// C [m, n] (rows ldc apart) = alpha * A @ B + beta * C (+ bias[j] in column j, when given), on the
// calling thread, for the operands sgemm_dot_suits accepts. beta == 0 never reads C.
void sgemm_dot(int64_t m, int64_t n, int64_t k, float alpha, Strided<float> a, Strided<float> b, float beta,
               const float* bias, float* c, int64_t ldc);

}  // namespace accel::cpu
