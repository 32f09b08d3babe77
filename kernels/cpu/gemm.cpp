// Batched GEMM. Each product is a gemm_block (gemm_block.h): accel's own packed GEMM for float32
// (sgemm.h, any strides, threaded inside), Eigen for the other dtypes (and for float32 on CPUs
// without AVX2). Eigen maps the operands in place, row- or column-major with any leading
// dimension, so transposed views cost no copy either way; it runs single-threaded, and we split
// its work across our own pool by batch or by output rows/columns.
#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/gemm_block.h>
#include <accel/kernels/cpu/lines.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/kernels/cpu/sgemm.h>
#include <accel/tensor/factories.h>

namespace accel::cpu {
namespace {

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using ColMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using OuterStride = Eigen::OuterStride<Eigen::Dynamic>;

// A [rows, cols] strided operand as whichever Eigen map fits. A size-1 dim's stride is
// meaningless, so the natural one is used there.
template <typename T, typename F>
void with_matrix(Strided<T> s, int64_t rows, int64_t cols, F&& f) {
  if (s.col_stride == 1 || cols == 1) {
    f(Eigen::Map<const RowMatrix<T>, 0, OuterStride>(s.data, rows, cols, OuterStride(rows == 1 ? cols : s.row_stride)));
  } else {
    f(Eigen::Map<const ColMatrix<T>, 0, OuterStride>(s.data, rows, cols, OuterStride(s.col_stride)));
  }
}

template <typename T>
void eigen_block(int64_t m, int64_t n, int64_t k, T alpha, Strided<T> a, Strided<T> b, T beta, T* c, int64_t ldc) {
  Eigen::Map<RowMatrix<T>, 0, OuterStride> out(c, m, n, OuterStride(ldc));
  if (k == 0) {
    if (beta == T(0)) out.setZero();
    else out *= beta;
    return;
  }
  with_matrix(a, m, k, [&](const auto& ma) {
    with_matrix(b, k, n, [&](const auto& mb) {
      if (beta == T(0)) {
        out.noalias() = alpha * (ma * mb);
      } else {
        out *= beta;
        out.noalias() += alpha * (ma * mb);
      }
    });
  });
}

// An operand [B, R, C] as sizes and strides; a 2-D [R, C] one is a batch of one.
struct Operand {
  int64_t batch, rows, cols, batch_stride, row_stride, col_stride;
  explicit Operand(const Tensor& t) {
    const int64_t d = t.dim() - 2;  // 0 for a matrix, 1 for a batch of them
    batch = d ? t.size(0) : 1;
    batch_stride = d ? t.stride(0) : 0;
    rows = t.size(d), cols = t.size(d + 1), row_stride = t.stride(d), col_stride = t.stride(d + 1);
  }
};

bool mappable(const Tensor& t) {  // Eigen needs one of the two matrix strides to be 1
  const Operand o(t);
  return o.col_stride == 1 || o.row_stride == 1 || o.rows == 1 || o.cols == 1;
}

template <typename T>
Strided<T> entry(const Tensor& t, int64_t i, int64_t row = 0, int64_t col = 0) {
  const Operand o(t);
  return {t.data_ptr<T>() + i * o.batch_stride + row * o.row_stride + col * o.col_stride, o.row_stride, o.col_stride};
}

// float32 on sgemm: entries of the batch run side by side when there are enough of them to share
// out evenly; otherwise one after another, each on all threads (sgemm decides whether one is worth
// threading).
void sgemm_batched(const Tensor& out, const Tensor& a, const Tensor& b, float alpha, float beta, const Tensor& bias) {
  const Operand o(out);
  const int64_t batch = o.batch, m = o.rows, n = o.cols, k = Operand(a).cols;
  float* pc = out.data_ptr<float>();
  const float* column_bias = bias.defined() ? bias.data_ptr<float>() : nullptr;
  const auto product = [&](int64_t i) {
    sgemm(m, n, k, alpha, entry<float>(a, i), entry<float>(b, i), beta, pc + i * m * n, n, column_bias);
  };
  const int threads = get_num_threads();
  const bool large = static_cast<double>(batch * m) * static_cast<double>(n * k) >= 64.0 * 64 * 64;
  if (large && batch > 1 && (batch % threads == 0 || batch >= 4 * threads)) {
    parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) product(i);
    });
  } else {
    for (int64_t i = 0; i < batch; ++i) product(i);
  }
}

// The other types on Eigen, split across the pool by batch entry or by tiles of 16 output rows or
// columns (keeping Eigen's panels whole).
template <typename T>
void eigen_batched(const Tensor& out, const Tensor& a, const Tensor& b, T alpha, T beta) {
  const Operand o(out);
  const int64_t batch = o.batch, m = o.rows, n = o.cols, k = Operand(a).cols;
  T* pc = out.data_ptr<T>();
  const auto block = [&](int64_t i, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    eigen_block<T>(r1 - r0, c1 - c0, k, alpha, entry<T>(a, i, r0), entry<T>(b, i, 0, c0), beta,
                   pc + i * m * n + r0 * n + c0, n);
  };
  const double flops = 2.0 * static_cast<double>(batch * m) * static_cast<double>(n * std::max<int64_t>(k, 1));
  const int threads = get_num_threads();
  if (flops < 2.0 * 64 * 64 * 64 || threads == 1) {
    for (int64_t i = 0; i < batch; ++i) block(i, 0, m, 0, n);
  } else if (batch >= threads) {
    parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) block(i, 0, m, 0, n);
    });
  } else if (m >= n) {
    const int64_t tiles = (m + 15) / 16;
    for (int64_t i = 0; i < batch; ++i)
      parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) { block(i, t0 * 16, std::min(m, t1 * 16), 0, n); });
  } else {
    const int64_t tiles = (n + 15) / 16;
    for (int64_t i = 0; i < batch; ++i)
      parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) { block(i, 0, m, t0 * 16, std::min(n, t1 * 16)); });
  }
}

}  // namespace

template <typename T>
void gemm_block(int64_t m, int64_t n, int64_t k, T alpha, Strided<T> a, Strided<T> b, T beta, T* c, int64_t ldc) {
  if constexpr (std::is_same_v<T, float> && sgemm_available()) sgemm(m, n, k, alpha, a, b, beta, c, ldc);
  else eigen_block(m, n, k, alpha, a, b, beta, c, ldc);
}

template void gemm_block<float>(int64_t, int64_t, int64_t, float, Strided<float>, Strided<float>, float, float*,
                                int64_t);
template void gemm_block<double>(int64_t, int64_t, int64_t, double, Strided<double>, Strided<double>, double,
                                 double*, int64_t);
template void gemm_block<int32_t>(int64_t, int64_t, int64_t, int32_t, Strided<int32_t>, Strided<int32_t>, int32_t,
                                  int32_t*, int64_t);
template void gemm_block<int64_t>(int64_t, int64_t, int64_t, int64_t, Strided<int64_t>, Strided<int64_t>, int64_t,
                                  int64_t*, int64_t);

void CpuBackend::gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta,
                      const Tensor& bias) {
  const DType t = out.dtype();
  ACCEL_CHECK(!bias.defined() || beta == 0, "gemm: a bias replaces beta * out, so beta must be 0");
  const auto as_float32 = [this](const Tensor& x) {
    if (!x.defined()) return x;
    const Tensor x32 = empty(x.sizes(), {.dtype = kFloat32});
    copy(x32, x);
    return x32;
  };
  if (t == kFloat16 || t == kBFloat16) {  // compute in float32, round once
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    if (beta != 0) copy(out32, out);
    gemm(out32, as_float32(a), as_float32(b), alpha, beta, as_float32(bias));
    copy(out, out32);
    return;
  }
  if (t == kFloat32 && sgemm_available())
    return sgemm_batched(out, a, b, static_cast<float>(alpha), static_cast<float>(beta), bias);
  if (bias.defined()) {  // Eigen's product has no epilogue: out starts as the bias in every row
    DimVector strides(out.dim(), 0);
    strides.back() = 1;
    copy(out, strided_view(bias, out.sizes(), strides));
    return gemm(out, a, b, alpha, 1, Tensor());
  }
  if (!mappable(a) || !mappable(b)) {
    gemm(out, mappable(a) ? a : a.contiguous(), mappable(b) ? b : b.contiguous(), alpha, beta, Tensor());
    return;
  }
  switch (t) {
    case kFloat32: return eigen_batched<float>(out, a, b, static_cast<float>(alpha), static_cast<float>(beta));
    case kFloat64: return eigen_batched<double>(out, a, b, alpha, beta);
    case kInt64: return eigen_batched<int64_t>(out, a, b, static_cast<int64_t>(alpha), static_cast<int64_t>(beta));
    case kInt32: return eigen_batched<int32_t>(out, a, b, static_cast<int32_t>(alpha), static_cast<int32_t>(beta));
    default: ACCEL_FAIL("matmul: not implemented for ", name(t));
  }
}

}  // namespace accel::cpu
