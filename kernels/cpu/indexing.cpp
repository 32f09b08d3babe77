// Indexing kernels: index_select, gather, scatter, index_add, nonzero. Indices are int64 and were
// range-checked by the front end. Each works line by line along `dim`: lines run in parallel and
// the elements of a line in order, so scatter/index_add with duplicate indices are deterministic
// (contributions to one element all come from one line, in index order).
#include <algorithm>
#include <cstring>
#include <vector>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/lines.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/tensor/factories.h>

namespace accel::cpu {
namespace {

template <typename T>
T& at(char* p, int64_t i, int64_t stride) {
  return reinterpret_cast<T*>(p)[i * stride];
}

// The stride of a 1-D (or 0-dim) index tensor.
int64_t index_stride(const Tensor& index) { return index.dim() == 0 ? 0 : index.stride(0); }

template <typename T>
T add(T a, compute_type_t<T> b) {
  return static_cast<T>(static_cast<compute_type_t<T>>(a) + b);
}

}  // namespace

void CpuBackend::index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t* idx = index.data_ptr<int64_t>();
  if (x.is_contiguous() && out.is_contiguous()) {  // each selected slice is one block: copy it whole
    int64_t outer = 1, inner = x.element_size();
    for (int64_t d = 0; d < dim; ++d) outer *= x.size(d);
    for (int64_t d = dim + 1; d < x.dim(); ++d) inner *= x.size(d);
    const int64_t picks = out.dim() == 0 ? 1 : out.size(dim), from = x.dim() == 0 ? 1 : x.size(dim);
    const char* src = static_cast<const char*>(x.data_ptr());
    char* dst = static_cast<char*>(out.data_ptr());
    const int64_t stride = index_stride(index);
    parallel_for(0, outer * picks, std::max<int64_t>(1, kGrainSize * 4 / std::max<int64_t>(inner, 1)),
                 [&](int64_t begin, int64_t end) {
                   for (int64_t k = begin; k < end; ++k) {
                     const int64_t o = k / picks, j = k % picks;
                     std::memcpy(dst + k * inner, src + (o * from + idx[j * stride]) * inner, inner);
                   }
                 });
    return;
  }
  const int64_t idx_stride = index_stride(index), out_stride = out.stride(dim), x_stride = x.stride(dim);
  const Tensor out_starts = line_starts(out, out.sizes(), dim), x_starts = line_starts(x, out.sizes(), dim);
  ACCEL_DISPATCH(x.dtype(), "index_select", [&]<typename T>() {
    for_each_line_element<2>({&out_starts, &x_starts}, out.size(dim), [&](const std::array<char*, 2>& line, int64_t j) {
      at<T>(line[0], j, out_stride) = at<T>(line[1], idx[j * idx_stride], x_stride);
    });
  });
}

void CpuBackend::gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t out_stride = out.stride(dim), x_stride = x.stride(dim), idx_stride = index.stride(dim);
  const Tensor out_starts = line_starts(out, index.sizes(), dim), idx_starts = line_starts(index, index.sizes(), dim);
  const Tensor x_starts = line_starts(x, index.sizes(), dim);
  ACCEL_DISPATCH(x.dtype(), "gather", [&]<typename T>() {
    for_each_line_element<3>({&out_starts, &idx_starts, &x_starts}, index.size(dim),
                             [&](const std::array<char*, 3>& line, int64_t j) {
                               at<T>(line[0], j, out_stride) = at<T>(line[2], at<int64_t>(line[1], j, idx_stride), x_stride);
                             });
  });
}

void CpuBackend::scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  const int64_t out_stride = out.stride(dim), idx_stride = index.stride(dim), src_stride = src.stride(dim);
  const Tensor out_starts = line_starts(out, index.sizes(), dim), idx_starts = line_starts(index, index.sizes(), dim);
  const Tensor src_starts = line_starts(src, index.sizes(), dim);
  ACCEL_DISPATCH(out.dtype(), "scatter", [&]<typename T>() {
    for_each_line_element<3>({&out_starts, &idx_starts, &src_starts}, index.size(dim),
                             [&](const std::array<char*, 3>& line, int64_t j) {
                               T& dst = at<T>(line[0], at<int64_t>(line[1], j, idx_stride), out_stride);
                               const T value = at<T>(line[2], j, src_stride);
                               dst = accumulate ? add(dst, static_cast<compute_type_t<T>>(value)) : value;
                             });
  });
}

void CpuBackend::index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) {
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t idx_stride = index_stride(index), out_stride = out.stride(dim), src_stride = source.stride(dim);
  const Tensor out_starts = line_starts(out, source.sizes(), dim), src_starts = line_starts(source, source.sizes(), dim);
  ACCEL_DISPATCH(out.dtype(), "index_add", [&]<typename T>() {
    using C = compute_type_t<T>;
    const C a = alpha.to<C>();
    for_each_line_element<2>({&out_starts, &src_starts}, source.size(dim), [&](const std::array<char*, 2>& line, int64_t i) {
      T& dst = at<T>(line[0], idx[i * idx_stride], out_stride);
      dst = add(dst, static_cast<C>(a * static_cast<C>(at<T>(line[1], i, src_stride))));
    });
  });
}

// Two passes over the same fixed chunks: count the nonzeros of each, then write each chunk's
// coordinates from its offset, so the output is in row-major order whatever the thread count.
// The coordinates advance as an odometer: a division per element would dominate the cost.
Tensor CpuBackend::nonzero(const Tensor& x) {
  const int64_t numel = x.numel(), ndim = x.dim();
  const IntArrayRef sizes = x.sizes();
  if (numel == 0) return empty({0, ndim}, {.dtype = kInt64});
  const StridedLayout<1> layout({&x});
  const int64_t chunks = std::clamp<int64_t>(numel / kGrainSize, 1, get_num_threads());
  const auto begin = [&](int64_t c) { return c * numel / chunks; };
  std::vector<int64_t> offsets(static_cast<size_t>(chunks) + 1, 0);
  return ACCEL_DISPATCH(x.dtype(), "nonzero", [&]<typename T>() {
    using C = compute_type_t<T>;
    const auto nonzero_at = [](const char* p) { return static_cast<C>(*reinterpret_cast<const T*>(p)) != C(0); };
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        int64_t count = 0;
        auto rows = [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i) count += nonzero_at(p[0] + i * s[0]);
        };
        layout.run_range(begin(c), begin(c + 1), rows);
        offsets[c + 1] = count;
      }
    });
    for (int64_t c = 0; c < chunks; ++c) offsets[c + 1] += offsets[c];
    Tensor out = empty({offsets[chunks], ndim}, {.dtype = kInt64});
    if (ndim == 0) return out;
    int64_t* coords = out.data_ptr<int64_t>();
    const int64_t last = ndim - 1;
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        int64_t* w = coords + offsets[c] * ndim;
        DimVector coord(static_cast<size_t>(ndim));
        for (int64_t d = last, rest = begin(c); d >= 0; --d) {
          coord[d] = rest % sizes[d];
          rest /= sizes[d];
        }
        auto rows = [&](char** p, const int64_t* s, int64_t n) {
          int64_t inner = coord[last];  // a local: stores through w can't alias it
          for (int64_t i = 0; i < n; ++i) {
            if (nonzero_at(p[0] + i * s[0])) {
              for (int64_t d = 0; d < last; ++d) *w++ = coord[d];
              *w++ = inner;
            }
            if (++inner == sizes[last]) {
              inner = 0;
              for (int64_t d = last - 1; d >= 0 && ++coord[d] == sizes[d]; --d) coord[d] = 0;
            }
          }
          coord[last] = inner;
        };
        layout.run_range(begin(c), begin(c + 1), rows);
      }
    });
    return out;
  });
}

}  // namespace accel::cpu
