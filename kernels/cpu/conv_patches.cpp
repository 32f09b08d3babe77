// ConvPatches (conv_patches.h). Output pixel (oh, ow) reads tap (ki, kj) from the image when
// 0 <= oh + tap_row(ki) < H and 0 <= ow + tap_col(kj) < W: for 8 pixels at a time, a mask. A run
// of 8 pixels of a patch row inside the image is loaded whole and masked; one that reaches before
// or past the image (in its first or last channel) by a masked load, which does not touch the
// lanes it drops. Which runs are inside is worked out per panel, not per load: a test per load
// made the copy twice as slow.
#include <accel/kernels/cpu/conv_patches.h>

#if defined(__AVX2__) && defined(__FMA__)

#include <immintrin.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <utility>
#include <vector>

#include <accel/kernels/cpu/transpose8.h>

namespace accel::cpu {
namespace {

constexpr int64_t kPanel = kSgemmPanelWidth;
constexpr int64_t kGroups = kPanel / 8;  // 8-lane vectors per panel row
constexpr int64_t kMinChannels = 8;
// The output row given to lanes past the last pixel: it puts every tap's row outside the image.
constexpr int32_t kNoPixel = INT_MIN / 2;

struct Mask {
  __m256i lanes;  // all ones where a lane is read from the image
};

// masks[tap], tap = ki * kW + kj: which of the `count` pixels from `pixel` on read tap (ki, kj)
// from the image.
void tap_masks(const ConvGeometry& g, int64_t pixel, int64_t count, Mask* masks) {
  alignas(32) int32_t rows[8], cols[8];
  int64_t row = pixel / g.out_w, col = pixel % g.out_w;
  for (int64_t t = 0; t < 8; ++t) {
    rows[t] = t < count ? static_cast<int32_t>(row) : kNoPixel;
    cols[t] = static_cast<int32_t>(col);
    if (++col == g.out_w) col = 0, ++row;
  }
  const __m256i row_lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(rows));
  const __m256i col_lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(cols));
  // The lanes of v for which 0 <= v + offset < limit.
  const auto inside = [](__m256i v, int64_t offset, int64_t limit) {
    const __m256i shifted = _mm256_add_epi32(v, _mm256_set1_epi32(static_cast<int32_t>(offset)));
    return _mm256_and_si256(_mm256_cmpgt_epi32(shifted, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(limit)), shifted));
  };
  for (int64_t ki = 0; ki < g.kh; ++ki) {
    const __m256i row_inside = inside(row_lanes, g.tap_row(ki), g.height);
    for (int64_t kj = 0; kj < g.kw; ++kj)
      masks[ki * g.kw + kj].lanes = _mm256_and_si256(row_inside, inside(col_lanes, g.tap_col(kj), g.width));
  }
}

// The 8 values of image from `offset` on, zero in the lanes mask drops. Outside the image (not
// kInside) the address is computed as an integer, as such a pointer is not a C++ one.
template <bool kInside>
__m256 load_run(const float* image, int64_t offset, __m256i mask) {
  if constexpr (kInside) return _mm256_and_ps(_mm256_loadu_ps(image + offset), _mm256_castsi256_ps(mask));
  const auto address = reinterpret_cast<uintptr_t>(image) + static_cast<uintptr_t>(offset) * sizeof(float);
  return _mm256_maskload_ps(reinterpret_cast<const float*>(address), mask);
}

// The first n elements of buffer, which grows if need be: per-thread working memory that only grows.
template <typename T>
T* first_of(std::vector<T>& buffer, int64_t n) {
  if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
  return buffer.data();
}

// The patch rows [patch0, patch0 + count) of one pack call.
struct PatchRows {
  const float* image;
  const ConvGeometry* g;
  int64_t patch0, count;
  const int64_t* offsets;  // offsets[q]: where patch row patch0 + q's run starts, less its pixel
  const int64_t* taps;     // taps[q]: its tap, which picks its mask
  int64_t tap_lo, tap_hi;  // the least and greatest tap offset
};

// The rows q in [first, last) whose runs of `width` values from pixel `pixel` on lie inside the
// image: those of the channels for which every tap's run does.
std::pair<int64_t, int64_t> rows_inside(const PatchRows& r, int64_t pixel, int64_t width) {
  const ConvGeometry& g = *r.g;
  const int64_t plane = g.height * g.width, lo = pixel + r.tap_lo;
  const int64_t room = g.channels * plane - (pixel + r.tap_hi + width);  // where a run may start at most
  const int64_t first_channel = lo >= 0 ? 0 : (-lo + plane - 1) / plane;
  const int64_t end_channel = room < 0 ? 0 : std::min(g.channels, room / plane + 1);
  const auto row = [&](int64_t channel) { return std::clamp(channel * g.taps() - r.patch0, int64_t{0}, r.count); };
  return {row(first_channel), std::max(row(first_channel), row(end_channel))};
}

// Panel rows [begin, end) of the panel of pixels from `pixel` on: kGroups runs each.
template <bool kInside>
void copy_rows(const PatchRows& r, const Mask* masks, int64_t pixel, int64_t begin, int64_t end, float* panel) {
  const int64_t taps = r.g->taps();
  for (int64_t q = begin; q < end; ++q)
    for (int64_t v = 0; v < kGroups; ++v)
      _mm256_storeu_ps(panel + q * kPanel + 8 * v,
                       load_run<kInside>(r.image, r.offsets[q] + pixel + 8 * v, masks[v * taps + r.taps[q]].lanes));
}

// B = patches: each panel row is a run of kPanel pixels of one patch row.
void pack_patches(const PatchRows& r, int64_t pixel0, int64_t pixels, float* panels) {
  thread_local std::vector<Mask> mask_buffer;
  const int64_t taps = r.g->taps();
  Mask* masks = first_of(mask_buffer, taps * kGroups);  // masks[v * taps + tap] for the pixels of vector v
  for (int64_t j = 0; j < pixels; j += kPanel, panels += kPanel * r.count) {
    const int64_t pixel = pixel0 + j;
    for (int64_t v = 0; v < kGroups; ++v) tap_masks(*r.g, pixel + 8 * v, pixels - j - 8 * v, masks + v * taps);
    const auto [begin, end] = rows_inside(r, pixel, kPanel);
    copy_rows<false>(r, masks, pixel, 0, begin, panels);
    copy_rows<true>(r, masks, pixel, begin, end, panels);
    copy_rows<false>(r, masks, pixel, end, r.count, panels);
  }
}

// The 8 pixels from `pixel` on of patch rows [q0, q0 + 8), zero for rows past the last.
template <bool kInside>
void load_block(const PatchRows& r, const Mask* masks, int64_t pixel, int64_t q0, __m256 block[8]) {
#pragma GCC unroll 8
  for (int64_t i = 0; i < 8; ++i) {
    const int64_t q = q0 + i;
    block[i] = kInside || q < r.count ? load_run<kInside>(r.image, r.offsets[q] + pixel, masks[r.taps[q]].lanes)
                                      : _mm256_setzero_ps();
  }
}

// B = patches^T: eight pixels of eight patch rows at a time, one run per patch row, transposed into
// eight panel rows, one per pixel.
void pack_transposed(const PatchRows& r, int64_t pixel0, int64_t pixels, float* panels) {
  thread_local std::vector<Mask> mask_buffer;
  Mask* masks = first_of(mask_buffer, r.g->taps());
  const int64_t padded_rows = (r.count + kPanel - 1) / kPanel * kPanel;
  for (int64_t t = 0; t < pixels; t += 8) {
    const int64_t count = std::min<int64_t>(8, pixels - t), pixel = pixel0 + t;
    tap_masks(*r.g, pixel, count, masks);
    const auto [begin, end] = rows_inside(r, pixel, 8);
    for (int64_t q0 = 0; q0 < padded_rows; q0 += 8) {
      __m256 block[8];
      if (q0 >= begin && q0 + 8 <= end) load_block<true>(r, masks, pixel, q0, block);
      else load_block<false>(r, masks, pixel, q0, block);
      transpose8(block);
      float* out = panels + q0 / kPanel * kPanel * pixels + t * kPanel + q0 % kPanel;
      if (count == 8) {
#pragma GCC unroll 8
        for (int64_t i = 0; i < 8; ++i) _mm256_storeu_ps(out + i * kPanel, block[i]);
      } else {
        for (int64_t i = 0; i < count; ++i) _mm256_storeu_ps(out + i * kPanel, block[i]);
      }
    }
  }
}

}  // namespace

// A mask serves one run per channel: with few channels its making costs as much as the copy it
// saves (the first convolution of a CNN, on one channel, ran 1.4-2.7x slower packed this way).
bool conv_patches_suit(const ConvGeometry& g) { return g.has_shifted_planes() && g.channels >= kMinChannels; }

void ConvPatches::pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* panels) const {
  thread_local std::vector<int64_t> offset_buffer, tap_buffer;
  const int64_t patch0 = transposed_ ? col0 : row0, count = transposed_ ? cols : rows;
  const int64_t taps = g_.taps(), plane = g_.height * g_.width;
  int64_t* offsets = first_of(offset_buffer, count);
  int64_t* tap_of = first_of(tap_buffer, count);
  // Tap offsets grow with ki and kj (dilations are positive): the first tap's is the least.
  const int64_t tap_lo = g_.tap_offset(0, 0), tap_hi = g_.tap_offset(g_.kh - 1, g_.kw - 1);
  for (int64_t q = 0, c = patch0 / taps, tap = patch0 % taps; q < count; ++q) {
    offsets[q] = c * plane + g_.tap_offset(tap / g_.kw, tap % g_.kw);
    tap_of[q] = tap;
    if (++tap == taps) tap = 0, ++c;
  }
  const PatchRows r{image_, &g_, patch0, count, offsets, tap_of, tap_lo, tap_hi};
  if (transposed_) pack_transposed(r, first_pixel_ + row0, rows, panels);
  else pack_patches(r, first_pixel_ + col0, cols, panels);
}

}  // namespace accel::cpu

#else  // no sgemm for this ISA: the convolution unrolls its patches with im2col

#include <accel/tensor/error.h>

namespace accel::cpu {
bool conv_patches_suit(const ConvGeometry&) { return false; }
void ConvPatches::pack(int64_t, int64_t, int64_t, int64_t, float*) const {
  ACCEL_FAIL("ConvPatches: this build has no sgemm (see conv_patches_suit())");
}
}  // namespace accel::cpu

#endif
