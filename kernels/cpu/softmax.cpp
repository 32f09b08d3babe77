// Softmax and log-softmax along one dim. Each line along the dim subtracts its maximum before
// exponentiating, so no exp overflows. x (made contiguous) is viewed as [outer, n, inner]:
// - inner == 1 (the innermost dim): each line is a contiguous row, one Eigen array expression
//   per pass;
// - otherwise neighbouring lines interleave: a block of up to kBlock lines is processed at once,
//   every pass walking rows of the block, so the loops stay contiguous and vectorised.
#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

template <typename T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

// An exp costs several elementwise ops: split the work at a quarter of the elementwise grain.
int64_t grain_for(int64_t elements_per_task) { return std::max<int64_t>(1, kGrainSize / 4 / elements_per_task); }

template <typename T>
void softmax_rows(T* out, const T* x, int64_t rows, int64_t n, bool log) {
  parallel_for(0, rows, grain_for(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const Eigen::Map<const Array<T>> xr(x + r * n, n);
      Eigen::Map<Array<T>> yr(out + r * n, n);
      yr = xr - xr.maxCoeff();
      if (log) {
        yr -= std::log(yr.exp().sum());
      } else {
        yr = yr.exp();
        yr *= T(1) / yr.sum();
      }
    }
  });
}

template <typename T>
void softmax_columns(T* out, const T* x, int64_t outer, int64_t n, int64_t inner, bool log) {
  constexpr int64_t kBlock = 256;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallel_for(0, outer * blocks, grain_for(n * std::min(inner, kBlock)), [&](int64_t begin, int64_t end) {
    Array<T> max_buffer(kBlock), sum_buffer(kBlock);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t offset = task / blocks * n * inner + task % blocks * kBlock;
      const int64_t width = std::min(kBlock, inner - task % blocks * kBlock);
      const auto in = [&](int64_t j) { return Eigen::Map<const Array<T>>(x + offset + j * inner, width); };
      const auto res = [&](int64_t j) { return Eigen::Map<Array<T>>(out + offset + j * inner, width); };
      auto max = max_buffer.head(width);
      auto sum = sum_buffer.head(width);
      max = in(0);
      for (int64_t j = 1; j < n; ++j) max = max.max(in(j));
      sum.setZero();
      for (int64_t j = 0; j < n; ++j) {
        auto y = res(j);
        y = in(j) - max;
        if (log) {
          sum += y.exp();
        } else {
          y = y.exp();
          sum += y;
        }
      }
      if (log) {
        sum = sum.log();
        for (int64_t j = 0; j < n; ++j) res(j) -= sum;
      } else {
        sum = sum.inverse();
        for (int64_t j = 0; j < n; ++j) res(j) *= sum;
      }
    }
  });
}

}  // namespace

void CpuBackend::softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) {
  if (x.numel() == 0) return;
  if (computes_in_float32(x.dtype())) {
    const Tensor out32 = empty(out.sizes(), {.dtype = kFloat32});
    softmax(out32, float32_copy(x), dim, log);
    copy_back({{&out, &out32}});
    return;
  }
  const Tensor in = x.contiguous();
  const int64_t n = in.dim() == 0 ? 1 : in.size(dim);
  int64_t inner = 1;
  for (int64_t d = dim + 1; d < in.dim(); ++d) inner *= in.size(d);
  const int64_t outer = in.numel() / (n * inner);
  const auto run = [&]<typename T>() {
    if (inner == 1) softmax_rows(out.data_ptr<T>(), in.data_ptr<T>(), outer, n, log);
    else softmax_columns(out.data_ptr<T>(), in.data_ptr<T>(), outer, n, inner, log);
  };
  switch (in.dtype()) {
    case kFloat32: return run.template operator()<float>();
    case kFloat64: return run.template operator()<double>();
    default: ACCEL_FAIL(log ? "log_softmax" : "softmax", ": not implemented for ", name(in.dtype()));
  }
}

}  // namespace accel::cpu
