// Reductions (sum, mean, prod, max, min, all, any over any set of dims) and argmax/argmin.
//
// x is seen through two views: `kept` (out's shape, x's strides) locates each output's first
// element and `reduced` (the reduced dims alone) the elements folded into it. Outputs run in
// parallel; a long reduction is also split into fixed-size chunks whose partial results combine
// in order, so a few long outputs still use every thread and no result depends on the thread
// count. When the kept dims are contiguous in x, a row of outputs accumulates at once
// (vectorised over the outputs). Floating sums stay accurate: pairwise within a row, a cascade
// across rows and chunks.
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/lines.h>

namespace accel::cpu {
namespace {

// Sums and products accumulate in float (double for double) or int64.
template <typename O>
using sum_acc_t = std::conditional_t<std::is_floating_point_v<compute_type_t<O>>, compute_type_t<O>, int64_t>;

template <typename T>
compute_type_t<T> widen(T v) {
  return static_cast<compute_type_t<T>>(v);
}

// Each op: the accumulator type, its identity, how an element enters it, how two combine (in any
// grouping: every op is associative) and how the total becomes the output.
template <typename T, typename O>
struct Sum {
  using In = T;
  using Out = O;
  using Acc = sum_acc_t<O>;
  static Acc identity() { return 0; }
  static Acc load(T v) { return static_cast<Acc>(widen(v)); }
  static Acc combine(Acc a, Acc b) { return a + b; }
  static O finish(Acc a, int64_t) { return static_cast<O>(a); }
};

template <typename T, typename O>
struct Mean : Sum<T, O> {
  using Acc = sum_acc_t<O>;
  static O finish(Acc a, int64_t count) { return static_cast<O>(a / static_cast<Acc>(count)); }
};

template <typename T, typename O>
struct Prod : Sum<T, O> {
  using Acc = sum_acc_t<O>;
  static Acc identity() { return 1; }
  static Acc combine(Acc a, Acc b) { return a * b; }
};

// NaN wins, as in PyTorch.
template <typename T, bool kMax>
struct Extremum {
  using In = T;
  using Out = T;
  using Acc = compute_type_t<T>;
  static Acc identity() {
    if constexpr (std::numeric_limits<Acc>::has_infinity)
      return kMax ? -std::numeric_limits<Acc>::infinity() : std::numeric_limits<Acc>::infinity();
    else
      return kMax ? std::numeric_limits<Acc>::lowest() : std::numeric_limits<Acc>::max();
  }
  static Acc load(T v) { return widen(v); }
  static Acc combine(Acc a, Acc b) { return ((kMax ? a > b : a < b) || is_nan(a)) ? a : b; }
  static T finish(Acc a, int64_t) { return static_cast<T>(a); }
  // The select in combine defeats the vectoriser; Eigen's NaN-propagating max/min does not.
  static Acc fold_contiguous(const T* p, int64_t n) requires std::is_floating_point_v<T> {
    const auto row = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(p, n);
    return kMax ? row.template maxCoeff<Eigen::PropagateNaN>() : row.template minCoeff<Eigen::PropagateNaN>();
  }
};

template <typename T, bool kAll>
struct Logical {
  using In = T;
  using Out = bool;
  using Acc = bool;
  static Acc identity() { return kAll; }
  static Acc load(T v) { return widen(v) != compute_type_t<T>(0); }
  static Acc combine(Acc a, Acc b) { return kAll ? a && b : a || b; }
  static bool finish(Acc a, int64_t) { return a; }
};

constexpr int kLanes = 16;        // independent accumulators: fills the SIMD units
constexpr int64_t kBlock = 256;   // longer rows are halved recursively (pairwise summation)
constexpr int64_t kMinColumns = 16;
constexpr int64_t kChunk = kGrainSize;  // elements per partial result of a long reduction

// kLanes partial results of a row, one per lane, combined lane by lane.
template <typename Op>
struct Lanes {
  typename Op::Acc acc[kLanes];
  void combine(const Lanes& other) {
    for (int k = 0; k < kLanes; ++k) acc[k] = Op::combine(acc[k], other.acc[k]);
  }
};

// Folds n >= kLanes elements into lanes: lane k takes elements k, k + kLanes, ... of each leaf of
// at most kBlock, and a longer row is halved recursively (pairwise per lane). The lanes stay apart
// up the tree, so a leaf costs its loads and adds and nothing more (combining across lanes after
// every leaf had taken as long as the adds).
template <typename Op, bool kUnitStride>
Lanes<Op> fold_lanes(const typename Op::In* p, int64_t stride, int64_t n) {
  const int64_t s = kUnitStride ? 1 : stride;
  if (n > kBlock) {
    const int64_t half = n / 2 / kLanes * kLanes;
    Lanes<Op> left = fold_lanes<Op, kUnitStride>(p, s, half);
    left.combine(fold_lanes<Op, kUnitStride>(p + half * s, s, n - half));
    return left;
  }
  Lanes<Op> lanes;
  std::fill_n(lanes.acc, kLanes, Op::identity());
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) lanes.acc[k] = Op::combine(lanes.acc[k], Op::load(p[(i + k) * s]));
  for (; i < n; ++i) lanes.acc[0] = Op::combine(lanes.acc[0], Op::load(p[i * s]));
  return lanes;
}

template <typename Op, bool kUnitStride>
typename Op::Acc fold_block(const typename Op::In* p, int64_t stride, int64_t n) {
  const int64_t s = kUnitStride ? 1 : stride;
  if (n < kLanes) {  // short rows (many small outputs): skip the lanes' setup and combine
    typename Op::Acc acc = Op::identity();
    for (int64_t i = 0; i < n; ++i) acc = Op::combine(acc, Op::load(p[i * s]));
    return acc;
  }
  Lanes<Op> lanes = fold_lanes<Op, kUnitStride>(p, s, n);
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int k = 0; k < w; ++k) lanes.acc[k] = Op::combine(lanes.acc[k], lanes.acc[k + w]);
  return lanes.acc[0];
}

template <typename Op>
typename Op::Acc fold_row(const char* p, int64_t stride_bytes, int64_t n) {
  using T = typename Op::In;
  const T* row = reinterpret_cast<const T*>(p);
  if (stride_bytes == static_cast<int64_t>(sizeof(T))) {
    if constexpr (requires { Op::fold_contiguous(row, n); })
      if (n >= kLanes) return Op::fold_contiguous(row, n);
    return fold_block<Op, true>(row, 1, n);
  }
  return fold_block<Op, false>(row, stride_bytes / static_cast<int64_t>(sizeof(T)), n);
}

// Partial results of a long stream, combined so that rounding error grows with the logarithm of
// its length: every kFan values of a level fold into one value of the next. W streams side by side.
template <typename Op, int64_t W>
struct Cascade {
  static constexpr int kLevels = 4;
  static constexpr int kFan = 32;
  typename Op::Acc level[kLevels][W];
  int count[kLevels] = {};
  int top = 0;  // the highest level written so far; those above are not even initialised

  // Streams [0, w): a short reduction (a bias gradient's 32 rows) touches only the first level.
  explicit Cascade(int64_t w = W) { std::fill_n(level[0], w, Op::identity()); }
  // Called after one more value was folded into level[0][0..w).
  void carry(int64_t w) {
    for (int l = 0; l + 1 < kLevels && ++count[l] == kFan; ++l) {
      const bool first = l + 1 > top;  // the next level still holds (conceptually) the identity
      for (int64_t j = 0; j < w; ++j) {
        level[l + 1][j] = Op::combine(first ? Op::identity() : level[l + 1][j], level[l][j]);
        level[l][j] = Op::identity();
      }
      top = std::max(top, l + 1);
      count[l] = 0;
    }
  }
  // Combines the levels from the top down; unwritten levels would only combine the identity in.
  typename Op::Acc result(int64_t j) const {
    typename Op::Acc r = top == kLevels - 1 ? level[top][j] : Op::identity();
    for (int l = std::min(top, kLevels - 2); l >= 0; --l) r = Op::combine(r, level[l][j]);
    return r;
  }
};

// Folds the elements [begin, end) (flat, row-major) of `reduced` placed at base.
template <typename Op>
typename Op::Acc fold_range(StridedLayout<1>& reduced, const char* base, int64_t begin, int64_t end) {
  if (reduced.shape.size() == 1) {
    const int64_t stride = reduced.strides[0][0];
    return fold_row<Op>(base + begin * stride, stride, end - begin);
  }
  Cascade<Op, 1> total;
  reduced.data[0] = const_cast<char*>(base);
  auto rows = [&](char** p, const int64_t* s, int64_t n) {
    total.level[0][0] = Op::combine(total.level[0][0], fold_row<Op>(p[0], s[0], n));
    total.carry(1);
  };
  reduced.run_range(begin, end, rows);
  return total.result(0);
}

// Folds all `count` elements into one output, in chunks on all threads when there are several.
template <typename Op>
typename Op::Acc fold_output(StridedLayout<1>& reduced, const char* base, int64_t count) {
  const int64_t chunks = (count + kChunk - 1) / kChunk;
  if (chunks == 1) return fold_range<Op>(reduced, base, 0, count);
  struct Partial {  // not a bare Acc: std::vector<bool> elements can't be written concurrently
    typename Op::Acc value;
  };
  std::vector<Partial> partial(static_cast<size_t>(chunks));
  parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
    StridedLayout<1> layout = reduced;
    for (int64_t c = b; c < e; ++c)
      partial[c].value = fold_range<Op>(layout, base, c * kChunk, std::min(count, (c + 1) * kChunk));
  });
  Cascade<Op, 1> total;
  for (const Partial& p : partial) {
    total.level[0][0] = Op::combine(total.level[0][0], p.value);
    total.carry(1);
  }
  return total.result(0);
}

// Outputs o[0..n) whose first elements are contiguous in x: each reduced offset contributes a
// contiguous row of n values.
template <typename Op>
void fold_columns(typename Op::Out* o, const char* base, int64_t n, StridedLayout<1>& reduced, int64_t count) {
  using T = typename Op::In;
  constexpr int64_t kWidth = 256;
  for (int64_t c0 = 0; c0 < n; c0 += kWidth) {
    const int64_t w = std::min(kWidth, n - c0);
    Cascade<Op, kWidth> acc(w);
    reduced.data[0] = const_cast<char*>(base + c0 * static_cast<int64_t>(sizeof(T)));
    auto rows = [&](char** p, const int64_t* s, int64_t m) {
      for (int64_t i = 0; i < m; ++i) {
        const T* row = reinterpret_cast<const T*>(p[0] + i * s[0]);
        for (int64_t j = 0; j < w; ++j) acc.level[0][j] = Op::combine(acc.level[0][j], Op::load(row[j]));
        acc.carry(w);
      }
    };
    reduced.run_range(0, count, rows);
    for (int64_t j = 0; j < w; ++j) o[c0 + j] = Op::finish(acc.result(j), count);
  }
}

template <typename Op>
void run(const Tensor& out, const Tensor& kept, const Tensor& reduced) {
  using T = typename Op::In;
  using O = typename Op::Out;
  ACCEL_CHECK(out.dtype() == dtype_of_v<O>, "reduce: expected a ", name(dtype_of_v<O>), " output, got ",
              name(out.dtype()));
  const int64_t count = reduced.numel();
  if (count == 0) {
    std::fill_n(out.data_ptr<O>(), out.numel(), Op::finish(Op::identity(), 0));
    return;
  }
  constexpr int64_t kItem = sizeof(T);
  const StridedLayout<1> red({&reduced});
  const StridedLayout<2> outputs({&out, &kept});
  const size_t inner = outputs.shape.size() - 1;
  const bool columns = outputs.strides[1][inner] == kItem && red.strides[0][red.shape.size() - 1] != kItem &&
                       outputs.shape[inner] >= kMinColumns;
  // With fewer outputs than threads, outputs go one by one, each on all threads (fold_output).
  const bool few = !columns && outputs.numel < get_num_threads();
  const int64_t grain = few ? outputs.numel : std::max<int64_t>(1, kGrainSize / count);
  parallel_for(0, outputs.numel, grain, [&](int64_t begin, int64_t end) {
    StridedLayout<1> layout = red;
    auto segment = [&](char** p, const int64_t* s, int64_t n) {
      if (columns) return fold_columns<Op>(reinterpret_cast<O*>(p[0]), p[1], n, layout, count);
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) = Op::finish(fold_output<Op>(layout, p[1] + i * s[1], count), count);
    };
    outputs.run_range(begin, end, segment);
  });
}

// Runs Op<T, O> for out's dtype O: T itself, int64 for integral T, float32 for 16-bit floats.
template <template <typename, typename> class Op, typename T>
void run_into(ReduceOp op, const Tensor& out, const Tensor& kept, const Tensor& reduced) {
  if (out.dtype() == dtype_of_v<T>) return run<Op<T, T>>(out, kept, reduced);
  if constexpr (std::is_integral_v<T>) {
    if (out.dtype() == kInt64) return run<Op<T, int64_t>>(out, kept, reduced);
  } else if constexpr (!std::is_same_v<compute_type_t<T>, T>) {
    if (out.dtype() == kFloat32) return run<Op<T, float>>(out, kept, reduced);
  }
  ACCEL_FAIL("reduce: ", name(op), " of ", name(kept.dtype()), " into ", name(out.dtype()), " is not supported");
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& out, const Tensor& x, uint64_t reduce_mask) {
  if (out.numel() == 0) return;
  DimVector reduced_sizes, reduced_strides;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!(reduce_mask >> d & 1)) continue;
    reduced_sizes.push_back(x.size(d));
    reduced_strides.push_back(x.stride(d));
  }
  const Tensor kept = strided_view(x, out.sizes(), x.strides());
  const Tensor reduced = strided_view(x, reduced_sizes, reduced_strides);
  switch (op) {
    case ReduceOp::Sum:
      return ACCEL_DISPATCH(x.dtype(), "sum", [&]<typename T>() { run_into<Sum, T>(op, out, kept, reduced); });
    case ReduceOp::Mean:
      return ACCEL_DISPATCH_FLOAT(x.dtype(), "mean", [&]<typename T>() { run_into<Mean, T>(op, out, kept, reduced); });
    case ReduceOp::Prod:
      return ACCEL_DISPATCH(x.dtype(), "prod", [&]<typename T>() { run_into<Prod, T>(op, out, kept, reduced); });
    case ReduceOp::Max:
      return ACCEL_DISPATCH(x.dtype(), "max", [&]<typename T>() { run<Extremum<T, true>>(out, kept, reduced); });
    case ReduceOp::Min:
      return ACCEL_DISPATCH(x.dtype(), "min", [&]<typename T>() { run<Extremum<T, false>>(out, kept, reduced); });
    case ReduceOp::All:
      return ACCEL_DISPATCH(x.dtype(), "all", [&]<typename T>() { run<Logical<T, true>>(out, kept, reduced); });
    case ReduceOp::Any:
      return ACCEL_DISPATCH(x.dtype(), "any", [&]<typename T>() { run<Logical<T, false>>(out, kept, reduced); });
  }
}

namespace {

template <typename T, bool kMax>
struct Best {
  compute_type_t<T> value;
  int64_t index;
  // First occurrence wins; a NaN beats everything and is never replaced.
  void offer(compute_type_t<T> v, int64_t i) {
    if (!is_nan(value) && (is_nan(v) || (kMax ? v > value : v < value))) *this = {v, i};
  }
};

template <typename T, bool kMax>
Best<T, kMax> scan(const T* p, int64_t stride, int64_t begin, int64_t end) {
  Best<T, kMax> best{widen(p[begin * stride]), begin};
  for (int64_t i = begin + 1; i < end; ++i) best.offer(widen(p[i * stride]), i);
  return best;
}

template <typename T, bool kMax>
void arg_reduce_impl(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  const int64_t n = x.size(dim), stride = x.stride(dim);
  const int64_t chunks = std::clamp<int64_t>(n / kGrainSize, 1, get_num_threads());
  const Tensor starts = line_starts(x, x.sizes(), dim);
  const auto scan_line = [&](const T* p) {
    if (chunks == 1) return scan<T, kMax>(p, stride, 0, n);
    std::vector<Best<T, kMax>> partial(static_cast<size_t>(chunks));
    parallel_for(0, chunks, 1, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) partial[c] = scan<T, kMax>(p, stride, c * n / chunks, (c + 1) * n / chunks);
    });
    for (int64_t c = 1; c < chunks; ++c) partial[0].offer(partial[c].value, partial[c].index);
    return partial[0];
  };
  for_each_line<3>({&values, &indices, &starts}, n, [&](const std::array<char*, 3>& line) {
    const Best<T, kMax> best = scan_line(reinterpret_cast<const T*>(line[2]));
    *reinterpret_cast<T*>(line[0]) = static_cast<T>(best.value);
    *reinterpret_cast<int64_t*>(line[1]) = best.index;
  });
}

}  // namespace

void CpuBackend::arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  ACCEL_DISPATCH(x.dtype(), is_max ? "argmax" : "argmin", [&]<typename T>() {
    if (is_max) arg_reduce_impl<T, true>(values, indices, x, dim);
    else arg_reduce_impl<T, false>(values, indices, x, dim);
  });
}

}  // namespace accel::cpu
