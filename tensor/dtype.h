#pragma once
#include <cstdint>
#include <iosfwd>

#include <accel/tensor/error.h>
#include <accel/tensor/half.h>

namespace accel {

enum class DType : uint8_t { Bool, UInt8, Int32, Int64, Float16, BFloat16, Float32, Float64 };
inline constexpr int kNumDTypes = 8;

inline constexpr DType kBool = DType::Bool;
inline constexpr DType kUInt8 = DType::UInt8;
inline constexpr DType kByte = DType::UInt8;
inline constexpr DType kInt32 = DType::Int32;
inline constexpr DType kInt = DType::Int32;
inline constexpr DType kInt64 = DType::Int64;
inline constexpr DType kLong = DType::Int64;
inline constexpr DType kFloat16 = DType::Float16;
inline constexpr DType kHalf = DType::Float16;
inline constexpr DType kBFloat16 = DType::BFloat16;
inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;
inline constexpr DType kDouble = DType::Float64;

constexpr int64_t itemsize(DType t) {
  constexpr int64_t sizes[] = {1, 1, 4, 8, 2, 2, 4, 8};
  return sizes[static_cast<int>(t)];
}
constexpr bool is_floating_point(DType t) { return t >= DType::Float16; }
constexpr bool is_integral(DType t, bool include_bool = false) {
  return (t >= DType::UInt8 && t <= DType::Int64) || (include_bool && t == DType::Bool);
}
const char* name(DType t);  // "float32"

// PyTorch's promotion lattice (torch.promote_types).
DType promote_types(DType a, DType b);

// The default floating dtype (float32) used for float scalars and float factories.
DType default_dtype();

std::ostream& operator<<(std::ostream& os, DType t);

template <typename T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = kBool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = kUInt8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = kInt32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = kInt64; };
template <> struct dtype_of<Half> { static constexpr DType value = kFloat16; };
template <> struct dtype_of<BFloat16> { static constexpr DType value = kBFloat16; };
template <> struct dtype_of<float> { static constexpr DType value = kFloat32; };
template <> struct dtype_of<double> { static constexpr DType value = kFloat64; };
template <typename T> inline constexpr DType dtype_of_v = dtype_of<T>::value;

}  // namespace accel

// ACCEL_DISPATCH(dtype, "op", [&]<typename T>() { ... }): calls the lambda with T the C++ type of
// dtype. The _FLOAT variant accepts only floating dtypes; _REAL excludes bool.
#define ACCEL_DISPATCH_CASE(ENUM, TYPE, FN) \
  case ::accel::DType::ENUM:                \
    return FN.template operator()<TYPE>();

#define ACCEL_DISPATCH_FLOATS(FN)               \
  ACCEL_DISPATCH_CASE(Float32, float, FN)       \
  ACCEL_DISPATCH_CASE(Float64, double, FN)      \
  ACCEL_DISPATCH_CASE(Float16, ::accel::Half, FN) \
  ACCEL_DISPATCH_CASE(BFloat16, ::accel::BFloat16, FN)

#define ACCEL_DISPATCH_INTS(FN)            \
  ACCEL_DISPATCH_CASE(Int64, int64_t, FN)  \
  ACCEL_DISPATCH_CASE(Int32, int32_t, FN)  \
  ACCEL_DISPATCH_CASE(UInt8, uint8_t, FN)

#define ACCEL_DISPATCH(DTYPE, OPNAME, ...)                                                   \
  [&](auto&& accel_fn_) {                                                                   \
    switch (DTYPE) {                                                                        \
      ACCEL_DISPATCH_FLOATS(accel_fn_)                                                      \
      ACCEL_DISPATCH_INTS(accel_fn_)                                                        \
      ACCEL_DISPATCH_CASE(Bool, bool, accel_fn_)                                            \
    }                                                                                       \
    ACCEL_FAIL(OPNAME, ": unsupported dtype ", ::accel::name(DTYPE));                       \
  }(__VA_ARGS__)

#define ACCEL_DISPATCH_REAL(DTYPE, OPNAME, ...)                                              \
  [&](auto&& accel_fn_) {                                                                   \
    switch (DTYPE) {                                                                        \
      ACCEL_DISPATCH_FLOATS(accel_fn_)                                                      \
      ACCEL_DISPATCH_INTS(accel_fn_)                                                        \
      default: break;                                                                       \
    }                                                                                       \
    ACCEL_FAIL(OPNAME, ": unsupported dtype ", ::accel::name(DTYPE));                       \
  }(__VA_ARGS__)

#define ACCEL_DISPATCH_FLOAT(DTYPE, OPNAME, ...)                                             \
  [&](auto&& accel_fn_) {                                                                   \
    switch (DTYPE) {                                                                        \
      ACCEL_DISPATCH_FLOATS(accel_fn_)                                                      \
      default: break;                                                                       \
    }                                                                                       \
    ACCEL_FAIL(OPNAME, ": expected a floating dtype, got ", ::accel::name(DTYPE));          \
  }(__VA_ARGS__)
