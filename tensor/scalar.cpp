#include <accel/tensor/scalar.h>

#include <ostream>

namespace accel {

DType Scalar::dtype() const {
  switch (kind_) {
    case Kind::Bool: return kBool;
    case Kind::Int: return kInt64;
    case Kind::Float: return default_dtype();
  }
  return kInt64;
}

std::ostream& operator<<(std::ostream& os, const Scalar& s) {
  if (s.is_floating_point()) return os << s.to_double();
  if (s.is_bool()) return os << (s.to_bool() ? "true" : "false");
  return os << s.to_int64();
}

}  // namespace accel
