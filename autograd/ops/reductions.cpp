// Front end of the reductions, scans and sorting: PyTorch's dtype rules and checks, then one
// Backend call; var and logsumexp are compositions of other ops. Outputs are fresh tensors (the
// kernels write through keepdim views of them), so in-place ops on them never see a view.
#include <algorithm>
#include <cmath>
#include <limits>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::SavedTensor;
using autograd::TensorList;
using ops::check_defined;

// ---- backward ----
// Gradients of reductions arrive in the output's shape; formulas view them with the reduced dims
// kept (size 1) and let broadcasting spread them over the input.

struct SumBackward final : Node {
  SumBackward(IntArrayRef sizes, IntArrayRef keepdim_sizes) : sizes(sizes), keepdim_sizes(keepdim_sizes) {}
  const char* name() const override { return "SumBackward"; }
  TensorList apply(TensorList&& g) override { return {g[0].reshape(keepdim_sizes).expand(sizes)}; }
  DimVector sizes, keepdim_sizes;
};

struct MeanBackward final : Node {
  MeanBackward(IntArrayRef sizes, IntArrayRef keepdim_sizes, int64_t count)
      : sizes(sizes), keepdim_sizes(keepdim_sizes), count(count) {}
  const char* name() const override { return "MeanBackward"; }
  TensorList apply(TensorList&& g) override {
    return {(g[0] / static_cast<double>(count)).reshape(keepdim_sizes).expand(sizes)};
  }
  DimVector sizes, keepdim_sizes;
  int64_t count;
};

// grad * (product of the other elements of the slice), exact with zeros: where a slice has no
// zero that is result / x; with one zero, only the zero gets a gradient (the product of the
// rest). All tensors have dim d kept.
Tensor prod_grad(const Tensor& grad, const Tensor& x, const Tensor& result, int64_t d) {
  const Tensor zero = x.eq(0);
  if (!zero.any().item<bool>()) return grad * (result / x);
  const Tensor count = zero.sum({d}, true);
  const Tensor nonzero = where(zero, 1, x);
  // At a zero the product of the others is that of the nonzeros times the other zeros: 1 for a
  // lone zero, the other zero's value for two (0, written so that its derivative survives for
  // double backward), and 0 to second order beyond.
  const Tensor other_zero = where(zero, x, 0).sum({d}, true) - x;
  const Tensor other_zeros = where(count == 1, 1, where(count == 2, other_zero, 0));
  return grad * where(zero, prod(nonzero, d, true) * other_zeros, result / nonzero);
}

struct ProdBackward final : Node {
  ProdBackward(std::optional<int64_t> dim, bool keepdim) : dim(dim), keepdim(keepdim) {}
  const char* name() const override { return "ProdBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = self.unpack(this), r = result.unpack(this);
    if (x.dim() == 0) return {g[0]};
    if (!dim) return {prod_grad(g[0].view({1}), x.reshape({-1}), r.view({1}), 0).view(x.sizes())};
    const bool squeezed = !keepdim;
    return {prod_grad(squeezed ? g[0].unsqueeze(*dim) : g[0], x, squeezed ? r.unsqueeze(*dim) : r, *dim)};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  std::optional<int64_t> dim;  // wrapped; none for the product of all elements
  bool keepdim;
  SavedTensor self, result;
};

// max(), min(), amax, amin: ties share the gradient evenly, as in PyTorch (a NaN result comes
// from the NaN elements).
struct ExtremumBackward final : Node {
  ExtremumBackward(DimVector dims, IntArrayRef keepdim_sizes) : dims(std::move(dims)), keepdim_sizes(keepdim_sizes) {}
  const char* name() const override { return "ExtremumBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = self.unpack(this), r = result.unpack(this).reshape(keepdim_sizes);
    const Tensor mask = x.eq(r).logical_or(isnan(x).logical_and(isnan(r)));
    const Tensor share = mask.to(g[0].dtype()) / mask.sum(dims, true);
    return {g[0].reshape(keepdim_sizes) * share};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  DimVector dims, keepdim_sizes;
  SavedTensor self, result;
};

// max(dim), min(dim), topk, sort: each value's gradient goes to the element it was taken from.
struct ValueSelectBackward final : Node {
  ValueSelectBackward(int64_t dim, IntArrayRef sizes, IntArrayRef input_sizes)
      : dim(dim), sizes(sizes), input_sizes(input_sizes) {}
  const char* name() const override { return "ValueSelectBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor index = indices.unpack(this);
    const Tensor grad = zeros(sizes, g[0].options()).scatter(dim, index, g[0].reshape(index.sizes()));
    return {grad.reshape(input_sizes)};
  }
  void release_saved() override { indices.reset(); }
  int64_t dim;
  DimVector sizes, input_sizes;  // sizes: of the input viewed as at least 1-D
  SavedTensor indices;           // with dim kept
};

// Zero where the result is zero, which PyTorch picks for sqrt's infinite slope there (the
// elements of such a slice are all equal, or all zero for norms).
Tensor over_nonzero(const Tensor& grad, const Tensor& r) {
  const Tensor is_zero = r.eq(0);
  return grad.masked_fill(is_zero, 0) / r.masked_fill(is_zero, 1);
}

struct StdBackward final : Node {
  StdBackward(DimVector dims, IntArrayRef keepdim_sizes, double divisor)
      : dims(std::move(dims)), keepdim_sizes(keepdim_sizes), divisor(divisor) {}
  const char* name() const override { return "StdBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = self.unpack(this), r = result.unpack(this).reshape(keepdim_sizes);
    return {over_nonzero(g[0].reshape(keepdim_sizes), r) * (x - x.mean(dims, true)) / divisor};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  DimVector dims, keepdim_sizes;
  double divisor;
  SavedTensor self, result;
};

// PyTorch's norm_backward: the gradient at a zero norm is 0 (not sqrt's nan), and at zero
// elements 0 for p < 1.
struct NormBackward final : Node {
  NormBackward(double p, DimVector dims, IntArrayRef keepdim_sizes)
      : p(p), dims(std::move(dims)), keepdim_sizes(keepdim_sizes) {}
  const char* name() const override { return "NormBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor x = self.unpack(this);
    if (p == 0) return {zeros_like(x, {.dtype = g[0].dtype()})};
    const Tensor grad = g[0].reshape(keepdim_sizes);
    if (p == 1) return {sign(x) * grad};
    const Tensor r = result.unpack(this).reshape(keepdim_sizes);
    if (p == 2) return {x * over_nonzero(grad, r)};
    const Tensor magnitude = abs(x);
    if (std::isinf(p)) {
      const Tensor mask = magnitude.eq(r).logical_or(isnan(magnitude));
      return {sign(x) * grad * (mask.to(grad.dtype()) / mask.sum(dims, true))};
    }
    if (p < 1) {
      const Tensor scaled = sign(x) * pow(magnitude.masked_fill(x.eq(0), 1), p - 1);
      return {scaled * grad * pow(r, 1 - p)};
    }
    const Tensor scaled = p < 2 ? sign(x) * pow(magnitude, p - 1) : x * pow(magnitude, p - 2);
    return {scaled * over_nonzero(grad, pow(r, p - 1))};
  }
  void release_saved() override {
    self.reset();
    result.reset();
  }
  double p;
  DimVector dims, keepdim_sizes;
  SavedTensor self, result;
};

// The gradient of an inclusive prefix sum is the suffix sum of the gradient.
struct CumsumBackward final : Node {
  explicit CumsumBackward(int64_t dim) : dim(dim) {}
  const char* name() const override { return "CumsumBackward"; }
  TensorList apply(TensorList&& g) override {
    if (g[0].dim() == 0) return {g[0]};
    return {flip(flip(g[0], {dim}).cumsum(dim), {dim})};
  }
  int64_t dim;
};

// ---- forward ----

bool reduced(uint64_t mask, int64_t d) { return mask >> d & 1; }

DimVector keepdim_shape(const Tensor& x, uint64_t mask) {
  DimVector shape(x.sizes());
  for (int64_t d = 0; d < x.dim(); ++d)
    if (reduced(mask, d)) shape[d] = 1;
  return shape;
}

DimVector output_shape(const Tensor& x, uint64_t mask, bool keepdim) {
  if (keepdim) return keepdim_shape(x, mask);
  DimVector shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!reduced(mask, d)) shape.push_back(x.size(d));
  return shape;
}

DimVector reduced_dims(const Tensor& x, uint64_t mask) {
  DimVector dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (reduced(mask, d)) dims.push_back(d);
  return dims;
}

int64_t reduced_count(const Tensor& x, uint64_t mask) {
  int64_t n = 1;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (reduced(mask, d)) n *= x.size(d);
  return n;
}

// Max, min and the inf-norms have no identity: every reduced dim must be non-empty.
void check_nonempty(const Tensor& x, uint64_t mask, const char* op) {
  for (int64_t d = 0; d < x.dim(); ++d)
    ACCEL_CHECK(!reduced(mask, d) || x.size(d) != 0, op, ": expected reduction dim ", d,
                " to have non-zero size, got shape ", x.sizes());
}

bool is_16bit_float(DType t) { return t == kFloat16 || t == kBFloat16; }

// Whether the reduce kernel reads `in` directly into an `out` accumulation dtype.
bool accumulates_into(DType in, DType out) {
  return in == out || (is_integral(in, true) && out == kInt64) || (is_16bit_float(in) && out == kFloat32);
}

Tensor run_reduce(ReduceOp op, const Tensor& x, uint64_t mask, bool keepdim, DType out_dtype) {
  NoGradGuard no_grad;
  const Tensor input = accumulates_into(x.dtype(), out_dtype) ? x : x.to(out_dtype);
  Tensor out = empty(output_shape(x, mask, keepdim), {.dtype = out_dtype, .device = x.device()});
  backend(x.device()).reduce(op, out.view(keepdim_shape(x, mask)), input, mask);
  return out;
}

Tensor record_sum(Tensor out, const Tensor& x, uint64_t mask) {
  if (autograd::should_record(x))
    autograd::set_history(out, *autograd::make_node<SumBackward>({&x}, x.sizes(), keepdim_shape(x, mask)));
  return out;
}

Tensor record_extremum(Tensor out, const Tensor& x, uint64_t mask) {
  if (!autograd::should_record(x)) return out;
  auto node = autograd::make_node<ExtremumBackward>({&x}, reduced_dims(x, mask), keepdim_shape(x, mask));
  node->self = SavedTensor(x);
  autograd::set_history(out, *node);
  node->result = SavedTensor(out, true);
  return out;
}

// Sum and prod: bool and integers accumulate into int64 unless a dtype is given.
Tensor accumulate(ReduceOp op, const Tensor& x, uint64_t mask, bool keepdim, std::optional<DType> dtype) {
  return run_reduce(op, x, mask, keepdim, dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype()));
}

Tensor extremum(ReduceOp op, const Tensor& x, IntArrayRef dims, bool keepdim, const char* opname) {
  check_defined(x, opname);
  const uint64_t mask = ops::dims_mask(x, dims, opname);
  check_nonempty(x, mask, opname);
  return record_extremum(run_reduce(op, x, mask, keepdim, x.dtype()), x, mask);
}

Tensor logical(ReduceOp op, const Tensor& x, IntArrayRef dims, bool keepdim) {
  check_defined(x, name(op));
  const Tensor r = run_reduce(op, x, ops::dims_mask(x, dims, name(op)), keepdim, kBool);
  return x.dtype() == kUInt8 ? r.to(kUInt8) : r;  // as in PyTorch
}

Tensor as_1d(const Tensor& t) { return t.dim() == 0 ? t.view({1}) : t; }

// Attaches the values of a value-selecting op (indices: with dim kept, of the input viewed as at
// least 1-D).
void record_selection(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) {
  if (!autograd::should_record(x)) return;
  auto node = autograd::make_node<ValueSelectBackward>({&x}, dim, as_1d(x).sizes(), x.sizes());
  node->indices = SavedTensor(indices);
  autograd::set_history(values, *node);
}

std::tuple<Tensor, Tensor> arg_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim, const char* op) {
  check_defined(x, op);
  const int64_t d = wrap_dim(dim, x.dim(), op);
  const Tensor input = as_1d(x);
  ACCEL_CHECK(input.size(d) != 0, op, ": expected reduction dim ", d, " to have non-zero size, got shape ", x.sizes());
  DimVector shape(input.sizes());
  shape[d] = 1;
  const DimVector out_shape = x.dim() == 0 ? DimVector() : output_shape(x, uint64_t{1} << d, keepdim);
  Tensor values = empty(out_shape, {.dtype = x.dtype(), .device = x.device()});
  Tensor indices = empty(out_shape, {.dtype = kInt64, .device = x.device()});
  const Tensor kept_indices = indices.view(shape);
  backend(x.device()).arg_reduce(is_max, values.view(shape), kept_indices, input, d);
  record_selection(values, kept_indices, x, d);
  return {values, indices};
}

Tensor arg_index(bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim, const char* op) {
  NoGradGuard no_grad;
  if (dim) return std::get<1>(arg_reduce(is_max, x, *dim, keepdim, op));
  check_defined(x, op);
  ACCEL_CHECK(x.numel() != 0, op, ": expected a dim to reduce over for an empty input (shape ", x.sizes(), ")");
  const Tensor index = std::get<1>(arg_reduce(is_max, x.reshape({-1}), 0, false, op));
  return keepdim ? index.view(DimVector(static_cast<size_t>(x.dim()), 1)) : index;
}

// var, std, norm and logsumexp compute 16-bit floats in float32 and round the result once.
Tensor widened(const Tensor& x) { return is_16bit_float(x.dtype()) ? x.to(kFloat32) : x; }

void check_floating(const Tensor& x, const char* op) {
  check_defined(x, op);
  ACCEL_CHECK(x.is_floating_point(), op, ": expected a floating point tensor, got ", name(x.dtype()));
}

std::tuple<Tensor, Tensor> sort_or_topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted,
                                        const char* op) {
  const int64_t d = wrap_dim(dim, x.dim(), op);
  const Tensor input = as_1d(x);
  ACCEL_CHECK(k >= 0 && k <= input.size(d), op, ": k (", k, ") is out of range for dimension ", d, " of size ",
              input.size(d));
  DimVector shape(input.sizes());
  shape[d] = k;
  const DimVector out_shape = x.dim() == 0 && k == 1 ? DimVector() : shape;
  Tensor values = empty(out_shape, {.dtype = x.dtype(), .device = x.device()});
  Tensor indices = empty(out_shape, {.dtype = kInt64, .device = x.device()});
  const Tensor kept_values = values.view(shape), kept_indices = indices.view(shape);
  if (k == input.size(d)) backend(x.device()).sort(kept_values, kept_indices, input, d, largest, true);
  else backend(x.device()).topk(kept_values, kept_indices, input, k, d, largest, sorted);
  record_selection(values, kept_indices, x, d);
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "sum");
  const uint64_t mask = ops::dims_mask(x, dims, "sum");
  return record_sum(accumulate(ReduceOp::Sum, x, mask, keepdim, dtype), x, mask);
}

Tensor prod(const Tensor& x, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "prod");
  const std::optional<int64_t> d = dim ? std::optional(wrap_dim(*dim, x.dim(), "prod")) : std::nullopt;
  const uint64_t mask = d ? ops::dims_mask(x, *d, "prod") : ops::dims_mask(x, {}, "prod");
  Tensor out = accumulate(ReduceOp::Prod, x, mask, d && keepdim, dtype);
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<ProdBackward>({&x}, d, keepdim);
    node->self = SavedTensor(x);
    autograd::set_history(out, *node);
    node->result = SavedTensor(out, true);
  }
  return out;
}

Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "mean");
  const DType out_dtype = dtype.value_or(x.dtype());
  ACCEL_CHECK(is_floating_point(out_dtype),
              "mean: could not infer the output dtype: the input dtype must be floating point, got ", name(out_dtype));
  const uint64_t mask = ops::dims_mask(x, dims, "mean");
  Tensor out = run_reduce(ReduceOp::Mean, x, mask, keepdim, out_dtype);
  if (autograd::should_record(x))
    autograd::set_history(
        out, *autograd::make_node<MeanBackward>({&x}, x.sizes(), keepdim_shape(x, mask), reduced_count(x, mask)));
  return out;
}

Tensor max(const Tensor& x) { return extremum(ReduceOp::Max, x, {}, false, "max"); }
Tensor min(const Tensor& x) { return extremum(ReduceOp::Min, x, {}, false, "min"); }
Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) { return extremum(ReduceOp::Max, x, dims, keepdim, "amax"); }
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) { return extremum(ReduceOp::Min, x, dims, keepdim, "amin"); }

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(true, x, dim, keepdim, "max");
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return arg_reduce(false, x, dim, keepdim, "min");
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_index(true, x, dim, keepdim, "argmax"); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_index(false, x, dim, keepdim, "argmin"); }

Tensor all(const Tensor& x, IntArrayRef dims, bool keepdim) { return logical(ReduceOp::All, x, dims, keepdim); }
Tensor any(const Tensor& x, IntArrayRef dims, bool keepdim) { return logical(ReduceOp::Any, x, dims, keepdim); }

// Two passes (mean, then squared deviations) for accuracy. As in PyTorch, a correction at least
// the element count divides by zero (inf or nan).
double var_divisor(const Tensor& x, IntArrayRef dims, int64_t correction, const char* op) {
  return static_cast<double>(std::max<int64_t>(0, reduced_count(x, ops::dims_mask(x, dims, op)) - correction));
}

Tensor var(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  check_floating(x, "var");
  const double divisor = var_divisor(x, dims, correction, "var");
  const Tensor input = widened(x);
  const Tensor centered = input - mean(input, dims, true);
  return (sum(centered * centered, dims, keepdim) / divisor).to(x.dtype());
}

// Its own node: through sqrt, a constant slice (std 0) would get nan instead of PyTorch's 0.
Tensor std(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  check_floating(x, "std");
  const double divisor = var_divisor(x, dims, correction, "std");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sqrt(var(widened(x), dims, correction, keepdim)).to(x.dtype());
  }
  if (autograd::should_record(x)) {
    const uint64_t mask = ops::dims_mask(x, dims, "std");
    auto node = autograd::make_node<StdBackward>({&x}, reduced_dims(x, mask), keepdim_shape(x, mask), divisor);
    node->self = SavedTensor(x);
    autograd::set_history(out, *node);
    node->result = SavedTensor(out, true);
  }
  return out;
}

// Its own node: the compositions would give nan at a zero norm (sqrt, pow) and no gradient at
// all for p = 0.
Tensor norm(const Tensor& x, double p, IntArrayRef dims, bool keepdim) {
  check_floating(x, "norm");
  const uint64_t mask = ops::dims_mask(x, dims, "norm");
  Tensor r;
  {
    NoGradGuard no_grad;
    const Tensor input = widened(x);
    const Tensor magnitude = abs(input);
    if (std::isinf(p)) {
      check_nonempty(x, mask, "norm");
      r = p > 0 ? amax(magnitude, dims, keepdim) : amin(magnitude, dims, keepdim);
    } else if (p == 0) {
      r = sum(input.ne(0), dims, keepdim).to(input.dtype());
    } else if (p == 1) {
      r = sum(magnitude, dims, keepdim);
    } else if (p == 2) {
      r = sqrt(sum(magnitude * magnitude, dims, keepdim));
    } else {
      r = pow(sum(pow(magnitude, p), dims, keepdim), 1.0 / p);
    }
    r = r.to(x.dtype());
  }
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<NormBackward>({&x}, p, reduced_dims(x, mask), keepdim_shape(x, mask));
    node->self = SavedTensor(x);
    autograd::set_history(r, *node);
    if (p != 0 && p != 1) node->result = SavedTensor(r, true);
  }
  return r;
}

// log(sum(exp(x - m))) + m with m the max (0 where infinite, so all -inf gives -inf, not nan).
Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim) {
  check_defined(x, "logsumexp");
  const DType dtype = x.is_floating_point() ? x.dtype() : default_dtype();
  const Tensor input = widened(x.to(dtype));
  const uint64_t mask = ops::dims_mask(x, dims, "logsumexp");
  if (reduced_count(x, mask) == 0) return log(sum(exp(input), dims, keepdim)).to(dtype);
  const Tensor m = amax(input, dims, true);
  const Tensor shift = masked_fill(m, isinf(m), 0);
  const Tensor r = log(sum(exp(input - shift), dims, true)) + shift;
  return (keepdim ? r : r.view(output_shape(x, mask, false))).to(dtype);
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  check_defined(x, "cumsum");
  const int64_t d = wrap_dim(dim, x.dim(), "cumsum");
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor input = as_1d(x.to(dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype())));
    out = empty(x.sizes(), {.dtype = input.dtype(), .device = x.device()});
    backend(x.device()).cumsum(as_1d(out), input, d);
  }
  if (autograd::should_record(x)) autograd::set_history(out, *autograd::make_node<CumsumBackward>({&x}, d));
  return out;
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  check_defined(x, "topk");
  return sort_or_topk(x, k, dim, largest, sorted, "topk");
}

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending, bool /*stable: sorting always is*/) {
  check_defined(x, "sort");
  return sort_or_topk(x, as_1d(x).size(wrap_dim(dim, x.dim(), "sort")), dim, descending, true, "sort");
}

Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  NoGradGuard no_grad;
  return std::get<1>(sort(x, dim, descending, stable));
}

// ---- Tensor methods ----
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<DType> dtype) const {
  return accel::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<DType> dtype) const {
  return accel::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) const {
  return accel::prod(*this, dim, keepdim, dtype);
}
Tensor Tensor::max() const { return accel::max(*this); }
Tensor Tensor::min() const { return accel::min(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const { return accel::max(*this, dim, keepdim); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const { return accel::min(*this, dim, keepdim); }
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const { return accel::amax(*this, dims, keepdim); }
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const { return accel::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return accel::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return accel::argmin(*this, dim, keepdim); }
Tensor Tensor::var(IntArrayRef dims, int64_t correction, bool keepdim) const {
  return accel::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(IntArrayRef dims, int64_t correction, bool keepdim) const {
  return accel::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm(double p, IntArrayRef dims, bool keepdim) const { return accel::norm(*this, p, dims, keepdim); }
Tensor Tensor::all(IntArrayRef dims, bool keepdim) const { return accel::all(*this, dims, keepdim); }
Tensor Tensor::any(IntArrayRef dims, bool keepdim) const { return accel::any(*this, dims, keepdim); }
Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const { return accel::logsumexp(*this, dims, keepdim); }
Tensor Tensor::cumsum(int64_t dim, std::optional<DType> dtype) const { return accel::cumsum(*this, dim, dtype); }
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return accel::topk(*this, k, dim, largest, sorted);
}
std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending, bool stable) const {
  return accel::sort(*this, dim, descending, stable);
}
Tensor Tensor::argsort(int64_t dim, bool descending, bool stable) const {
  return accel::argsort(*this, dim, descending, stable);
}

}  // namespace accel
