#include <accel/tensor/dtype.h>

#include <ostream>

namespace accel {

const char* name(DType t) {
  static constexpr const char* names[] = {"bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"};
  return names[static_cast<int>(t)];
}

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (a == kBool) return b;
  if (b == kBool) return a;
  const bool fa = is_floating_point(a), fb = is_floating_point(b);
  if (fa != fb) return fa ? a : b;
  if (!fa) return itemsize(a) >= itemsize(b) ? a : b;  // uint8 < int32 < int64
  if (a == kFloat64 || b == kFloat64) return kFloat64;
  return kFloat32;  // float16 with bfloat16 or float32
}

DType default_dtype() { return kFloat32; }

std::ostream& operator<<(std::ostream& os, DType t) { return os << name(t); }

std::ostream& operator<<(std::ostream& os, Half h) { return os << static_cast<float>(h); }
std::ostream& operator<<(std::ostream& os, BFloat16 h) { return os << static_cast<float>(h); }

}  // namespace accel
