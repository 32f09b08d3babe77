// Batch, layer and group normalisation. Statistics take two passes: the mean, then the squared
// deviations from it (corrected two-pass, so a large mean against a small spread costs nothing).
// Each pass sums short blocks in the input type with Eigen's vectorised reductions, which keeps
// their rounding to a few ulps, and accumulates the block sums in double: as accurate as summing
// in double (to ~1e-7 relative for float32) at the speed of float arithmetic.
// Normalising is y = (x - mean) * scale + shift per element, where scale and shift fold invstd,
// weight and bias together. (PyTorch computes x * scale + (shift - mean * scale), which loses the
// low digits of a large mean in float32; subtracting first keeps them.)
// Batch norm runs channels in parallel, layer norm rows, group norm (sample, group) blocks.
//
// Backward: with xhat = (x - mean) * invstd over the M elements sharing a mean, and g = dy * weight,
//   dx = invstd * (g - sum(g) / M - xhat * sum(g * xhat) / M),
// computed as dx = dy * a + (x - mean) * b + d from the two sums sum(dy) and sum(dy * (x - mean))
// per channel (or row), which also give grad_bias and grad_weight. Those sums are taken like the
// statistics (block sums in the input type, added in double); layer norm's weight and bias
// gradients sum over rows, per column, in double. Every sum is one task's, in a fixed order.
#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

template <typename T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

template <typename T>
Eigen::Map<const Array<T>> segment(const T* p, int64_t n) {
  return {p, n};
}

int64_t grain_for(int64_t elements_per_task) {
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, elements_per_task));
}

struct Moments {
  double mean;
  double variance;  // biased: the sum of squared deviations over the count
  double sum_sq;    // that sum itself
};

// Calls f(block) over [p, p + n) in blocks of at most kBlock elements.
constexpr int64_t kBlock = 256;
template <typename T, typename F>
void for_each_block(const T* p, int64_t n, F&& f) {
  for (int64_t i = 0; i < n; i += kBlock) f(segment(p + i, std::min(kBlock, n - i)));
}

// Over `count` segments of `length` elements, the first at p and each `step` after the last.
template <typename T>
Moments moments(const T* p, int64_t count, int64_t step, int64_t length) {
  const double n = static_cast<double>(count * length);
  double sum = 0;
  for (int64_t i = 0; i < count; ++i)
    for_each_block(p + i * step, length, [&](const auto& block) { sum += block.sum(); });
  const double mean = sum / n;
  // Deviations from the mean rounded to T; the correction removes what that rounding adds.
  const auto rounded = static_cast<T>(mean);
  double dev = 0, dev_sq = 0;
  for (int64_t i = 0; i < count; ++i)
    for_each_block(p + i * step, length, [&](const auto& block) {
      dev += (block - rounded).sum();
      dev_sq += (block - rounded).square().sum();
    });
  const double sum_sq = std::max(0.0, dev_sq - dev * dev / n);
  return {mean, sum_sq / n, sum_sq};
}

template <typename T>
void normalize(T* y, const T* x, int64_t n, double mean, double scale, double shift) {
  Eigen::Map<Array<T>>(y, n) = (segment(x, n) - static_cast<T>(mean)) * static_cast<T>(scale) + static_cast<T>(shift);
}

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

template <typename T>
void batch_norm_typed(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& input,
                      const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                      const Tensor& running_var, bool training, double momentum, double eps) {
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t spatial = input.numel() / (batch * channels);
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  const T* b = data_or_null<T>(bias);
  // Running stats are updated in place, so they keep whatever stride they have.
  T* rm = running_mean.defined() ? running_mean.data_ptr<T>() : nullptr;
  T* rv = running_var.defined() ? running_var.data_ptr<T>() : nullptr;
  const int64_t rm_stride = rm ? running_mean.stride(0) : 0, rv_stride = rv ? running_var.stride(0) : 0;
  T* sm = save_mean.defined() ? save_mean.data_ptr<T>() : nullptr;
  T* si = save_invstd.defined() ? save_invstd.data_ptr<T>() : nullptr;

  parallel_for(0, channels, grain_for(batch * spatial), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      const T* xc = x + c * spatial;
      double mean, invstd;
      if (training) {
        const Moments m = moments(xc, batch, channels * spatial, spatial);
        mean = m.mean;
        invstd = 1 / std::sqrt(m.variance + eps);
        if (rm) rm[c * rm_stride] = static_cast<T>((1 - momentum) * rm[c * rm_stride] + momentum * mean);
        if (rv) {
          const double unbiased = m.sum_sq / static_cast<double>(batch * spatial - 1);
          rv[c * rv_stride] = static_cast<T>((1 - momentum) * rv[c * rv_stride] + momentum * unbiased);
        }
      } else {
        mean = rm[c * rm_stride];
        invstd = 1 / std::sqrt(static_cast<double>(rv[c * rv_stride]) + eps);
      }
      if (sm) sm[c] = static_cast<T>(mean);
      if (si) si[c] = static_cast<T>(invstd);
      const double scale = invstd * (w ? w[c] : 1), shift = b ? b[c] : 0;
      for (int64_t n = 0; n < batch; ++n)
        normalize(y + (n * channels + c) * spatial, xc + n * channels * spatial, spatial, mean, scale, shift);
    }
  });
}

template <typename T>
void layer_norm_typed(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& input,
                      const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t rows = mean.numel(), cols = input.numel() / rows;
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  T* mp = mean.data_ptr<T>();
  T* rp = rstd.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  const T* b = data_or_null<T>(bias);
  parallel_for(0, rows, grain_for(cols), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const Moments m = moments(x + r * cols, 1, cols, cols);
      const double inv = 1 / std::sqrt(m.variance + eps);
      mp[r] = static_cast<T>(m.mean);
      rp[r] = static_cast<T>(inv);
      const auto normed = (segment(x + r * cols, cols) - static_cast<T>(m.mean)) * static_cast<T>(inv);
      Eigen::Map<Array<T>> yr(y + r * cols, cols);
      if (w && b) yr = normed * segment(w, cols) + segment(b, cols);
      else if (w) yr = normed * segment(w, cols);
      else if (b) yr = normed + segment(b, cols);
      else yr = normed;
    }
  });
}

template <typename T>
void group_norm_typed(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& input,
                      const Tensor& weight, const Tensor& bias, int64_t groups, double eps) {
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t spatial = input.numel() / (batch * channels), group_channels = channels / groups;
  const int64_t group_size = group_channels * spatial;
  const T* x = input.data_ptr<T>();
  T* y = out.data_ptr<T>();
  T* mp = mean.data_ptr<T>();
  T* rp = rstd.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  const T* b = data_or_null<T>(bias);
  parallel_for(0, batch * groups, grain_for(group_size), [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {  // task = n * groups + g: a contiguous block
      const T* xg = x + task * group_size;
      const Moments m = moments(xg, 1, group_size, group_size);
      const double inv = 1 / std::sqrt(m.variance + eps);
      mp[task] = static_cast<T>(m.mean);
      rp[task] = static_cast<T>(inv);
      for (int64_t k = 0; k < group_channels; ++k) {
        const int64_t c = task % groups * group_channels + k;
        const double scale = inv * (w ? w[c] : 1), shift = b ? b[c] : 0;
        normalize(y + task * group_size + k * spatial, xg + k * spatial, spatial, m.mean, scale, shift);
      }
    }
  });
}

struct GradSums {
  double dy = 0;     // sum(dy)
  double dy_xc = 0;  // sum(dy * (x - mean))
};

// Adds the sums over [0, n) to `sums`; mean is the statistic as the forward used it (rounded to T).
template <typename T>
void add_grad_sums(GradSums& sums, const T* dy, const T* x, int64_t n, T mean) {
  for (int64_t i = 0; i < n; i += kBlock) {
    const int64_t len = std::min(kBlock, n - i);
    const auto dyb = segment(dy + i, len);
    sums.dy += dyb.sum();
    sums.dy_xc += (dyb * (segment(x + i, len) - mean)).sum();
  }
}

// dx = dy * a + (x - mean) * b + d over n elements.
template <typename T>
void input_grad(T* dx, const T* dy, const T* x, int64_t n, T mean, double a, double b, double d) {
  Eigen::Map<Array<T>>(dx, n) = segment(dy, n) * static_cast<T>(a) + (segment(x, n) - mean) * static_cast<T>(b) +
                                static_cast<T>(d);
}

template <typename T>
void batch_norm_backward_typed(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                               const Tensor& grad_output, const Tensor& input, const Tensor& weight,
                               const Tensor& save_mean, const Tensor& save_invstd, bool training, double eps,
                               const Tensor& running_mean, const Tensor& running_var) {
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t spatial = input.numel() / (batch * channels);
  const auto count = static_cast<double>(batch * spatial);
  const T* x = input.data_ptr<T>();
  const T* dy = grad_output.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  T* dx = data_or_null<T>(grad_input);
  T* dw = data_or_null<T>(grad_weight);
  T* db = data_or_null<T>(grad_bias);
  parallel_for(0, channels, grain_for(batch * spatial), [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      double mean, invstd;
      if (training) {
        mean = save_mean.data_ptr<T>()[c * save_mean.stride(0)];
        invstd = save_invstd.data_ptr<T>()[c * save_invstd.stride(0)];
      } else {
        mean = running_mean.data_ptr<T>()[c * running_mean.stride(0)];
        invstd = 1 / std::sqrt(static_cast<double>(running_var.data_ptr<T>()[c * running_var.stride(0)]) + eps);
      }
      const auto mean_t = static_cast<T>(mean);
      GradSums sums;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t at = (n * channels + c) * spatial;
        add_grad_sums(sums, dy + at, x + at, spatial, mean_t);
      }
      if (db) db[c] = static_cast<T>(sums.dy);
      if (dw) dw[c] = static_cast<T>(sums.dy_xc * invstd);
      if (!dx) continue;
      // In eval mode the statistics are constants and only the scaling remains.
      const double a = invstd * (w ? w[c] : 1);
      const double b = training ? -a * invstd * invstd * sums.dy_xc / count : 0;
      const double d = training ? -a * sums.dy / count : 0;
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t at = (n * channels + c) * spatial;
        input_grad(dx + at, dy + at, x + at, spatial, mean_t, a, b, d);
      }
    }
  });
}

template <typename T>
void layer_norm_backward_typed(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                               const Tensor& grad_output, const Tensor& input, const Tensor& mean,
                               const Tensor& rstd, const Tensor& weight) {
  const int64_t rows = mean.numel(), cols = input.numel() / rows;
  const T* x = input.data_ptr<T>();
  const T* dy = grad_output.data_ptr<T>();
  const T* mp = mean.data_ptr<T>();
  const T* rp = rstd.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  T* dx = data_or_null<T>(grad_input);
  T* dw = data_or_null<T>(grad_weight);
  T* db = data_or_null<T>(grad_bias);
  if (dx) {
    parallel_for(0, rows, grain_for(cols), [&](int64_t begin, int64_t end) {
      // g = dy * weight, one row at a time, when there is a weight.
      std::vector<T> scaled(w ? cols : 0);
      for (int64_t r = begin; r < end; ++r) {
        const T* g = dy + r * cols;
        if (w) {
          Eigen::Map<Array<T>>(scaled.data(), cols) = segment(g, cols) * segment(w, cols);
          g = scaled.data();
        }
        GradSums sums;
        add_grad_sums(sums, g, x + r * cols, cols, mp[r]);
        const double inv = rp[r], n = static_cast<double>(cols);
        input_grad(dx + r * cols, g, x + r * cols, cols, mp[r], inv, -inv * inv * inv * sums.dy_xc / n,
                   -inv * sums.dy / n);
      }
    });
  }
  if (!dw && !db) return;
  // Column sums over the rows: each column is summed by one task, row by row, in double.
  parallel_for(0, cols, grain_for(rows), [&](int64_t begin, int64_t end) {
    std::vector<double> sum_dy(end - begin), sum_dy_xhat(end - begin);
    for (int64_t r = 0; r < rows; ++r) {
      const T* dyr = dy + r * cols;
      const T* xr = x + r * cols;
      const double m = mp[r], inv = rp[r];
      for (int64_t j = begin; j < end; ++j) {
        sum_dy[j - begin] += dyr[j];
        sum_dy_xhat[j - begin] += dyr[j] * ((xr[j] - m) * inv);
      }
    }
    for (int64_t j = begin; j < end; ++j) {
      if (dw) dw[j] = static_cast<T>(sum_dy_xhat[j - begin]);
      if (db) db[j] = static_cast<T>(sum_dy[j - begin]);
    }
  });
}

template <typename T>
void group_norm_backward_typed(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                               const Tensor& grad_output, const Tensor& input, const Tensor& mean,
                               const Tensor& rstd, const Tensor& weight, int64_t groups) {
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t spatial = input.numel() / (batch * channels), group_channels = channels / groups;
  const int64_t group_size = group_channels * spatial;
  const T* x = input.data_ptr<T>();
  const T* dy = grad_output.data_ptr<T>();
  const T* mp = mean.data_ptr<T>();
  const T* rp = rstd.data_ptr<T>();
  const T* w = data_or_null<T>(weight);
  T* dx = data_or_null<T>(grad_input);
  T* dw = data_or_null<T>(grad_weight);
  T* db = data_or_null<T>(grad_bias);
  std::vector<GradSums> sums(batch * channels);  // per (sample, channel)
  parallel_for(0, batch * groups, grain_for(group_size), [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {  // task = n * groups + g: a contiguous block
      const int64_t first = task * group_channels;    // its first (n, c)
      double sum_g = 0, sum_g_xc = 0;                 // of g = dy * weight over the group
      for (int64_t k = 0; k < group_channels; ++k) {
        const int64_t at = (first + k) * spatial;
        add_grad_sums(sums[first + k], dy + at, x + at, spatial, mp[task]);
        const double wc = w ? w[(first + k) % channels] : 1;
        sum_g += wc * sums[first + k].dy;
        sum_g_xc += wc * sums[first + k].dy_xc;
      }
      if (!dx) continue;
      const double inv = rp[task], n = static_cast<double>(group_size);
      const double b = -inv * inv * inv * sum_g_xc / n, d = -inv * sum_g / n;
      for (int64_t k = 0; k < group_channels; ++k) {
        const int64_t at = (first + k) * spatial;
        const double a = inv * (w ? w[(first + k) % channels] : 1);
        input_grad(dx + at, dy + at, x + at, spatial, mp[task], a, b, d);
      }
    }
  });
  for (int64_t c = 0; c < channels; ++c) {
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int64_t n = 0; n < batch; ++n) {
      sum_dy += sums[n * channels + c].dy;
      sum_dy_xhat += sums[n * channels + c].dy_xc * rp[n * groups + c / group_channels];
    }
    if (dw) dw[c] = static_cast<T>(sum_dy_xhat);
    if (db) db[c] = static_cast<T>(sum_dy);
  }
}

}  // namespace

void CpuBackend::batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x,
                            const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                            const Tensor& running_var, bool training, double momentum, double eps) {
  if (x.numel() == 0) return;
  if (computes_in_float32(x.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    const Tensor mean32 = float32_copy(save_mean), invstd32 = float32_copy(save_invstd);
    const Tensor rm32 = float32_copy(running_mean), rv32 = float32_copy(running_var);
    batch_norm(out32, mean32, invstd32, float32_copy(x), float32_copy(weight), float32_copy(bias), rm32, rv32,
               training, momentum, eps);
    copy_back({{&out, &out32}, {&save_mean, &mean32}, {&save_invstd, &invstd32}});
    if (training) copy_back({{&running_mean, &rm32}, {&running_var, &rv32}});
    return;
  }
  const Tensor in = x.contiguous(), w = contiguous_if_defined(weight), b = contiguous_if_defined(bias);
  dispatch_floating(in.dtype(), "batch_norm", [&]<typename T>() {
    batch_norm_typed<T>(out, save_mean, save_invstd, in, w, b, running_mean, running_var, training, momentum, eps);
  });
}

void CpuBackend::layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                            const Tensor& weight, const Tensor& bias, double eps) {
  if (x.numel() == 0) return;
  if (computes_in_float32(x.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    const Tensor mean32 = float32_copy(mean), rstd32 = float32_copy(rstd);
    layer_norm(out32, mean32, rstd32, float32_copy(x), float32_copy(weight), float32_copy(bias), eps);
    copy_back({{&out, &out32}, {&mean, &mean32}, {&rstd, &rstd32}});
    return;
  }
  const Tensor in = x.contiguous(), w = contiguous_if_defined(weight), b = contiguous_if_defined(bias);
  dispatch_floating(in.dtype(), "layer_norm", [&]<typename T>() { layer_norm_typed<T>(out, mean, rstd, in, w, b, eps); });
}

void CpuBackend::group_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                            const Tensor& weight, const Tensor& bias, int64_t groups, double eps) {
  if (x.numel() == 0) return;
  if (computes_in_float32(x.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    const Tensor mean32 = float32_copy(mean), rstd32 = float32_copy(rstd);
    group_norm(out32, mean32, rstd32, float32_copy(x), float32_copy(weight), float32_copy(bias), groups, eps);
    copy_back({{&out, &out32}, {&mean, &mean32}, {&rstd, &rstd32}});
    return;
  }
  const Tensor in = x.contiguous(), w = contiguous_if_defined(weight), b = contiguous_if_defined(bias);
  dispatch_floating(in.dtype(), "group_norm",
           [&]<typename T>() { group_norm_typed<T>(out, mean, rstd, in, w, b, groups, eps); });
}

namespace {

// A float32 stand-in for a 16-bit gradient output (undefined stays undefined).
Tensor float32_output(const Tensor& t) { return t.defined() ? empty(t.sizes(), {.dtype = kFloat32}) : t; }

// Gradients of weight and bias over an empty input: sums of nothing.
void zero_if_defined(const Tensor& a, const Tensor& b) {
  for (const Tensor* t : {&a, &b})
    if (t->defined()) backend(DeviceType::CPU).fill(*t, 0);
}

}  // namespace

void CpuBackend::batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                     const Tensor& grad_output, const Tensor& x, const Tensor& weight,
                                     const Tensor& save_mean, const Tensor& save_invstd, bool training, double eps,
                                     const Tensor& running_mean, const Tensor& running_var) {
  if (x.numel() == 0) return zero_if_defined(grad_weight, grad_bias);
  if (computes_in_float32(x.dtype())) {
    const Tensor gi = float32_output(grad_input), gw = float32_output(grad_weight), gb = float32_output(grad_bias);
    batch_norm_backward(gi, gw, gb, float32_copy(grad_output), float32_copy(x), float32_copy(weight),
                        float32_copy(save_mean), float32_copy(save_invstd), training, eps, float32_copy(running_mean),
                        float32_copy(running_var));
    copy_back({{&grad_input, &gi}, {&grad_weight, &gw}, {&grad_bias, &gb}});
    return;
  }
  const Tensor in = x.contiguous(), dy = grad_output.contiguous(), w = contiguous_if_defined(weight);
  dispatch_floating(in.dtype(), "batch_norm_backward", [&]<typename T>() {
    batch_norm_backward_typed<T>(grad_input, grad_weight, grad_bias, dy, in, w, save_mean, save_invstd, training, eps,
                                 running_mean, running_var);
  });
}

void CpuBackend::layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                     const Tensor& grad_output, const Tensor& x, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& weight) {
  if (x.numel() == 0) return zero_if_defined(grad_weight, grad_bias);
  if (computes_in_float32(x.dtype())) {
    const Tensor gi = float32_output(grad_input), gw = float32_output(grad_weight), gb = float32_output(grad_bias);
    layer_norm_backward(gi, gw, gb, float32_copy(grad_output), float32_copy(x), float32_copy(mean), float32_copy(rstd),
                        float32_copy(weight));
    copy_back({{&grad_input, &gi}, {&grad_weight, &gw}, {&grad_bias, &gb}});
    return;
  }
  const Tensor in = x.contiguous(), dy = grad_output.contiguous(), w = contiguous_if_defined(weight);
  const Tensor m = mean.contiguous(), r = rstd.contiguous();
  dispatch_floating(in.dtype(), "layer_norm_backward", [&]<typename T>() {
    layer_norm_backward_typed<T>(grad_input, grad_weight, grad_bias, dy, in, m, r, w);
  });
}

void CpuBackend::group_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias,
                                     const Tensor& grad_output, const Tensor& x, const Tensor& mean,
                                     const Tensor& rstd, const Tensor& weight, int64_t groups) {
  if (x.numel() == 0) return zero_if_defined(grad_weight, grad_bias);
  if (computes_in_float32(x.dtype())) {
    const Tensor gi = float32_output(grad_input), gw = float32_output(grad_weight), gb = float32_output(grad_bias);
    group_norm_backward(gi, gw, gb, float32_copy(grad_output), float32_copy(x), float32_copy(mean), float32_copy(rstd),
                        float32_copy(weight), groups);
    copy_back({{&grad_input, &gi}, {&grad_weight, &gw}, {&grad_bias, &gb}});
    return;
  }
  const Tensor in = x.contiguous(), dy = grad_output.contiguous(), w = contiguous_if_defined(weight);
  const Tensor m = mean.contiguous(), r = rstd.contiguous();
  dispatch_floating(in.dtype(), "group_norm_backward", [&]<typename T>() {
    group_norm_backward_typed<T>(grad_input, grad_weight, grad_bias, dy, in, m, r, w, groups);
  });
}

}  // namespace accel::cpu
