// Dot-product GEMM (see sgemm_dot.h). A tile of 3 rows of A by 4 columns of B keeps 12 vector
// accumulators and loads 3 + 4 vectors per 8 values of k: 7 loads for 12 FMAs, 3.5 cycles of load
// ports for 6 of FMA units, so the FMAs set the pace. Each accumulator is reduced to its value of C
// at the end with horizontal adds. For each group of 4 columns (in L1), all rows of A stream from L2;
// k is cut into slices of 1024 so that a slice of A stays there.
#include <accel/kernels/cpu/sgemm_dot.h>

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

#include <algorithm>

namespace accel::cpu {
namespace {

constexpr int64_t kRows = 3, kCols = kDotTileCols;
constexpr int64_t kSlice = 1024;  // 4 columns of B in L1 (16 KiB), 64 rows of A in L2 (256 KiB)

// The 8-lane mask that keeps the first `count` (< 8) lanes.
__m256i tail_mask(int64_t count) {
  alignas(32) static const int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - count));
}

// [sum(v0), sum(v1), sum(v2), sum(v3)].
__m128 sum4(__m256 v0, __m256 v1, __m256 v2, __m256 v3) {
  const __m256 pairs = _mm256_hadd_ps(_mm256_hadd_ps(v0, v1), _mm256_hadd_ps(v2, v3));
  return _mm_add_ps(_mm256_castps256_ps128(pairs), _mm256_extractf128_ps(pairs, 1));
}

// C[rows x cols] (at most 3 x 4) for kc values of k, plus the tile's four column biases when given.
// Rows and columns past the tile's edge repeat its last one, so the loop is always a full 3 x 4;
// their results are not stored.
void dot_tile(int64_t kc, const float* a, int64_t lda, int64_t rows, const float* b, int64_t ldb, int64_t cols,
              float alpha, float beta, const __m128* bias, float* c, int64_t ldc) {
  const float* a0 = a;
  const float* a1 = a + std::min<int64_t>(1, rows - 1) * lda;
  const float* a2 = a + std::min<int64_t>(2, rows - 1) * lda;
  const float* b0 = b;
  const float* b1 = b + std::min<int64_t>(1, cols - 1) * ldb;
  const float* b2 = b + std::min<int64_t>(2, cols - 1) * ldb;
  const float* b3 = b + std::min<int64_t>(3, cols - 1) * ldb;
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00;
  __m256 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  __m256 c20 = c00, c21 = c00, c22 = c00, c23 = c00;
  // GCC would fold a load into every FMA (24 loads per 12 FMAs, twice what the load ports sustain);
  // the empty asm statements pin each loaded vector to a register.
  const auto step = [&](auto load) {
    __m256 x0 = load(a0), x1 = load(a1), x2 = load(a2);
    asm("" : "+x"(x0), "+x"(x1), "+x"(x2));
    const auto column = [&](const float* bj, __m256& r0, __m256& r1, __m256& r2) {
      __m256 y = load(bj);
      asm("" : "+x"(y));
      r0 = _mm256_fmadd_ps(x0, y, r0), r1 = _mm256_fmadd_ps(x1, y, r1), r2 = _mm256_fmadd_ps(x2, y, r2);
    };
    column(b0, c00, c10, c20);
    column(b1, c01, c11, c21);
    column(b2, c02, c12, c22);
    column(b3, c03, c13, c23);
  };
  int64_t p = 0;
#pragma GCC unroll 2  // the loop's counter and branch are a seventh of a step's instructions
  for (; p + 8 <= kc; p += 8) step([p](const float* x) { return _mm256_loadu_ps(x + p); });
  if (p < kc) {  // masked loads read zeros past the end, which add nothing
    const __m256i mask = tail_mask(kc - p);
    step([p, mask](const float* x) { return _mm256_maskload_ps(x + p, mask); });
  }
  const __m128 sums[kRows] = {sum4(c00, c01, c02, c03), sum4(c10, c11, c12, c13), sum4(c20, c21, c22, c23)};
  for (int64_t r = 0; r < rows; ++r) {
    const __m128 va = _mm_set1_ps(alpha);
    const __m128 scaled = bias ? _mm_fmadd_ps(va, sums[r], *bias) : _mm_mul_ps(va, sums[r]);
    float* cr = c + r * ldc;
    if (cols == kCols) {
      _mm_storeu_ps(cr, beta == 0 ? scaled : _mm_fmadd_ps(_mm_set1_ps(beta), _mm_loadu_ps(cr), scaled));
      continue;
    }
    alignas(16) float values[kCols];
    _mm_store_ps(values, scaled);
    for (int64_t s = 0; s < cols; ++s) cr[s] = beta == 0 ? values[s] : values[s] + beta * cr[s];
  }
}

}  // namespace

bool sgemm_dot_suits(int64_t m, int64_t k, Strided<float> a, Strided<float> b) {
  return a.col_stride == 1 && b.row_stride == 1 && m <= 64 && k >= 512;
}

void sgemm_dot(int64_t m, int64_t n, int64_t k, float alpha, Strided<float> a, Strided<float> b, float beta,
               const float* bias, float* c, int64_t ldc) {
  for (int64_t p0 = 0; p0 < k; p0 += kSlice) {
    const int64_t kc = std::min(kSlice, k - p0);
    // Later slices accumulate onto the first, which also adds the bias.
    const float slice_beta = p0 == 0 ? beta : 1.0f;
    const float* slice_bias = p0 == 0 ? bias : nullptr;
    for (int64_t j = 0; j < n; j += kCols) {
      const float* bj = b.data + j * b.col_stride + p0;
      alignas(16) float column_bias[kCols] = {};
      if (slice_bias) std::copy_n(slice_bias + j, std::min(kCols, n - j), column_bias);
      const __m128 vbias = _mm_load_ps(column_bias);
      for (int64_t i = 0; i < m; i += kRows) {
        dot_tile(kc, a.data + i * a.row_stride + p0, a.row_stride, std::min(kRows, m - i), bj, b.col_stride,
                 std::min(kCols, n - j), alpha, slice_beta, slice_bias ? &vbias : nullptr, c + i * ldc + j, ldc);
      }
    }
  }
}

}  // namespace accel::cpu

#else  // sgemm_available() is false without AVX2 and FMA, and sgemm (the only caller) is never used

#include <accel/tensor/error.h>

namespace accel::cpu {
bool sgemm_dot_suits(int64_t, int64_t, Strided<float>, Strided<float>) { return false; }
void sgemm_dot(int64_t, int64_t, int64_t, float, Strided<float>, Strided<float>, float, const float*, float*,
               int64_t) {
  ACCEL_FAIL("sgemm_dot: this build targets a CPU without AVX2 and FMA");
}
}  // namespace accel::cpu

#endif
