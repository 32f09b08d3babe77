#pragma once
// Tensor factories, named and behaving as in libtorch.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <vector>

#include <accel/tensor/random.h>
#include <accel/tensor/tensor.h>

namespace accel {

Tensor empty(IntArrayRef sizes, TensorOptions options = {});
Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, TensorOptions options = {});
Tensor zeros(IntArrayRef sizes, TensorOptions options = {});
Tensor ones(IntArrayRef sizes, TensorOptions options = {});
// The dtype defaults to the value's kind: bool, int64 or float32.
Tensor full(IntArrayRef sizes, Scalar value, TensorOptions options = {});
// [start, end) in steps; int64 when all arguments are integers, else float32.
Tensor arange(Scalar end, TensorOptions options = {});
Tensor arange(Scalar start, Scalar end, Scalar step = 1, TensorOptions options = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, TensorOptions options = {});
Tensor eye(int64_t n, int64_t m, TensorOptions options = {});

// Random factories draw from `generator`, or the default one (seeded by accel::manual_seed).
Tensor rand(IntArrayRef sizes, TensorOptions options = {}, Generator* generator = nullptr);
Tensor randn(IntArrayRef sizes, TensorOptions options = {}, Generator* generator = nullptr);
// Integers uniform in [low, high); int64 by default.
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, TensorOptions options = {},
               Generator* generator = nullptr);
Tensor randint(int64_t high, IntArrayRef sizes, TensorOptions options = {}, Generator* generator = nullptr);
// A random permutation of 0..n-1; int64 by default.
Tensor randperm(int64_t n, TensorOptions options = {}, Generator* generator = nullptr);

// The *_like factories take the shape, dtype and device of `like` unless options override them.
Tensor empty_like(const Tensor& like, TensorOptions options = {});
Tensor zeros_like(const Tensor& like, TensorOptions options = {});
Tensor ones_like(const Tensor& like, TensorOptions options = {});
Tensor full_like(const Tensor& like, Scalar value, TensorOptions options = {});
Tensor rand_like(const Tensor& like, TensorOptions options = {});
Tensor randn_like(const Tensor& like, TensorOptions options = {});

// Wraps memory the caller owns (no copy). deleter, if given, runs when the last view dies.
Tensor from_blob(void* data, IntArrayRef sizes, TensorOptions options = {},
                 std::function<void(void*)> deleter = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, TensorOptions options = {},
                 std::function<void(void*)> deleter = {});

// Nested lists of numbers: accel::tensor({{1, 2}, {3, 4}}). Integers give int64, floating values
// give float32 (the default dtype, as in libtorch), bools give bool; options.dtype overrides.
class TensorData {
 public:
  TensorData(bool v) : sizes_(), dtype_(kBool), values_{Scalar(v)} {}  // NOLINT
  template <typename T, std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, int> = 0>
  TensorData(T v) : sizes_(), dtype_(std::is_floating_point_v<T> ? kFloat32 : kInt64), values_{Scalar(v)} {}  // NOLINT
  TensorData(std::initializer_list<TensorData> list);
  template <typename T>
  TensorData(const std::vector<T>& v) {  // NOLINT
    sizes_ = {static_cast<int64_t>(v.size())};
    dtype_ = std::is_same_v<T, bool> ? kBool : std::is_floating_point_v<T> ? kFloat32 : kInt64;
    if constexpr (std::is_same_v<T, float>) dtype_ = kFloat32;
    values_.reserve(v.size());
    for (const T& x : v) values_.emplace_back(x);
  }

  const DimVector& sizes() const { return sizes_; }
  DType dtype() const { return dtype_; }
  const std::vector<Scalar>& values() const { return values_; }

 private:
  DimVector sizes_;
  DType dtype_ = kFloat32;
  std::vector<Scalar> values_;
};

Tensor tensor(const TensorData& data, TensorOptions options = {});

}  // namespace accel
