#include <accel/tensor/factories.h>

#include <cmath>

#include <accel/tensor/backend.h>
#include <accel/tensor/ops.h>

namespace accel {
namespace {

DType float_dtype(const TensorOptions& o, const char* op) {
  const DType t = o.dtype.value_or(default_dtype());
  ACCEL_CHECK(is_floating_point(t), op, ": expected a floating dtype, got ", name(t));
  return t;
}

Tensor finish(const Tensor& t, const TensorOptions& o) {
  if (o.requires_grad) t.requires_grad_(true);
  return t;
}

TensorOptions like_options(const Tensor& like, const TensorOptions& o) {
  ACCEL_CHECK(like.defined(), "*_like: the tensor is undefined");
  return {.dtype = o.dtype.value_or(like.dtype()),
          .device = o.device == Device::cpu() ? like.device() : o.device,
          .requires_grad = o.requires_grad};
}

}  // namespace

Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, TensorOptions options) {
  ACCEL_CHECK(sizes.size() == strides.size(), "empty_strided: ", sizes.size(), " sizes but ", strides.size(),
              " strides");
  const DType dtype = options.dtype.value_or(default_dtype());
  int64_t span = 1;  // elements from the first to one past the last
  numel_of(sizes);
  for (size_t i = 0; i < sizes.size(); ++i) {
    ACCEL_CHECK(strides[i] >= 0, "empty_strided: negative stride in ", strides);
    if (sizes[i] == 0) span = 0;
    else if (span) span += (sizes[i] - 1) * strides[i];
  }
  Backend& b = backend(options.device);
  auto storage = Storage::make(static_cast<size_t>(span * itemsize(dtype)), b.allocator(options.device.index),
                               options.device);
  Tensor t(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, DimVector(sizes), DimVector(strides), 0));
  return finish(t, options);
}

Tensor empty(IntArrayRef sizes, TensorOptions options) {
  const DType dtype = options.dtype.value_or(default_dtype());
  const int64_t n = numel_of(sizes);
  Backend& b = backend(options.device);
  auto storage =
      Storage::make(static_cast<size_t>(n * itemsize(dtype)), b.allocator(options.device.index), options.device);
  Tensor t(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, DimVector(sizes), contiguous_strides(sizes), 0));
  return finish(t, options);
}

Tensor full(IntArrayRef sizes, Scalar value, TensorOptions options) {
  if (!options.dtype) options.dtype = value.dtype();
  const bool grad = options.requires_grad;
  options.requires_grad = false;
  Tensor t = empty(sizes, options);
  backend(t.device()).fill(t, value);
  return finish(t, {.requires_grad = grad});
}

Tensor zeros(IntArrayRef sizes, TensorOptions options) {
  if (!options.dtype) options.dtype = default_dtype();
  return full(sizes, 0, options);
}

Tensor ones(IntArrayRef sizes, TensorOptions options) {
  if (!options.dtype) options.dtype = default_dtype();
  return full(sizes, 1, options);
}

Tensor arange(Scalar end, TensorOptions options) { return arange(0, end, 1, options); }

Tensor arange(Scalar start, Scalar end, Scalar step, TensorOptions options) {
  const bool all_integral = !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point();
  const DType dtype = options.dtype.value_or(all_integral ? kInt64 : default_dtype());
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  ACCEL_CHECK(st != 0, "arange: step must be nonzero");
  ACCEL_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ", s, " and ", e);
  ACCEL_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange: upper bound and lower bound inconsistent with step sign (start ",
              s, ", end ", e, ", step ", st, ")");
  const int64_t n = all_integral ? (end.to_int64() - start.to_int64() + step.to_int64() - (st > 0 ? 1 : -1)) / step.to_int64()
                                 : static_cast<int64_t>(std::ceil((e - s) / st));
  Tensor t = empty({n}, {.dtype = dtype, .device = options.device});
  backend(t.device()).arange(t, s, st);
  return finish(t, options);
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions options) {
  ACCEL_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  const DType dtype = options.dtype.value_or(default_dtype());
  Tensor t = empty({steps}, {.dtype = dtype, .device = options.device});
  if (steps == 1) backend(t.device()).fill(t, start);
  else if (steps > 1) backend(t.device()).arange(t, start, (end - start) / static_cast<double>(steps - 1));
  return finish(t, options);
}

Tensor eye(int64_t n, TensorOptions options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, TensorOptions options) {
  ACCEL_CHECK(n >= 0 && m >= 0, "eye: sizes must be non-negative, got ", n, " and ", m);
  const bool grad = options.requires_grad;
  options.requires_grad = false;
  Tensor t = zeros({n, m}, options);
  const int64_t k = std::min(n, m);
  if (k > 0) backend(t.device()).fill(t.as_strided({k}, {m + 1}), 1);
  return finish(t, {.requires_grad = grad});
}

Tensor rand(IntArrayRef sizes, TensorOptions options, Generator* generator) {
  const DType dtype = float_dtype(options, "rand");
  Tensor t = empty(sizes, {.dtype = dtype, .device = options.device});
  backend(t.device()).uniform(t, 0.0, 1.0, generator ? *generator : default_generator());
  return finish(t, options);
}

Tensor randn(IntArrayRef sizes, TensorOptions options, Generator* generator) {
  const DType dtype = float_dtype(options, "randn");
  Tensor t = empty(sizes, {.dtype = dtype, .device = options.device});
  backend(t.device()).normal(t, 0.0, 1.0, generator ? *generator : default_generator());
  return finish(t, options);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions options, Generator* generator) {
  ACCEL_CHECK(low < high, "randint: expected low < high, got low ", low, " and high ", high);
  Tensor t = empty(sizes, {.dtype = options.dtype.value_or(kInt64), .device = options.device});
  backend(t.device()).random_int(t, low, high, generator ? *generator : default_generator());
  return finish(t, options);
}

Tensor randint(int64_t high, IntArrayRef sizes, TensorOptions options, Generator* generator) {
  return randint(0, high, sizes, options, generator);
}

Tensor randperm(int64_t n, TensorOptions options, Generator* generator) {
  ACCEL_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  // Sorting random 62-bit keys gives a uniform permutation (ties have probability ~n^2 / 2^62) and
  // is the same on every device for a given seed.
  const Tensor keys = randint(0, int64_t{1} << 62, {n}, {.device = options.device}, generator);
  Tensor perm = argsort(keys, 0, false, true);
  if (options.dtype && *options.dtype != kInt64) perm = perm.to(*options.dtype);
  return perm;
}

Tensor empty_like(const Tensor& like, TensorOptions options) { return empty(like.sizes(), like_options(like, options)); }
Tensor zeros_like(const Tensor& like, TensorOptions options) { return zeros(like.sizes(), like_options(like, options)); }
Tensor ones_like(const Tensor& like, TensorOptions options) { return ones(like.sizes(), like_options(like, options)); }
Tensor full_like(const Tensor& like, Scalar value, TensorOptions options) {
  return full(like.sizes(), value, like_options(like, options));
}
Tensor rand_like(const Tensor& like, TensorOptions options) { return rand(like.sizes(), like_options(like, options)); }
Tensor randn_like(const Tensor& like, TensorOptions options) { return randn(like.sizes(), like_options(like, options)); }

Tensor from_blob(void* data, IntArrayRef sizes, TensorOptions options, std::function<void(void*)> deleter) {
  return from_blob(data, sizes, contiguous_strides(sizes), options, std::move(deleter));
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, TensorOptions options,
                 std::function<void(void*)> deleter) {
  ACCEL_CHECK(sizes.size() == strides.size(), "from_blob: ", sizes.size(), " sizes but ", strides.size(), " strides");
  const DType dtype = options.dtype.value_or(default_dtype());
  int64_t span = numel_of(sizes) > 0 ? 1 : 0;
  for (size_t i = 0; i < sizes.size() && span; ++i) span += (sizes[i] - 1) * strides[i];
  ACCEL_CHECK(data != nullptr || span == 0, "from_blob: null data pointer for a non-empty tensor");
  auto storage = Storage::make(data, static_cast<size_t>(span * itemsize(dtype)), options.device, std::move(deleter));
  Tensor t(IntrusivePtr<TensorImpl>::make(std::move(storage), dtype, DimVector(sizes), DimVector(strides), 0));
  return finish(t, options);
}

TensorData::TensorData(std::initializer_list<TensorData> list) {
  bool first = true;
  for (const TensorData& item : list) {
    if (first) {
      sizes_ = item.sizes_;
      dtype_ = item.dtype_;
      first = false;
    } else {
      ACCEL_CHECK(item.sizes_ == sizes_, "tensor: nested lists have inconsistent shapes ", item.sizes_, " and ",
                  sizes_);
      dtype_ = promote_types(dtype_, item.dtype_);
    }
    values_.insert(values_.end(), item.values_.begin(), item.values_.end());
  }
  sizes_.insert(0, static_cast<int64_t>(list.size()));
}

Tensor tensor(const TensorData& data, TensorOptions options) {
  const DType dtype = options.dtype.value_or(data.dtype());
  Tensor t = empty(data.sizes(), {.dtype = dtype});
  ACCEL_DISPATCH(dtype, "tensor", [&]<typename T>() {
    T* out = t.data_ptr<T>();
    for (size_t i = 0; i < data.values().size(); ++i) out[i] = data.values()[i].to<T>();
  });
  Tensor result = options.device.is_cpu() ? t : t.to(options.device);
  return finish(result, options);
}

}  // namespace accel
