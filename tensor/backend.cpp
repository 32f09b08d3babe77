#include <accel/tensor/backend.h>

namespace accel {

const char* name(UnaryOp op) {
  static constexpr const char* names[] = {"neg", "abs", "sign", "exp", "exp2", "log", "log2", "log1p", "expm1",
                                   "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid",
                                   "relu", "gelu", "gelu", "silu", "leaky_relu", "elu", "softplus", "erf",
                                   "floor", "ceil", "round", "trunc", "square", "pow", "clamp"};
  return names[static_cast<int>(op)];
}

const char* name(BinaryOp op) {
  static constexpr const char* names[] = {"add", "sub", "mul", "div", "floor_divide", "div", "pow", "maximum",
                                   "minimum", "fmod", "remainder", "atan2", "eq", "ne", "lt", "le", "gt",
                                   "ge", "logical_and", "logical_or", "logical_xor"};
  return names[static_cast<int>(op)];
}

const char* name(ReduceOp op) {
  static constexpr const char* names[] = {"sum", "mean", "prod", "max", "min", "all", "any"};
  return names[static_cast<int>(op)];
}

}  // namespace accel
