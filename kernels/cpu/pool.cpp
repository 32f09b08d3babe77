// 2-D max, average and adaptive average pooling of NCHW input (made contiguous). Each (n, c)
// plane is an independent task. Every window is clipped to the input before its loops run, so
// the loops touch only real elements and carry no bounds checks; the padding never contributes
// (it is -inf for max pooling and counts only in the divisor of average pooling).
// The backward kernels are the adjoints, one plane per task as well: each plane of grad_input
// receives only its own plane's gradients, in a fixed order, so no reduction crosses threads.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

struct Planes {
  int64_t count, height, width, out_h, out_w;

  Planes(const Tensor& input, const Tensor& out)
      : count(input.size(0) * input.size(1)), height(input.size(2)), width(input.size(3)),
        out_h(out.size(2)), out_w(out.size(3)) {}

  // Calls fn(p) for every plane p, in parallel when the planes hold enough work.
  template <typename F>
  void for_each(int64_t work_per_output, F&& fn) const {
    const int64_t work = std::max<int64_t>(1, out_h * out_w * work_per_output);
    parallel_for(0, count, std::max<int64_t>(1, kGrainSize / work), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) fn(p);
    });
  }
};

// The taps [first, last) of each output's window along one axis that fall inside the input, worked
// out once per call rather than (with two integer divisions) per output.
std::vector<std::pair<int64_t, int64_t>> window_taps(int64_t outputs, int64_t kernel, int64_t stride, int64_t padding,
                                                     int64_t dilation, int64_t size) {
  std::vector<std::pair<int64_t, int64_t>> taps(static_cast<size_t>(outputs));
  for (int64_t o = 0; o < outputs; ++o) taps[o] = in_bounds(o * stride - padding, dilation, size, kernel);
  return taps;
}

// Ties keep the first element in row-major order; a NaN wins (and the last NaN seen), as in PyTorch.
// Compared with a select rather than a branch: on real activations the outcome is unpredictable.
template <typename T>
inline void keep_max(T v, int64_t at, T& best, int64_t& best_at) {
  const bool take = v > best || v != v;
  best = take ? v : best;
  best_at = take ? at : best_at;
}

// When every window lies wholly inside the input (no padding reached, the usual case), one output
// row is computed tap by tap: for each tap, a pass over the row's outputs, a loop of selects
// without branches that the compiler vectorises.
template <typename T>
void max_pool_row_full_windows(const T* plane, int64_t width, int64_t h_start, int64_t out_w, IntArrayRef kernel,
                               IntArrayRef stride, IntArrayRef dilation, T* y, int64_t* idx) {
  for (int64_t i = 0; i < kernel[0]; ++i) {
    const int64_t row = (h_start + i * dilation[0]) * width;
    for (int64_t j = 0; j < kernel[1]; ++j) {
      const T* x = plane + row + j * dilation[1];
      const int64_t first = row + j * dilation[1];
      if (i == 0 && j == 0) {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          y[ow] = x[ow * stride[1]];
          if (idx) idx[ow] = first + ow * stride[1];
        }
      } else if (idx) {
        for (int64_t ow = 0; ow < out_w; ++ow) keep_max(x[ow * stride[1]], first + ow * stride[1], y[ow], idx[ow]);
      } else {
        for (int64_t ow = 0; ow < out_w; ++ow) {
          const T v = x[ow * stride[1]];
          y[ow] = v > y[ow] || v != v ? v : y[ow];
        }
      }
    }
  }
}

#if defined(__AVX2__)
// The first n (<= 8) lanes of v at dst, by halves: a masked store is microcoded on AMD's cores, and a
// store to a buffer that is then copied stalls the copy's loads until the store completes.
void store_first(int64_t n, __m256 v, float* dst) {
  if (n == 8) return _mm256_storeu_ps(dst, v);
  __m128 part = _mm256_castps256_ps128(v);
  if (n >= 4) _mm_storeu_ps(dst, part), part = _mm256_extractf128_ps(v, 1), dst += 4, n -= 4;
  if (n >= 2) _mm_storel_pi(reinterpret_cast<__m64*>(dst), part), part = _mm_movehl_ps(part, part), dst += 2, n -= 2;
  if (n == 1) _mm_store_ss(dst, part);
}

// The same for the eight int64 lanes of (low, high).
void store_first(int64_t n, __m256i low, __m256i high, int64_t* dst) {
  if (n >= 4) {  // the low four lanes whole; the high ones are then what is left
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), low);
    low = high, dst += 4, n -= 4;
  }
  if (n == 4) return _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), low);
  __m128i part = _mm256_castsi256_si128(low);
  if (n >= 2) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), part);
    part = _mm256_extracti128_si256(low, 1), dst += 2, n -= 2;
  }
  if (n == 1) _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), part);
}

// 2x2 windows with stride 2 for float, 8 outputs at a time: the even and odd lanes of two input rows
// are a window's four candidates, compared in row-major order as keep_max does, with the offset
// of the one kept (0, 1, width or width + 1) carried in an integer vector. A row's last outputs
// are loaded under a mask, so rows narrower than 8 outputs (a 14 x 14 input) vectorise too.
void max_pool_row_2x2_avx2(const float* top, int64_t top_at, int64_t width, int64_t out_w, float* y,
                           int64_t* idx) {
  const float* bottom = top + width;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const auto w = static_cast<int32_t>(width);
  const __m256i offsets[4] = {_mm256_set1_epi32(0), _mm256_set1_epi32(1), _mm256_set1_epi32(w),
                              _mm256_set1_epi32(w + 1)};
  for (int64_t ow = 0; ow < out_w; ow += 8) {
    const int64_t n = std::min<int64_t>(8, out_w - ow);
    // Lanes of the first and second 8 inputs, and of the outputs, that exist.
    const __m256i first = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(2 * n)), lane);
    const __m256i second = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(2 * n - 8)), lane);
    const auto load = [&](const float* p, __m256i mask) {
      return n == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
    };
    const __m256 t0 = load(top + 2 * ow, first), t1 = load(top + 2 * ow + 8, second);
    const __m256 b0 = load(bottom + 2 * ow, first), b1 = load(bottom + 2 * ow + 8, second);
    // Even and odd lanes, in the output order 0, 1, 4, 5, 2, 3, 6, 7 (put right after the compares).
    const __m256 candidates[4] = {_mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)),
                                  _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)),
                                  _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1))};
    __m256 best = candidates[0];
    __m256 kept = _mm256_castsi256_ps(offsets[0]);
    for (int k = 1; k < 4; ++k) {
      const __m256 v = candidates[k];
      const __m256 take = _mm256_or_ps(_mm256_cmp_ps(v, best, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      best = _mm256_blendv_ps(best, v, take);
      kept = _mm256_blendv_ps(kept, _mm256_castsi256_ps(offsets[k]), take);
    }
    const auto in_order = [](__m256 v) {
      return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
    };
    store_first(n, in_order(best), y + ow);
    if (!idx) continue;
    // index = top_at + 2 * (ow + lane) + offset, widened to int64 four lanes at a time.
    const __m256i at = _mm256_add_epi32(_mm256_castps_si256(in_order(kept)), _mm256_add_epi32(lane, lane));
    const __m256i base = _mm256_set1_epi64x(top_at + 2 * ow);
    store_first(n, _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(at))),
                _mm256_add_epi64(base, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(at, 1))), idx + ow);
  }
}
#endif

// The CNN's pooling (2x2 windows, stride 2, inside the input): each output's four candidates are
// compared in registers, in row-major order (on AVX2 builds, float rows take the vector loop above).
template <typename T>
void max_pool_row_2x2(const T* top, int64_t top_at, int64_t width, int64_t out_w, T* y, int64_t* idx) {
#if defined(__AVX2__)
  if constexpr (std::is_same_v<T, float>) return max_pool_row_2x2_avx2(top, top_at, width, out_w, y, idx);
#endif
  const T* bottom = top + width;
  for (int64_t ow = 0; ow < out_w; ++ow) {
    T best = top[2 * ow];
    int64_t best_at = top_at + 2 * ow;
    keep_max(top[2 * ow + 1], top_at + 2 * ow + 1, best, best_at);
    keep_max(bottom[2 * ow], top_at + width + 2 * ow, best, best_at);
    keep_max(bottom[2 * ow + 1], top_at + width + 2 * ow + 1, best, best_at);
    y[ow] = best;
    if (idx) idx[ow] = best_at;
  }
}

template <typename T>
void max_pool_typed(const Tensor& out, const Tensor& indices, const Tensor& input, IntArrayRef kernel,
                    IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation) {
  const Planes g(input, out);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  int64_t* idx = indices.defined() ? indices.data_ptr<int64_t>() : nullptr;
  const auto rows = window_taps(g.out_h, kernel[0], stride[0], padding[0], dilation[0], g.height);
  const auto cols = window_taps(g.out_w, kernel[1], stride[1], padding[1], dilation[1], g.width);
  const auto full = [](const auto& taps, int64_t k) {
    return std::all_of(taps.begin(), taps.end(), [k](const auto& t) { return t.first == 0 && t.second == k; });
  };
  const bool full_windows = full(rows, kernel[0]) && full(cols, kernel[1]);
  const bool two_by_two = full_windows && kernel[0] == 2 && kernel[1] == 2 && stride[0] == 2 && stride[1] == 2 &&
                          dilation[0] == 1 && dilation[1] == 1;
  g.for_each(kernel[0] * kernel[1], [&](int64_t p) {
    const T* plane = x + p * g.height * g.width;
    const int64_t o = p * g.out_h * g.out_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t h_start = oh * stride[0] - padding[0];
      if (two_by_two) {
        max_pool_row_2x2(plane + h_start * g.width, h_start * g.width, g.width, g.out_w, y + o + oh * g.out_w,
                         idx ? idx + o + oh * g.out_w : nullptr);
        continue;
      }
      if (full_windows) {
        max_pool_row_full_windows(plane, g.width, h_start, g.out_w, kernel, stride, dilation, y + o + oh * g.out_w,
                                  idx ? idx + o + oh * g.out_w : nullptr);
        continue;
      }
      const auto [i0, i1] = rows[oh];
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t w_start = ow * stride[1] - padding[1];
        const auto [j0, j1] = cols[ow];
        T best = -std::numeric_limits<T>::infinity();
        int64_t best_at = (h_start + i0 * dilation[0]) * g.width + w_start + j0 * dilation[1];
        for (int64_t i = i0; i < i1; ++i) {
          const int64_t row = (h_start + i * dilation[0]) * g.width + w_start;
          for (int64_t j = j0; j < j1; ++j) keep_max(plane[row + j * dilation[1]], row + j * dilation[1], best, best_at);
        }
        y[o + oh * g.out_w + ow] = best;
        if (idx) idx[o + oh * g.out_w + ow] = best_at;
      }
    }
  });
}

// The input rows [h0, h1) and columns [w0, w1) of output (oh, ow)'s window, clipped to the input,
// and its divisor. A window may run past the padded input (ceil_mode): count_include_pad then counts
// only the part inside the padded bounds, as PyTorch does.
struct AvgWindow {
  int64_t h0, h1, w0, w1, count;
  bool empty() const { return h0 >= h1 || w0 >= w1; }
};

AvgWindow avg_window(const Planes& g, int64_t oh, int64_t ow, IntArrayRef kernel, IntArrayRef stride,
                     IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) {
  const int64_t h_start = oh * stride[0] - padding[0], w_start = ow * stride[1] - padding[1];
  const int64_t h_end = std::min(h_start + kernel[0], g.height + padding[0]);
  const int64_t w_end = std::min(w_start + kernel[1], g.width + padding[1]);
  AvgWindow win{std::max<int64_t>(h_start, 0), std::min(h_end, g.height), std::max<int64_t>(w_start, 0),
                std::min(w_end, g.width), 0};
  win.count = divisor             ? *divisor
              : count_include_pad ? (h_end - h_start) * (w_end - w_start)
                                  : (win.h1 - win.h0) * (win.w1 - win.w0);
  return win;
}

template <typename T>
void avg_pool_typed(const Tensor& out, const Tensor& input, IntArrayRef kernel, IntArrayRef stride,
                    IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) {
  const Planes g(input, out);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  g.for_each(kernel[0] * kernel[1], [&](int64_t p) {
    const T* plane = x + p * g.height * g.width;
    T* o = y + p * g.out_h * g.out_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const AvgWindow win = avg_window(g, oh, ow, kernel, stride, padding, count_include_pad, divisor);
        if (win.empty()) {
          o[oh * g.out_w + ow] = 0;
          continue;
        }
        T sum = 0;
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) sum += plane[h * g.width + w];
        o[oh * g.out_w + ow] = sum / static_cast<T>(win.count);
      }
    }
  });
}

// Output cell i covers input rows [floor(i * H / H_out), ceil((i + 1) * H / H_out)).
template <typename T>
void adaptive_avg_pool_typed(const Tensor& out, const Tensor& input) {
  const Planes g(input, out);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const int64_t cell = ((g.height + g.out_h - 1) / std::max<int64_t>(g.out_h, 1) + 1) *
                       ((g.width + g.out_w - 1) / std::max<int64_t>(g.out_w, 1) + 1);
  g.for_each(cell, [&](int64_t p) {
    const T* plane = x + p * g.height * g.width;
    T* o = y + p * g.out_h * g.out_w;
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t h0 = oh * g.height / g.out_h, h1 = ((oh + 1) * g.height + g.out_h - 1) / g.out_h;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t w0 = ow * g.width / g.out_w, w1 = ((ow + 1) * g.width + g.out_w - 1) / g.out_w;
        T sum = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) sum += plane[h * g.width + w];
        o[oh * g.out_w + ow] = sum / static_cast<T>(h1 - h0) / static_cast<T>(w1 - w0);
      }
    }
  });
}

template <typename T>
void max_pool_backward_typed(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices) {
  const Planes g(grad_input, grad_output);
  const T* dy = grad_output.data_ptr<T>();
  const int64_t* idx = indices.data_ptr<int64_t>();
  T* dx = grad_input.data_ptr<T>();
  g.for_each(1, [&](int64_t p) {
    T* plane = dx + p * g.height * g.width;
    std::fill(plane, plane + g.height * g.width, T(0));
    for (int64_t o = p * g.out_h * g.out_w; o < (p + 1) * g.out_h * g.out_w; ++o) plane[idx[o]] += dy[o];
  });
}

// Every input element of an output's window receives that output's gradient over its divisor;
// windows and divisors as in avg_pool_typed.
template <typename T>
void avg_pool_backward_typed(const Tensor& grad_input, const Tensor& grad_output, IntArrayRef kernel,
                             IntArrayRef stride, IntArrayRef padding, bool count_include_pad,
                             std::optional<int64_t> divisor) {
  const Planes g(grad_input, grad_output);
  const T* dy = grad_output.data_ptr<T>();
  T* dx = grad_input.data_ptr<T>();
  g.for_each(kernel[0] * kernel[1], [&](int64_t p) {
    T* plane = dx + p * g.height * g.width;
    const T* o = dy + p * g.out_h * g.out_w;
    std::fill(plane, plane + g.height * g.width, T(0));
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const AvgWindow win = avg_window(g, oh, ow, kernel, stride, padding, count_include_pad, divisor);
        if (win.empty()) continue;
        const T share = o[oh * g.out_w + ow] / static_cast<T>(win.count);
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) plane[h * g.width + w] += share;
      }
    }
  });
}

template <typename T>
void adaptive_avg_pool_backward_typed(const Tensor& grad_input, const Tensor& grad_output) {
  const Planes g(grad_input, grad_output);
  const T* dy = grad_output.data_ptr<T>();
  T* dx = grad_input.data_ptr<T>();
  const int64_t cell = ((g.height + g.out_h - 1) / std::max<int64_t>(g.out_h, 1) + 1) *
                       ((g.width + g.out_w - 1) / std::max<int64_t>(g.out_w, 1) + 1);
  g.for_each(cell, [&](int64_t p) {
    T* plane = dx + p * g.height * g.width;
    const T* o = dy + p * g.out_h * g.out_w;
    std::fill(plane, plane + g.height * g.width, T(0));
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t h0 = oh * g.height / g.out_h, h1 = ((oh + 1) * g.height + g.out_h - 1) / g.out_h;
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        const int64_t w0 = ow * g.width / g.out_w, w1 = ((ow + 1) * g.width + g.out_w - 1) / g.out_w;
        const T share = o[oh * g.out_w + ow] / static_cast<T>(h1 - h0) / static_cast<T>(w1 - w0);
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) plane[h * g.width + w] += share;
      }
    }
  });
}

}  // namespace

void CpuBackend::max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& input, IntArrayRef kernel,
                            IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation) {
  if (computes_in_float32(input.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    max_pool2d(out32, indices, float32_copy(input), kernel, stride, padding, dilation);
    copy_back({{&out, &out32}});
    return;
  }
  const Tensor x = input.contiguous();
  dispatch_floating(x.dtype(), "max_pool2d",
           [&]<typename T>() { max_pool_typed<T>(out, indices, x, kernel, stride, padding, dilation); });
}

void CpuBackend::avg_pool2d(const Tensor& out, const Tensor& input, IntArrayRef kernel, IntArrayRef stride,
                            IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) {
  if (computes_in_float32(input.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    avg_pool2d(out32, float32_copy(input), kernel, stride, padding, count_include_pad, divisor);
    copy_back({{&out, &out32}});
    return;
  }
  const Tensor x = input.contiguous();
  dispatch_floating(x.dtype(), "avg_pool2d",
           [&]<typename T>() { avg_pool_typed<T>(out, x, kernel, stride, padding, count_include_pad, divisor); });
}

void CpuBackend::adaptive_avg_pool2d(const Tensor& out, const Tensor& input) {
  if (computes_in_float32(input.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    adaptive_avg_pool2d(out32, float32_copy(input));
    copy_back({{&out, &out32}});
    return;
  }
  const Tensor x = input.contiguous();
  dispatch_floating(x.dtype(), "adaptive_avg_pool2d", [&]<typename T>() { adaptive_avg_pool_typed<T>(out, x); });
}

void CpuBackend::max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices) {
  if (computes_in_float32(grad_input.dtype())) {
    const Tensor grad32 = empty(grad_input.sizes(), {.dtype = kFloat32});
    max_pool2d_backward(grad32, float32_copy(grad_output), indices);
    copy_back({{&grad_input, &grad32}});
    return;
  }
  const Tensor dy = grad_output.contiguous(), idx = indices.contiguous();
  dispatch_floating(dy.dtype(), "max_pool2d_backward",
           [&]<typename T>() { max_pool_backward_typed<T>(grad_input, dy, idx); });
}

void CpuBackend::avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, IntArrayRef kernel,
                                     IntArrayRef stride, IntArrayRef padding, bool count_include_pad,
                                     std::optional<int64_t> divisor) {
  if (computes_in_float32(grad_input.dtype())) {
    const Tensor grad32 = empty(grad_input.sizes(), {.dtype = kFloat32});
    avg_pool2d_backward(grad32, float32_copy(grad_output), kernel, stride, padding, count_include_pad, divisor);
    copy_back({{&grad_input, &grad32}});
    return;
  }
  const Tensor dy = grad_output.contiguous();
  dispatch_floating(dy.dtype(), "avg_pool2d_backward", [&]<typename T>() {
    avg_pool_backward_typed<T>(grad_input, dy, kernel, stride, padding, count_include_pad, divisor);
  });
}

void CpuBackend::adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output) {
  if (computes_in_float32(grad_input.dtype())) {
    const Tensor grad32 = empty(grad_input.sizes(), {.dtype = kFloat32});
    adaptive_avg_pool2d_backward(grad32, float32_copy(grad_output));
    copy_back({{&grad_input, &grad32}});
    return;
  }
  const Tensor dy = grad_output.contiguous();
  dispatch_floating(dy.dtype(), "adaptive_avg_pool2d_backward",
           [&]<typename T>() { adaptive_avg_pool_backward_typed<T>(grad_input, dy); });
}

}  // namespace accel::cpu
