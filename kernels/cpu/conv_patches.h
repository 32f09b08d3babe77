#pragma once
// A convolution's unrolled patches as sgemm's B operand, packed straight from the image (an
// implicit GEMM). im2col writes the patches of an image as a matrix,
//   patches[p][j] = image[c][oh + tap_row(ki)][ow + tap_col(kj)], zero where that is padding,
//   for patch row p = (c * kH + ki) * kW + kj and output pixel j = oh * W_out + ow,
// which sgemm then reads again to pack it into panels: two passes over a matrix kH * kW times the
// size of the image. For convolutions with shifted planes (conv_geometry.h), a patch row's run of
// consecutive pixels is a run of the image plane, so the panels are loaded straight from the
// image, under a mask that zeroes what falls in the padding, and the matrix is never written.
#include <cstdint>

#include <accel/kernels/cpu/conv_geometry.h>
#include <accel/kernels/cpu/sgemm.h>

namespace accel::cpu {

// True when ConvPatches can stand for this convolution's patches and is the faster way to them:
// its geometry has shifted planes, it has enough input channels per group, and this build has sgemm.
bool conv_patches_suit(const ConvGeometry& g);

class ConvPatches final : public PanelSource {
 public:
  enum class As {
    kPatches,     // B = patches [patch_size, pixels]: the forward product weight @ patches
    kTransposed,  // B = patches^T [pixels, patch_size]: the weight gradient grad_output @ patches^T
  };

  // The patches of `image` (one group's channels) for the output pixels from first_pixel on.
  ConvPatches(const float* image, const ConvGeometry& g, int64_t first_pixel, As layout)
      : image_(image), g_(g), first_pixel_(first_pixel), transposed_(layout == As::kTransposed) {}

  void pack(int64_t row0, int64_t rows, int64_t col0, int64_t cols, float* panels) const override;

 private:
  const float* image_;
  ConvGeometry g_;
  int64_t first_pixel_;
  bool transposed_;
};

}  // namespace accel::cpu
