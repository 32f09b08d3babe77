// Batched GEMM on Eigen. Operands are mapped in place (row- or column-major, any leading
// dimension), so transposed views cost no copy. Eigen runs single-threaded here; we split the
// work across our own pool by batch or by output rows/columns.
#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/tensor/factories.h>

namespace accel::cpu {
namespace {

template <typename T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T>
using ColMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using OuterStride = Eigen::OuterStride<Eigen::Dynamic>;

// A [rows, cols] block of a strided 2-D operand starting at p, as whichever Eigen map fits.
// A size-1 dim's stride is meaningless, so the natural one is used there.
template <typename T, typename F>
void with_matrix(const T* p, int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride, F&& f) {
  if (col_stride == 1 || cols == 1) {
    f(Eigen::Map<const RowMatrix<T>, 0, OuterStride>(p, rows, cols, OuterStride(rows == 1 ? cols : row_stride)));
  } else {
    f(Eigen::Map<const ColMatrix<T>, 0, OuterStride>(p, rows, cols, OuterStride(col_stride)));
  }
}

bool mappable(const Tensor& t) {  // 3-D [B, R, C]: one of the two matrix strides must be 1
  return t.stride(2) == 1 || t.stride(1) == 1 || t.size(1) == 1 || t.size(2) == 1;
}

template <typename T>
void gemm_typed(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  const int64_t batch = out.size(0), m = out.size(1), n = out.size(2), k = a.size(2);
  const T* pa = a.data_ptr<T>();
  const T* pb = b.data_ptr<T>();
  T* pc = out.data_ptr<T>();
  const T al = static_cast<T>(alpha), be = static_cast<T>(beta);

  // Computes rows [r0, r1) and columns [c0, c1) of batch entry i.
  const auto block = [&](int64_t i, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    Eigen::Map<RowMatrix<T>, 0, OuterStride> c(pc + i * m * n + r0 * n + c0, r1 - r0, c1 - c0, OuterStride(n));
    const T* a0 = pa + i * a.stride(0) + r0 * a.stride(1);
    const T* b0 = pb + i * b.stride(0) + c0 * b.stride(2);
    with_matrix(a0, r1 - r0, k, a.stride(1), a.stride(2), [&](const auto& ma) {
      with_matrix(b0, k, c1 - c0, b.stride(1), b.stride(2), [&](const auto& mb) {
        if (k == 0) {
          if (beta == 0) c.setZero();
          else c *= be;
        } else if (beta == 0) {
          c.noalias() = al * (ma * mb);
        } else {
          c *= be;
          c.noalias() += al * (ma * mb);
        }
      });
    });
  };

  const double flops = 2.0 * static_cast<double>(batch * m) * static_cast<double>(n * std::max<int64_t>(k, 1));
  const int threads = get_num_threads();
  if (flops < 2.0 * 64 * 64 * 64 || threads == 1) {
    for (int64_t i = 0; i < batch; ++i) block(i, 0, m, 0, n);
  } else if (batch >= threads) {
    parallel_for(0, batch, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t i = b0; i < b1; ++i) block(i, 0, m, 0, n);
    });
  } else if (m >= n) {  // split rows in multiples of 16 to keep Eigen's panels whole
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

void CpuBackend::gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  const DType t = out.dtype();
  if (t == kFloat16 || t == kBFloat16) {  // compute in float32, round once
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    if (beta != 0) copy(out32, out);
    const Tensor a32 = empty(a.sizes(), {.dtype = kFloat32});
    const Tensor b32 = empty(b.sizes(), {.dtype = kFloat32});
    copy(a32, a);
    copy(b32, b);
    gemm(out32, a32, b32, alpha, beta);
    copy(out, out32);
    return;
  }
  if (!mappable(a) || !mappable(b)) {
    gemm(out, mappable(a) ? a : a.contiguous(), mappable(b) ? b : b.contiguous(), alpha, beta);
    return;
  }
  switch (t) {
    case kFloat32: return gemm_typed<float>(out, a, b, alpha, beta);
    case kFloat64: return gemm_typed<double>(out, a, b, alpha, beta);
    case kInt64: return gemm_typed<int64_t>(out, a, b, alpha, beta);
    case kInt32: return gemm_typed<int32_t>(out, a, b, alpha, beta);
    default: ACCEL_FAIL("matmul: not implemented for ", name(t));
  }
}

}  // namespace accel::cpu

