// 2-D convolution as im2col + GEMM. For each image (or tile of its output rows) and group, the
// input patches are unrolled into a [C_in/groups * kH * kW, H_out * W_out] matrix of columns, and
//   out_g = weight_g [C_out/groups, C_in/groups * kH * kW] @ columns
// is one GEMM (gemm_block.h) that accumulates onto the bias already written to out_g. A 1x1, stride-1,
// unpadded convolution needs no unrolling: the input's channel block already is that matrix. A
// float32 convolution with shifted planes (conv_geometry.h: stride 1, "same" width, such as 3x3
// padded by 1) and 8 or more input channels per group does not unroll either: sgemm packs its
// panels straight from the image (conv_patches.h). Images (or tiles of output rows) run in
// parallel on our pool, each task with its own columns buffer; each GEMM runs on the thread that
// owns the task.
//
// The gradients are the same GEMMs transposed:
//   input:  columns = weight_g^T @ grad_out_g, then col2im (the adjoint of im2col) adds each
//           column entry back onto the input element it was copied from;
//   weight: grad_weight_g = sum over images of grad_out_g @ columns^T (packed from the image as
//           in the forward pass when it can be).
#include <algorithm>
#include <type_traits>

#include <accel/kernels/cpu/conv_geometry.h>
#include <accel/kernels/cpu/conv_patches.h>
#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/gemm_block.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/kernels/cpu/sgemm.h>

namespace accel::cpu {
namespace {

constexpr int64_t kMinTasks = 16;       // per batch, when splitting images into row tiles
constexpr int64_t kMinTilePixels = 64;  // narrower GEMMs would re-read the weights too often

// Tasks of about 64^3 multiply-adds or more; smaller ones cost more in hand-offs than they save.
int64_t grain_for(double flops_per_task) {
  return static_cast<int64_t>(std::max(1.0, 2.0 * 64 * 64 * 64 / std::max(flops_per_task, 1.0)));
}

// In `rows` rows of a columns row (width apart) of a "same" stride-1 convolution, zeroes the
// columns outside [w0, w1): the entries that a shifted-plane copy wrapped across a row edge. Column
// by column: a memset call per row for one or two values would cost more than the copy.
template <typename T>
void zero_wrapped(T* first, int64_t rows, int64_t width, int64_t w0, int64_t w1) {
  for (int64_t x = 0; x < w0; ++x)
    for (int64_t r = 0; r < rows; ++r) first[r * width + x] = T(0);
  for (int64_t x = w1; x < width; ++x)
    for (int64_t r = 0; r < rows; ++r) first[r * width + x] = T(0);
}

// Rows [oh0, oh1) of the unrolled patches:
//   columns[(c * kH + ki) * kW + kj][(oh - oh0) * W_out + ow]
//     = image[c][oh * sH - pH + ki * dH][ow * sW - pW + kj * dW],
// zero where that falls in the padding.
template <typename T>
void im2col(T* columns, const T* image, const ConvGeometry& g, int64_t oh0, int64_t oh1) {
  // Stride 1 with the output as wide as the input (a "same" convolution): the valid part of a
  // columns row is the image plane shifted by (off_h, off_w), one contiguous copy, after which
  // the entries that wrapped across a row edge are zeroed. Row by row, the copies are only a
  // dozen values long and their overhead is most of im2col's time.
  const bool shifted_plane = g.has_shifted_planes();
  T* dst = columns;
  for (int64_t c = 0; c < g.channels; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t off_h = g.tap_row(ki), off_w = g.tap_col(kj);
        const auto [h0, h1] = in_bounds(off_h, g.sh, g.height, g.out_h);
        const auto [w0, w1] = in_bounds(off_w, g.sw, g.width, g.out_w);
        const T* plane = image + c * g.height * g.width;
        if (shifted_plane) {
          const int64_t r0 = std::clamp(h0, oh0, oh1), r1 = std::clamp(h1, r0, oh1);
          std::fill(dst, dst + (r0 - oh0) * g.out_w, T(0));
          std::fill(dst + (r1 - oh0) * g.out_w, dst + (oh1 - oh0) * g.out_w, T(0));
          if (r0 < r1 && w0 < w1) {
            T* first = dst + (r0 - oh0) * g.out_w;
            std::copy_n(plane + (r0 + off_h) * g.width + w0 + off_w, (r1 - r0 - 1) * g.out_w + (w1 - w0), first + w0);
            zero_wrapped(first, r1 - r0, g.out_w, w0, w1);
          } else {
            std::fill(dst + (r0 - oh0) * g.out_w, dst + (r1 - oh0) * g.out_w, T(0));
          }
          dst += (oh1 - oh0) * g.out_w;
          continue;
        }
        for (int64_t oh = oh0; oh < oh1; ++oh, dst += g.out_w) {
          if (oh < h0 || oh >= h1) {
            std::fill(dst, dst + g.out_w, T(0));
            continue;
          }
          const T* src = plane + (oh * g.sh + off_h) * g.width;
          std::fill(dst, dst + w0, T(0));
          for (int64_t ow = w0; ow < w1; ++ow) dst[ow] = src[ow * g.sw + off_w];
          std::fill(dst + w1, dst + g.out_w, T(0));
        }
      }
    }
  }
}

// The adjoint of im2col over all output rows: image (zeroed by the caller) receives the sum of
// the column entries copied from each of its elements; the padding's entries are dropped. For a
// "same" stride-1 convolution (as in im2col) they are zeroed in place in columns first, so that the
// rest of a columns row is one contiguous add onto the shifted plane.
template <typename T>
void col2im(T* image, T* columns, const ConvGeometry& g) {
  const bool shifted_plane = g.has_shifted_planes();
  T* src = columns;
  for (int64_t c = 0; c < g.channels; ++c) {
    for (int64_t ki = 0; ki < g.kh; ++ki) {
      for (int64_t kj = 0; kj < g.kw; ++kj) {
        const int64_t off_h = g.tap_row(ki), off_w = g.tap_col(kj);
        const auto [h0, h1] = in_bounds(off_h, g.sh, g.height, g.out_h);
        const auto [w0, w1] = in_bounds(off_w, g.sw, g.width, g.out_w);
        if (shifted_plane && h0 < h1 && w0 < w1) {
          T* first = src + h0 * g.out_w;
          const int64_t rows = h1 - h0;
          zero_wrapped(first, rows, g.out_w, w0, w1);
          T* dst = image + (c * g.height + h0 + off_h) * g.width + w0 + off_w;
          const T* from = first + w0;
          for (int64_t i = 0, n = (rows - 1) * g.out_w + (w1 - w0); i < n; ++i) dst[i] += from[i];
          src += g.out_h * g.out_w;
          continue;
        }
        for (int64_t oh = h0; oh < h1; ++oh) {
          T* dst = image + (c * g.height + oh * g.sh + off_h) * g.width;
          const T* row = src + oh * g.out_w;
          for (int64_t ow = w0; ow < w1; ++ow) dst[ow * g.sw + off_w] += row[ow];
        }
        src += g.out_h * g.out_w;
      }
    }
  }
}

// Whether the GEMMs of this convolution read its patches straight from the image (conv_patches.h)
// instead of from im2col's columns: float32 convolutions that conv_patches_suit.
template <typename T>
bool packs_from_image(const ConvGeometry& g) {
  return std::is_same_v<T, float> && !g.is_pointwise() && conv_patches_suit(g);
}

template <typename T>
void conv2d_typed(const Tensor& out, const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const ConvGeometry& g, int64_t groups) {
  const int64_t batch = input.size(0), group_out = weight.size(0) / groups;
  const int64_t depth = g.patch_size(), plane = g.pixels();
  const bool pointwise = g.is_pointwise(), implicit = packs_from_image<T>(g), unrolled = !pointwise && !implicit;
  const T* x = input.data_ptr<T>();
  const T* w = weight.data_ptr<T>();
  const T* b = bias.defined() ? bias.data_ptr<T>() : nullptr;
  T* y = out.data_ptr<T>();

  // A task is one image, or a tile of its output rows when the batch is small: whole images make
  // the largest GEMMs, tiles let a small batch use the threads. The split depends only on the
  // shapes, so results are the same on any number of threads.
  const int64_t tiles_wanted = std::clamp<int64_t>(kMinTasks / std::max<int64_t>(batch, 1), 1, g.out_h);
  const int64_t tile_rows =
      std::max((g.out_h + tiles_wanted - 1) / tiles_wanted, (kMinTilePixels + g.out_w - 1) / g.out_w);
  const int64_t tiles = (g.out_h + tile_rows - 1) / tile_rows;
  const double flops_per_tile = 2.0 * static_cast<double>(groups * group_out * depth * tile_rows * g.out_w);
  parallel_for(0, batch * tiles, grain_for(flops_per_tile), [&](int64_t begin, int64_t end) {
    const Scratch<T> columns(unrolled ? depth * tile_rows * g.out_w : 0);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t n = task / tiles, oh0 = task % tiles * tile_rows, oh1 = std::min(g.out_h, oh0 + tile_rows);
      const int64_t first = oh0 * g.out_w, pixels = (oh1 - oh0) * g.out_w;
      for (int64_t grp = 0; grp < groups; ++grp) {
        const T* image = x + (n * groups + grp) * g.channels * g.height * g.width;
        T* yg = y + (n * groups + grp) * group_out * plane + first;
        if (b) {
          for (int64_t r = 0; r < group_out; ++r) std::fill_n(yg + r * plane, pixels, b[grp * group_out + r]);
        }
        const Strided<T> wg{w + grp * group_out * depth, depth, 1};
        if constexpr (std::is_same_v<T, float>) {
          if (implicit) {
            const ConvPatches patches(image, g, first, ConvPatches::As::kPatches);
            sgemm(group_out, pixels, depth, 1.0f, wg, patches, b ? 1.0f : 0.0f, yg, plane);
            continue;
          }
        }
        if (unrolled) im2col(columns.data(), image, g, oh0, oh1);
        const Strided<T> cols{pointwise ? image + first : columns.data(), pointwise ? plane : pixels, 1};
        gemm_block<T>(group_out, pixels, depth, T(1), wg, cols, b ? T(1) : T(0), yg, plane);
      }
    }
  });
}

// One task per (image, group): each writes its own block of grad_input, so no reduction is needed.
template <typename T>
void conv2d_backward_input_typed(const Tensor& grad_input, const Tensor& grad_output, const Tensor& weight,
                                 const ConvGeometry& g, int64_t groups) {
  const int64_t batch = grad_input.size(0), group_out = weight.size(0) / groups;
  const int64_t depth = g.patch_size(), plane = g.pixels();
  const int64_t image_size = g.channels * g.height * g.width;
  const bool pointwise = g.is_pointwise();
  const T* dy = grad_output.data_ptr<T>();
  const T* w = weight.data_ptr<T>();
  T* dx = grad_input.data_ptr<T>();
  // Each group's weight transposed into a row-major [depth, group_out] matrix, once: the GEMM reads
  // a row-major A in place, where it would pack the transposed view again for every image.
  const Scratch<T> transposed(groups * depth * group_out);
  for (int64_t grp = 0; grp < groups; ++grp) {
    const T* wg = w + grp * group_out * depth;
    T* tg = transposed.data() + grp * depth * group_out;
    for (int64_t o = 0; o < group_out; ++o)
      for (int64_t d = 0; d < depth; ++d) tg[d * group_out + o] = wg[o * depth + d];
  }
  const double flops = 2.0 * static_cast<double>(group_out * depth * plane);
  parallel_for(0, batch * groups, grain_for(flops), [&](int64_t begin, int64_t end) {
    const Scratch<T> columns(pointwise ? 0 : depth * plane);
    for (int64_t task = begin; task < end; ++task) {  // task = n * groups + grp
      T* image = dx + task * image_size;
      const Strided<T> wg_transposed{transposed.data() + task % groups * depth * group_out, group_out, 1};
      gemm_block<T>(depth, plane, group_out, T(1), wg_transposed, {dy + task * group_out * plane, plane, 1}, T(0),
                    pointwise ? image : columns.data(), plane);
      if (pointwise) continue;
      std::fill(image, image + image_size, T(0));
      col2im(image, columns.data(), g);
    }
  });
}

// Images are summed in fixed chunks (the chunking depends only on the batch size), each chunk
// into its own partial gradient, and the partials are added in chunk order: the result is the
// same on any number of threads.
constexpr int64_t kWeightChunks = 16;

template <typename T>
void conv2d_backward_weight_typed(const Tensor& grad_weight, const Tensor& grad_output, const Tensor& input,
                                  const ConvGeometry& g, int64_t groups) {
  const int64_t batch = input.size(0), group_out = grad_weight.size(0) / groups;
  const int64_t depth = g.patch_size(), plane = g.pixels();
  const int64_t weight_size = grad_weight.numel(), image_size = g.channels * g.height * g.width;
  const bool pointwise = g.is_pointwise(), implicit = packs_from_image<T>(g), unrolled = !pointwise && !implicit;
  const T* x = input.data_ptr<T>();
  const T* dy = grad_output.data_ptr<T>();
  T* dw = grad_weight.data_ptr<T>();
  if (batch == 0) {
    std::fill(dw, dw + weight_size, T(0));
    return;
  }

  const int64_t chunk = (batch + kWeightChunks - 1) / kWeightChunks, chunks = (batch + chunk - 1) / chunk;
  const Scratch<T> partials(chunks == 1 ? 0 : chunks * weight_size);
  const double flops = 2.0 * static_cast<double>(groups * group_out * depth * plane * chunk);
  parallel_for(0, chunks, grain_for(flops), [&](int64_t begin, int64_t end) {
    const Scratch<T> columns(unrolled ? depth * plane : 0);
    for (int64_t k = begin; k < end; ++k) {
      T* partial = chunks == 1 ? dw : partials.data() + k * weight_size;
      for (int64_t n = k * chunk; n < std::min(batch, (k + 1) * chunk); ++n) {
        for (int64_t grp = 0; grp < groups; ++grp) {
          const T* image = x + (n * groups + grp) * image_size;
          const Strided<T> dy_g{dy + (n * groups + grp) * group_out * plane, plane, 1};
          const T beta = n == k * chunk ? T(0) : T(1);
          T* dw_g = partial + grp * group_out * depth;
          if constexpr (std::is_same_v<T, float>) {
            if (implicit) {
              const ConvPatches patches_transposed(image, g, 0, ConvPatches::As::kTransposed);
              sgemm(group_out, depth, plane, 1.0f, dy_g, patches_transposed, beta, dw_g, depth);
              continue;
            }
          }
          if (unrolled) im2col(columns.data(), image, g, 0, g.out_h);
          const Strided<T> cols_transposed{pointwise ? image : columns.data(), 1, plane};
          gemm_block<T>(group_out, depth, plane, T(1), dy_g, cols_transposed, beta, dw_g, depth);
        }
      }
    }
  });
  if (chunks == 1) return;
  const T* sums = partials.data();
  parallel_for(0, weight_size, kGrainSize / chunks, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T sum = sums[i];
      for (int64_t k = 1; k < chunks; ++k) sum += sums[k * weight_size + i];
      dw[i] = sum;
    }
  });
}

ConvGeometry geometry(const Tensor& input, IntArrayRef kernel_hw, const Tensor& output, IntArrayRef stride,
                  IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  return {.channels = input.size(1) / groups, .height = input.size(2), .width = input.size(3),
          .kh = kernel_hw[0], .kw = kernel_hw[1], .sh = stride[0], .sw = stride[1],
          .ph = padding[0], .pw = padding[1], .dh = dilation[0], .dw = dilation[1],
          .out_h = output.size(2), .out_w = output.size(3)};
}

}  // namespace

void CpuBackend::conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Tensor& bias,
                        IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  if (computes_in_float32(input.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    conv2d(out32, float32_copy(input), float32_copy(weight), float32_copy(bias), stride, padding, dilation, groups);
    copy_back({{&out, &out32}});
    return;
  }
  const Tensor x = input.contiguous(), w = weight.contiguous(), b = contiguous_if_defined(bias);
  const ConvGeometry g = geometry(x, {w.size(2), w.size(3)}, out, stride, padding, dilation, groups);
  dispatch_floating(x.dtype(), "conv2d", [&]<typename T>() { conv2d_typed<T>(out, x, w, b, g, groups); });
}

void CpuBackend::conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_output, const Tensor& weight,
                                       IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  if (computes_in_float32(grad_input.dtype())) {
    const Tensor grad32 = empty(grad_input.sizes(), {.dtype = kFloat32});
    conv2d_backward_input(grad32, float32_copy(grad_output), float32_copy(weight), stride, padding, dilation, groups);
    copy_back({{&grad_input, &grad32}});
    return;
  }
  const Tensor dy = grad_output.contiguous(), w = weight.contiguous();
  const ConvGeometry g = geometry(grad_input, {w.size(2), w.size(3)}, dy, stride, padding, dilation, groups);
  dispatch_floating(dy.dtype(), "conv2d_backward_input",
           [&]<typename T>() { conv2d_backward_input_typed<T>(grad_input, dy, w, g, groups); });
}

void CpuBackend::conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_output, const Tensor& input,
                                        IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation,
                                        int64_t groups) {
  if (computes_in_float32(grad_weight.dtype())) {
    const Tensor grad32 = empty(grad_weight.sizes(), {.dtype = kFloat32});
    conv2d_backward_weight(grad32, float32_copy(grad_output), float32_copy(input), stride, padding, dilation, groups);
    copy_back({{&grad_weight, &grad32}});
    return;
  }
  const Tensor dy = grad_output.contiguous(), x = input.contiguous();
  const ConvGeometry g =
      geometry(x, {grad_weight.size(2), grad_weight.size(3)}, dy, stride, padding, dilation, groups);
  dispatch_floating(dy.dtype(), "conv2d_backward_weight",
           [&]<typename T>() { conv2d_backward_weight_typed<T>(grad_weight, dy, x, g, groups); });
}

}  // namespace accel::cpu
