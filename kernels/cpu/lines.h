#pragma once
// Helpers of the CPU kernels that work along one dim (reductions, scans, sorting, indexing).
// A "line" is the 1-D run of elements along that dim; the kernels walk the lines' starting
// points with the strided loop of loops.h, viewing each operand with size 1 at the dim.
#include <algorithm>
#include <array>

#include <accel/kernels/cpu/loops.h>

namespace accel::cpu {

// A view of t's memory with the given geometry. Kernel-internal: no checks, no autograd.
inline Tensor strided_view(const Tensor& t, IntArrayRef sizes, IntArrayRef strides) {
  return Tensor(IntrusivePtr<TensorImpl>::make(t.storage(), t.dtype(), DimVector(sizes), DimVector(strides),
                                               t.storage_offset()));
}

// The starting points of t's lines along dim, for an iteration space of `shape` (t's strides).
inline Tensor line_starts(const Tensor& t, IntArrayRef shape, int64_t dim) {
  DimVector sizes(shape);
  sizes[static_cast<size_t>(dim)] = 1;
  return strided_view(t, sizes, t.strides());
}

// Calls fn(line) for every line, where line[k] points at operand k's first element. Lines run in
// parallel; `length` (elements per line) sets the grain. Each parallel chunk works on its own copy
// of fn, so a mutable fn can keep scratch buffers across the lines of a chunk.
template <int N, typename F>
void for_each_line(const std::array<const Tensor*, N>& starts, int64_t length, const F& fn) {
  const StridedLayout<N> layout(starts);
  if (layout.numel == 0 || length == 0) return;
  parallel_for(0, layout.numel, std::max<int64_t>(1, kGrainSize / length), [&](int64_t begin, int64_t end) {
    F chunk_fn = fn;
    auto rows = [&](char** p, const int64_t* s, int64_t n) {
      std::array<char*, N> line;
      for (int64_t l = 0; l < n; ++l) {
        for (int k = 0; k < N; ++k) line[k] = p[k] + l * s[k];
        chunk_fn(line);
      }
    };
    layout.run_range(begin, end, rows);
  });
}

// Calls fn(line, j) for element j of every line. The elements of one line are visited in order
// (scatter with duplicate indices relies on that); when neighbouring lines are adjacent in the
// first operand, j is the outer loop so that the inner loop walks memory contiguously.
template <int N, typename F>
void for_each_line_element(const std::array<const Tensor*, N>& starts, int64_t length, F&& fn) {
  const StridedLayout<N> layout(starts);
  if (layout.numel == 0 || length == 0) return;
  const int64_t item = starts[0]->element_size();
  parallel_for(0, layout.numel, std::max<int64_t>(1, kGrainSize / length), [&](int64_t begin, int64_t end) {
    auto rows = [&](char** p, const int64_t* s, int64_t n) {
      std::array<char*, N> line;
      const auto at = [&](int64_t l) -> const std::array<char*, N>& {
        for (int k = 0; k < N; ++k) line[k] = p[k] + l * s[k];
        return line;
      };
      if (s[0] == item) {
        for (int64_t j = 0; j < length; ++j)
          for (int64_t l = 0; l < n; ++l) fn(at(l), j);
      } else {
        for (int64_t l = 0; l < n; ++l)
          for (int64_t j = 0; j < length; ++j) fn(at(l), j);
      }
    };
    layout.run_range(begin, end, rows);
  });
}

// float16 and bfloat16 compute in float; every other type computes in itself.
template <typename T> struct ComputeType { using type = T; };
template <> struct ComputeType<Half> { using type = float; };
template <> struct ComputeType<BFloat16> { using type = float; };
template <typename T> using compute_type_t = typename ComputeType<T>::type;

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) return v != v;
  else return false;
}

}  // namespace accel::cpu
