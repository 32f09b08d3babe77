// Front end of the reductions, scans and sorting: PyTorch's dtype rules and checks, then one
// Backend call; var, std, norm and logsumexp are compositions of other ops.
#include <algorithm>
#include <cmath>
#include <limits>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::TensorList;
using ops::check_defined;

// The gradient arrives in the keepdim shape and is spread over the reduced elements.
struct SumBackward final : Node {
  SumBackward(IntArrayRef sizes, DimVector keepdim_sizes) : sizes(sizes), keepdim_sizes(std::move(keepdim_sizes)) {}
  const char* name() const override { return "SumBackward"; }
  TensorList apply(TensorList&& g) override { return {g[0].reshape(keepdim_sizes).expand(sizes)}; }
  DimVector sizes, keepdim_sizes;
};

bool reduced(uint64_t mask, int64_t d) { return mask >> d & 1; }

DimVector keepdim_shape(const Tensor& x, uint64_t mask) {
  DimVector shape(x.sizes());
  for (int64_t d = 0; d < x.dim(); ++d)
    if (reduced(mask, d)) shape[d] = 1;
  return shape;
}

// A keepdim-shaped result, without the reduced dims unless keepdim.
Tensor drop_reduced(const Tensor& out, const Tensor& x, uint64_t mask, bool keepdim) {
  if (keepdim) return out;
  DimVector shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!reduced(mask, d)) shape.push_back(x.size(d));
  return out.view(shape);
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
  const Tensor input = accumulates_into(x.dtype(), out_dtype) ? x : x.to(out_dtype);
  DimVector shape = keepdim_shape(x, mask);
  Tensor out = empty(shape, {.dtype = out_dtype, .device = x.device()});
  backend(x.device()).reduce(op, out, input, mask);
  out = drop_reduced(out, x, mask, keepdim);
  if (op == ReduceOp::Sum && autograd::should_record(x))
    autograd::set_history(out, *autograd::make_node<SumBackward>({&x}, x.sizes(), std::move(shape)));
  return out;
}

// Sum and prod: bool and integers accumulate into int64 unless a dtype is given.
Tensor accumulate(ReduceOp op, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, name(op));
  const uint64_t mask = ops::dims_mask(x, dims, name(op));
  return run_reduce(op, x, mask, keepdim, dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype()));
}

Tensor extremum(ReduceOp op, const Tensor& x, IntArrayRef dims, bool keepdim, const char* opname) {
  check_defined(x, opname);
  const uint64_t mask = ops::dims_mask(x, dims, opname);
  check_nonempty(x, mask, opname);
  return run_reduce(op, x, mask, keepdim, x.dtype());
}

Tensor logical(ReduceOp op, const Tensor& x, IntArrayRef dims, bool keepdim) {
  check_defined(x, name(op));
  const Tensor r = run_reduce(op, x, ops::dims_mask(x, dims, name(op)), keepdim, kBool);
  return x.dtype() == kUInt8 ? r.to(kUInt8) : r;  // as in PyTorch
}

Tensor as_1d(const Tensor& t) { return t.dim() == 0 ? t.view({1}) : t; }

std::tuple<Tensor, Tensor> arg_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim, const char* op) {
  check_defined(x, op);
  const int64_t d = wrap_dim(dim, x.dim(), op);
  const Tensor input = as_1d(x);
  ACCEL_CHECK(input.size(d) != 0, op, ": expected reduction dim ", d, " to have non-zero size, got shape ", x.sizes());
  DimVector shape(input.sizes());
  shape[d] = 1;
  Tensor values = empty(shape, {.dtype = x.dtype(), .device = x.device()});
  Tensor indices = empty(shape, {.dtype = kInt64, .device = x.device()});
  backend(x.device()).arg_reduce(is_max, values, indices, input, d);
  if (x.dim() == 0) return {values.view({}), indices.view({})};
  if (!keepdim) return {values.squeeze(d), indices.squeeze(d)};
  return {values, indices};
}

Tensor arg_index(bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim, const char* op) {
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
  Tensor values = empty(shape, {.dtype = x.dtype(), .device = x.device()});
  Tensor indices = empty(shape, {.dtype = kInt64, .device = x.device()});
  if (k == input.size(d)) backend(x.device()).sort(values, indices, input, d, largest, true);
  else backend(x.device()).topk(values, indices, input, k, d, largest, sorted);
  if (x.dim() == 0 && k == 1) return {values.view({}), indices.view({})};
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  return accumulate(ReduceOp::Sum, x, dims, keepdim, dtype);
}

Tensor prod(const Tensor& x, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  if (!dim) return accumulate(ReduceOp::Prod, x, {}, false, dtype);
  return accumulate(ReduceOp::Prod, x, *dim, keepdim, dtype);
}

Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "mean");
  const DType out = dtype.value_or(x.dtype());
  ACCEL_CHECK(is_floating_point(out), "mean: could not infer the output dtype: the input dtype must be floating point, got ",
              name(out));
  return run_reduce(ReduceOp::Mean, x, ops::dims_mask(x, dims, "mean"), keepdim, out);
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
Tensor var(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  check_floating(x, "var");
  const uint64_t mask = ops::dims_mask(x, dims, "var");
  const Tensor input = widened(x);
  const Tensor centered = input - mean(input, dims, true);
  const double divisor = static_cast<double>(std::max<int64_t>(0, reduced_count(x, mask) - correction));
  return (sum(centered * centered, dims, keepdim) / divisor).to(x.dtype());
}

Tensor std(const Tensor& x, IntArrayRef dims, int64_t correction, bool keepdim) {
  check_floating(x, "std");
  return sqrt(var(widened(x), dims, correction, keepdim)).to(x.dtype());
}

Tensor norm(const Tensor& x, double p, IntArrayRef dims, bool keepdim) {
  check_floating(x, "norm");
  const uint64_t mask = ops::dims_mask(x, dims, "norm");
  const Tensor input = widened(x);
  const Tensor magnitude = abs(input);
  Tensor r;
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
  return r.to(x.dtype());
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
  return drop_reduced(r, x, mask, keepdim).to(dtype);
}

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  check_defined(x, "cumsum");
  const int64_t d = wrap_dim(dim, x.dim(), "cumsum");
  const Tensor input = as_1d(x.to(dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype())));
  Tensor out = empty(input.sizes(), {.dtype = input.dtype(), .device = x.device()});
  backend(x.device()).cumsum(out, input, d);
  return x.dim() == 0 ? out.view({}) : out;
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
