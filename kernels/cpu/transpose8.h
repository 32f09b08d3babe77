#pragma once
// An 8 x 8 float transpose in AVX registers (internal; for the packing loops of sgemm.cpp and
// conv_patches.cpp, which include it only when the build targets AVX2).
#include <immintrin.h>

namespace accel::cpu {

// rows[i] lane j <- rows[j] lane i.
inline void transpose8(__m256 rows[8]) {
  __m256 t[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(rows[i], rows[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(rows[i], rows[i + 1]);
  }
  __m256 q[8];
  for (int i = 0; i < 8; i += 4) {
    q[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    q[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    q[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    q[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    rows[i] = _mm256_permute2f128_ps(q[i], q[i + 4], 0x20);
    rows[i + 4] = _mm256_permute2f128_ps(q[i], q[i + 4], 0x31);
  }
}

}  // namespace accel::cpu
