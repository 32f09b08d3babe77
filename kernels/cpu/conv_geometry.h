#pragma once
// The shape of one group of a 2-D convolution, as the CPU convolution kernels see it (internal).
#include <cstdint>

namespace accel::cpu {

struct ConvGeometry {
  int64_t channels, height, width;  // of one group's input
  int64_t kh, kw, sh, sw, ph, pw, dh, dw;
  int64_t out_h, out_w;

  int64_t taps() const { return kh * kw; }
  int64_t patch_size() const { return channels * kh * kw; }  // k of the convolution's GEMM
  int64_t pixels() const { return out_h * out_w; }

  // A 1x1, stride-1, unpadded convolution: the input's channel block already is the patches matrix.
  bool is_pointwise() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }

  // Stride 1 with output rows as wide as the input's (a "same" convolution, such as 3x3 padded by
  // 1): for tap (ki, kj), the inputs of consecutive output pixels are consecutive elements of the
  // input plane, shifted by tap_offset, except where the tap falls in the padding.
  bool has_shifted_planes() const { return sh == 1 && sw == 1 && out_w == width; }
  int64_t tap_row(int64_t ki) const { return ki * dh - ph; }
  int64_t tap_col(int64_t kj) const { return kj * dw - pw; }
  int64_t tap_offset(int64_t ki, int64_t kj) const { return tap_row(ki) * width + tap_col(kj); }
};

}  // namespace accel::cpu
