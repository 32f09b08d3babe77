#pragma once
// The strided loop under every CPU elementwise kernel (PyTorch's TensorIterator, reduced to its
// core). N operands share one shape (broadcast inputs have stride 0). Dimensions are coalesced
// where every operand is contiguous across them, so a contiguous or simply broadcast op becomes a
// single flat row. The flat index range is split across threads; each thread walks its part as
// rows and calls fn(ptrs, strides, n): ptrs[k] points at operand k's first element of the row,
// strides[k] is its byte stride along the row, n the row length.
#include <array>
#include <cstdint>

#include <accel/kernels/cpu/parallel.h>
#include <accel/tensor/tensor.h>

namespace accel::cpu {

template <int N>
struct StridedLayout {
  DimVector shape;                       // coalesced, innermost last; at least one dim
  std::array<DimVector, N> strides;      // in bytes
  std::array<char*, N> data{};
  int64_t numel = 1;

  explicit StridedLayout(const std::array<const Tensor*, N>& operands) {
    const Tensor& first = *operands[0];
    const IntArrayRef sizes = first.sizes();
    for (int k = 0; k < N; ++k) data[k] = static_cast<char*>(operands[k]->data_ptr());
    // Keep dims of size > 1, then merge neighbours that are contiguous for every operand.
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 1) continue;
      const int64_t size = sizes[d];
      bool merge = !shape.empty();
      for (int k = 0; k < N && merge; ++k)
        merge = strides[k].back() == operands[k]->stride(static_cast<int64_t>(d)) * operands[k]->element_size() * size;
      if (merge) {
        shape.back() *= size;
        for (int k = 0; k < N; ++k) strides[k].back() = operands[k]->stride(static_cast<int64_t>(d)) * operands[k]->element_size();
      } else {
        shape.push_back(size);
        for (int k = 0; k < N; ++k) strides[k].push_back(operands[k]->stride(static_cast<int64_t>(d)) * operands[k]->element_size());
      }
    }
    if (shape.empty()) {
      shape.push_back(1);
      for (int k = 0; k < N; ++k) strides[k].push_back(0);
    }
    numel = first.numel();
  }

  // Runs fn over the flat range [begin, end) of the (row-major) index space.
  template <typename F>
  void run_range(int64_t begin, int64_t end, F& fn) const {
    const size_t ndim = shape.size();
    const int64_t inner = shape[ndim - 1];
    DimVector index(ndim);
    int64_t rest = begin;
    for (size_t d = ndim; d-- > 0;) {
      index[d] = rest % shape[d];
      rest /= shape[d];
    }
    std::array<char*, N> ptrs;
    std::array<int64_t, N> inner_strides;
    for (int k = 0; k < N; ++k) {
      inner_strides[k] = strides[k][ndim - 1];
      ptrs[k] = data[k];
      for (size_t d = 0; d < ndim; ++d) ptrs[k] += index[d] * strides[k][d];
    }
    int64_t pos = begin;
    while (pos < end) {
      const int64_t n = std::min(inner - index[ndim - 1], end - pos);
      fn(ptrs.data(), inner_strides.data(), n);
      pos += n;
      // Advance the odometer by n along the inner dim (carrying into outer dims).
      for (int k = 0; k < N; ++k) ptrs[k] += n * inner_strides[k];
      index[ndim - 1] += n;
      for (size_t d = ndim - 1; d > 0 && index[d] == shape[d]; --d) {
        for (int k = 0; k < N; ++k) ptrs[k] += strides[k][d - 1] - shape[d] * strides[k][d];
        index[d] = 0;
        ++index[d - 1];
      }
    }
  }
};

// Calls fn(ptrs, strides, n) over all elements of the operands, in parallel for large tensors.
// A smaller grain parallelises expensive elements (exp, erf) at smaller sizes.
template <int N, typename F>
void for_each_row(const std::array<const Tensor*, N>& operands, F&& fn, int64_t grain = kGrainSize) {
  // Fast path: every operand contiguous with the output's shape, so one flat row.
  bool flat = true;
  for (int k = 0; k < N && flat; ++k)
    flat = operands[k]->is_contiguous() && (k == 0 || operands[k]->sizes() == operands[0]->sizes());
  if (flat) {
    std::array<char*, N> base;
    std::array<int64_t, N> strides;
    for (int k = 0; k < N; ++k) {
      base[k] = static_cast<char*>(operands[k]->data_ptr());
      strides[k] = operands[k]->element_size();
    }
    parallel_for(0, operands[0]->numel(), grain, [&](int64_t begin, int64_t end) {
      std::array<char*, N> ptrs;
      for (int k = 0; k < N; ++k) ptrs[k] = base[k] + begin * strides[k];
      fn(ptrs.data(), strides.data(), end - begin);
    });
    return;
  }
  const StridedLayout<N> layout(operands);
  if (layout.numel == 0) return;
  parallel_for(0, layout.numel, grain, [&](int64_t begin, int64_t end) { layout.run_range(begin, end, fn); });
}

}  // namespace accel::cpu
