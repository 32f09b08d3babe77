// Front end of the elementwise ops: type promotion, broadcasting, checks, then one Backend call.
#include <cmath>
#include <limits>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/elementwise_grad.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using ops::broadcast_to;
using ops::check_defined;
using ops::prepare;

// PyTorch's categories: dimensioned tensors outrank 0-dim tensors, which outrank plain numbers;
// a lower rank only matters when its category (bool < integral < floating) is higher.
int category(DType t) { return t == kBool ? 0 : is_floating_point(t) ? 2 : 1; }

DType combine(DType dim_type, DType zero_dim_type) {
  return category(zero_dim_type) > category(dim_type) ? zero_dim_type : dim_type;
}

Tensor unary_op(UnaryOp op, const Tensor& x, UnaryParams params = {}, bool floating_only = false) {
  check_defined(x, name(op));
  DType dtype = x.dtype();
  if (floating_only && !is_floating_point(dtype)) dtype = default_dtype();
  ACCEL_CHECK(dtype != kBool, name(op), ": not defined for bool tensors");
  const Tensor input = prepare(x, dtype, x.device());
  Tensor out = empty(x.sizes(), {.dtype = dtype, .device = x.device()});
  backend(x.device()).unary(op, out, input, params);
  autograd::record_unary(op, out, x, params);
  return out;
}

const Tensor& unary_inplace(UnaryOp op, const Tensor& self, UnaryParams params = {}, bool floating_only = false) {
  check_defined(self, name(op));
  ACCEL_CHECK(!floating_only || self.is_floating_point(), name(op), "_: expected a floating tensor, got ",
              name(self.dtype()));
  ACCEL_CHECK(self.dtype() != kBool, name(op), "_: not defined for bool tensors");
  ops::check_writable(self, name(op));
  const Tensor original = autograd::unary_needs_original(op, self) ? self.clone() : Tensor();
  backend(self.device()).unary(op, self, self, params);
  self.bump_version();
  autograd::record_unary_(op, self, original, params);
  return self;
}

bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }

// Resolves the compute dtype of a binary op and rewrites bool arithmetic into logic.
DType binary_compute_dtype(BinaryOp& op, DType common) {
  if ((op == BinaryOp::Div || op == BinaryOp::Atan2) && !is_floating_point(common)) return default_dtype();
  if (common == kBool && !is_comparison(op)) {
    if (op == BinaryOp::Add) op = BinaryOp::Maximum;
    else if (op == BinaryOp::Mul) op = BinaryOp::Minimum;
    else if (op != BinaryOp::Maximum && op != BinaryOp::Minimum)
      ACCEL_FAIL(name(op), ": not supported for two bool tensors");
  }
  return common;
}

void check_alpha(const char* op, DType dtype, Scalar alpha) {
  ACCEL_CHECK(is_floating_point(dtype) || !alpha.is_floating_point(), op,
              ": for integral input tensors, alpha must not be a floating point number");
}

Tensor binary_op(BinaryOp op, const Tensor& a, const Tensor& b, Scalar alpha = 1) {
  const char* opname = name(op);
  check_defined(a, opname);
  check_defined(b, opname);
  const Device device = ops::common_device(opname, a, b);
  const DType compute = binary_compute_dtype(op, result_type(a, b));
  if (op == BinaryOp::Add || op == BinaryOp::Sub) check_alpha(opname, compute, alpha);
  const DimVector shape = a.sizes() == b.sizes() ? DimVector(a.sizes()) : broadcast_shapes(a.sizes(), b.sizes(), opname);
  Tensor out = empty(shape, {.dtype = is_comparison(op) ? kBool : compute, .device = device});
  {
    NoGradGuard no_grad;  // the operands' conversions are covered by the op's own node
    Tensor x_holder, y_holder;
    const Tensor& x = ops::operand(a, compute, device, shape, x_holder);
    const Tensor& y = ops::operand(b, compute, device, shape, y_holder);
    backend(device).binary(op, out, x, y, alpha);
  }
  autograd::record_binary(op, out, a, b, alpha);
  return out;
}

Tensor binary_op(BinaryOp op, const Tensor& a, Scalar b, Scalar alpha = 1) {
  check_defined(a, name(op));
  return binary_op(op, a, ops::scalar_tensor(b, result_type(a, b), a.device()), alpha);
}

const Tensor& binary_inplace(BinaryOp op, const Tensor& self, const Tensor& other, Scalar alpha = 1) {
  check_defined(self, name(op));
  check_defined(other, name(op));
  const Device device = ops::common_device(name(op), self, other);
  ACCEL_CHECK(device == self.device(), name(op), "_: expected all tensors on ", self.device(), ", got ",
              other.device());
  DType common = result_type(self, other);
  if (op == BinaryOp::Div && !is_floating_point(common)) common = default_dtype();
  ops::check_can_cast(common, self.dtype(), name(op));
  BinaryOp kernel_op = op;
  binary_compute_dtype(kernel_op, self.dtype());
  if (kernel_op == BinaryOp::Add || kernel_op == BinaryOp::Sub) check_alpha(name(op), self.dtype(), alpha);
  const DimVector shape = broadcast_shapes(self.sizes(), other.sizes(), name(op));
  ACCEL_CHECK(IntArrayRef(shape) == self.sizes(), name(op), "_: output with shape ", self.sizes(),
              " doesn't match the broadcast shape ", shape);
  ops::check_writable(self, name(op));
  const Tensor original = autograd::binary_needs_original(op, self, other) ? self.clone() : Tensor();
  {
    NoGradGuard no_grad;
    backend(device).binary(kernel_op, self, self, broadcast_to(prepare(other, self.dtype(), device), shape), alpha);
  }
  self.bump_version();
  autograd::record_binary_(op, self, original, other, alpha);
  return self;
}

const Tensor& binary_inplace(BinaryOp op, const Tensor& self, Scalar other, Scalar alpha = 1) {
  check_defined(self, name(op));
  return binary_inplace(op, self, ops::scalar_tensor(other, result_type(self, other), self.device()), alpha);
}

Tensor ternary_op(TernaryOp op, const char* opname, DType dtype, const Tensor& x, const Tensor& y, const Tensor& z,
                  Scalar value = 1) {
  check_defined(x, opname);
  check_defined(y, opname);
  check_defined(z, opname);
  const Device device = ops::common_device(opname, {&x, &y, &z});
  const DimVector shape = broadcast_shapes(broadcast_shapes(x.sizes(), y.sizes(), opname), z.sizes(), opname);
  const DType first = op == TernaryOp::Where ? kBool : dtype;
  Tensor out = empty(shape, {.dtype = dtype, .device = device});
  {
    NoGradGuard no_grad;
    backend(device).ternary(op, out, broadcast_to(prepare(x, first, device), shape),
                            broadcast_to(prepare(y, dtype, device), shape),
                            broadcast_to(prepare(z, dtype, device), shape), value);
  }
  autograd::record_ternary(op, out, x, y, z, value);
  return out;
}

double bound(const std::optional<Scalar>& s) {
  return s ? s->to_double() : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

DType result_type(const Tensor& a, const Tensor& b) {
  const bool a_dim = a.dim() > 0, b_dim = b.dim() > 0;
  if (a_dim == b_dim) return promote_types(a.dtype(), b.dtype());
  return a_dim ? combine(a.dtype(), b.dtype()) : combine(b.dtype(), a.dtype());
}

DType result_type(const Tensor& a, Scalar b) {
  const int c = b.is_floating_point() ? 2 : b.is_integral() ? 1 : 0;
  if (c <= category(a.dtype())) return a.dtype();
  return b.dtype();
}

// ---- unary ----
Tensor neg(const Tensor& x) { return unary_op(UnaryOp::Neg, x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::Abs, x); }
Tensor sign(const Tensor& x) { return unary_op(UnaryOp::Sign, x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::Exp, x, {}, true); }
Tensor exp2(const Tensor& x) { return unary_op(UnaryOp::Exp2, x, {}, true); }
Tensor log(const Tensor& x) { return unary_op(UnaryOp::Log, x, {}, true); }
Tensor log2(const Tensor& x) { return unary_op(UnaryOp::Log2, x, {}, true); }
Tensor log1p(const Tensor& x) { return unary_op(UnaryOp::Log1p, x, {}, true); }
Tensor expm1(const Tensor& x) { return unary_op(UnaryOp::Expm1, x, {}, true); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::Sqrt, x, {}, true); }
Tensor rsqrt(const Tensor& x) { return unary_op(UnaryOp::Rsqrt, x, {}, true); }
Tensor reciprocal(const Tensor& x) { return unary_op(UnaryOp::Reciprocal, x, {}, true); }
Tensor sin(const Tensor& x) { return unary_op(UnaryOp::Sin, x, {}, true); }
Tensor cos(const Tensor& x) { return unary_op(UnaryOp::Cos, x, {}, true); }
Tensor tan(const Tensor& x) { return unary_op(UnaryOp::Tan, x, {}, true); }
Tensor tanh(const Tensor& x) { return unary_op(UnaryOp::Tanh, x, {}, true); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::Sigmoid, x, {}, true); }
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::Relu, x); }
Tensor gelu(const Tensor& x, const std::string& approximate) {
  ACCEL_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate must be 'none' or 'tanh', got '",
              approximate, "'");
  return unary_op(approximate == "tanh" ? UnaryOp::GeluTanh : UnaryOp::Gelu, x, {}, true);
}
Tensor silu(const Tensor& x) { return unary_op(UnaryOp::Silu, x, {}, true); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return unary_op(UnaryOp::LeakyRelu, x, {.a = negative_slope}, true);
}
Tensor elu(const Tensor& x, double alpha) { return unary_op(UnaryOp::Elu, x, {.a = alpha}, true); }
Tensor softplus(const Tensor& x, double beta, double threshold) {
  return unary_op(UnaryOp::Softplus, x, {.a = beta, .b = threshold}, true);
}
Tensor erf(const Tensor& x) { return unary_op(UnaryOp::Erf, x, {}, true); }
Tensor floor(const Tensor& x) { return unary_op(UnaryOp::Floor, x); }
Tensor ceil(const Tensor& x) { return unary_op(UnaryOp::Ceil, x); }
Tensor round(const Tensor& x) { return unary_op(UnaryOp::Round, x); }
Tensor trunc(const Tensor& x) { return unary_op(UnaryOp::Trunc, x); }
Tensor square(const Tensor& x) { return x.dtype() == kBool ? logical_and(x, x) : unary_op(UnaryOp::Square, x); }
Tensor logical_not(const Tensor& x) {
  check_defined(x, "logical_not");
  return eq(x, ops::scalar_tensor(0, x.dtype(), x.device()));
}

Tensor pow(const Tensor& x, Scalar exponent) {
  check_defined(x, "pow");
  const DType dtype = result_type(x, exponent);
  ACCEL_CHECK(dtype != kBool, "pow: not defined for bool tensors");
  ACCEL_CHECK(is_floating_point(dtype) || exponent.to_int64() >= 0,
              "pow: integers to negative integer powers are not allowed");
  return unary_op(UnaryOp::Pow, prepare(x, dtype, x.device()), {.a = exponent.to_double()});
}
Tensor pow(const Tensor& x, const Tensor& exponent) { return binary_op(BinaryOp::Pow, x, exponent); }
Tensor pow(Scalar base, const Tensor& exponent) {
  check_defined(exponent, "pow");
  return binary_op(BinaryOp::Pow, ops::scalar_tensor(base, result_type(exponent, base), exponent.device()), exponent);
}

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  check_defined(x, "clamp");
  ACCEL_CHECK(min || max, "clamp: at least one of min and max must be given");
  DType dtype = x.dtype();
  if (min) dtype = result_type(prepare(x, dtype, x.device()), *min);
  if (max) dtype = promote_types(dtype, result_type(x, *max));
  return unary_op(UnaryOp::Clamp, prepare(x, dtype, x.device()), {.a = bound(min), .b = bound(max)});
}

Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  const Tensor lo = min ? *min : Tensor(), hi = max ? *max : Tensor();
  ACCEL_CHECK(lo.defined() || hi.defined(), "clamp: at least one of min and max must be given");
  Tensor out = x;
  {
    // Its own node: maximum/minimum would split the gradient at the bounds, clamp passes it to x.
    NoGradGuard no_grad;
    if (lo.defined()) out = maximum(out, lo);
    if (hi.defined()) out = minimum(out, hi);
  }
  autograd::record_clamp(out, x, lo, hi);
  return out;
}

// ---- binary ----
Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) { return binary_op(BinaryOp::Add, a, b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  ACCEL_CHECK(!(a.defined() && b.defined() && a.dtype() == kBool && b.dtype() == kBool),
              "sub: subtraction of two bool tensors is not supported; use logical_xor");
  return binary_op(BinaryOp::Sub, a, b, alpha);
}
Tensor mul(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b, const std::string& rounding_mode) {
  if (rounding_mode.empty()) return binary_op(BinaryOp::Div, a, b);
  if (rounding_mode == "floor") return binary_op(BinaryOp::FloorDiv, a, b);
  if (rounding_mode == "trunc") return binary_op(BinaryOp::TruncDiv, a, b);
  ACCEL_FAIL("div: rounding_mode must be '', 'floor' or 'trunc', got '", rounding_mode, "'");
}
Tensor floor_divide(const Tensor& a, const Tensor& b) { return div(a, b, "floor"); }
Tensor maximum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Minimum, a, b); }
Tensor fmod(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Fmod, a, b); }
Tensor remainder(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Remainder, a, b); }
Tensor atan2(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Atan2, a, b); }
Tensor eq(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::Ge, a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::LogicalAnd, a, b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::LogicalOr, a, b); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return binary_op(BinaryOp::LogicalXor, a, b); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined(condition, "where");
  ACCEL_CHECK(condition.dtype() == kBool, "where: expected a bool condition, got ", name(condition.dtype()));
  check_defined(a, "where");
  check_defined(b, "where");
  return ternary_op(TernaryOp::Where, "where", result_type(a, b), condition, a, b);
}
Tensor where(const Tensor& condition, const Tensor& a, Scalar b) {
  check_defined(a, "where");
  return where(condition, a, ops::scalar_tensor(b, result_type(a, b), a.device()));
}
Tensor where(const Tensor& condition, Scalar a, const Tensor& b) {
  check_defined(b, "where");
  return where(condition, ops::scalar_tensor(a, result_type(b, a), b.device()), b);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value) {
  check_defined(x, "masked_fill");
  check_defined(mask, "masked_fill");
  ACCEL_CHECK(mask.dtype() == kBool, "masked_fill: expected a bool mask, got ", name(mask.dtype()));
  ACCEL_CHECK(x.is_floating_point() || !value.is_floating_point() || x.dtype() == kBool,
              "masked_fill: value ", value, " cannot be converted to ", name(x.dtype()), " without overflow");
  return where(mask, ops::scalar_tensor(value, x.dtype(), x.device()), x);
}

Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  check_defined(start, "lerp");
  check_defined(end, "lerp");
  check_defined(weight, "lerp");
  ACCEL_CHECK(start.is_floating_point() && start.dtype() == end.dtype() && end.dtype() == weight.dtype(),
              "lerp: expected floating tensors of one dtype, got ", name(start.dtype()), ", ", name(end.dtype()),
              " and ", name(weight.dtype()));
  return ternary_op(TernaryOp::Lerp, "lerp", start.dtype(), start, end, weight);
}
Tensor lerp(const Tensor& start, const Tensor& end, Scalar weight) {
  check_defined(start, "lerp");
  return lerp(start, end, ops::scalar_tensor(weight, start.dtype(), start.device()));
}

Tensor addcmul(const Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  check_defined(x, "addcmul");
  const DType dtype = promote_types(result_type(x, tensor1), result_type(x, tensor2));
  check_alpha("addcmul", dtype, value);
  return ternary_op(TernaryOp::Addcmul, "addcmul", dtype, x, tensor1, tensor2, value);
}
Tensor addcdiv(const Tensor& x, const Tensor& tensor1, const Tensor& tensor2, Scalar value) {
  check_defined(x, "addcdiv");
  const DType dtype = promote_types(result_type(x, tensor1), result_type(x, tensor2));
  ACCEL_CHECK(is_floating_point(dtype), "addcdiv: integer division with addcdiv is not supported, got ", name(dtype));
  return ternary_op(TernaryOp::Addcdiv, "addcdiv", dtype, x, tensor1, tensor2, value);
}

Tensor isnan(const Tensor& x) { return ne(x, x); }
Tensor isinf(const Tensor& x) {
  if (!x.is_floating_point()) return zeros(x.sizes(), {.dtype = kBool, .device = x.device()});
  return eq(abs(x), ops::scalar_tensor(INFINITY, x.dtype(), x.device()));
}
Tensor isfinite(const Tensor& x) {
  if (!x.is_floating_point()) return ones(x.sizes(), {.dtype = kBool, .device = x.device()});
  return lt(abs(x), ops::scalar_tensor(INFINITY, x.dtype(), x.device()));
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  check_defined(a, "isclose");
  check_defined(b, "isclose");
  ACCEL_CHECK(a.dtype() == b.dtype(), "isclose: expected tensors of one dtype, got ", name(a.dtype()), " and ",
              name(b.dtype()));
  ACCEL_CHECK(rtol >= 0 && atol >= 0, "isclose: rtol and atol must be non-negative");
  Tensor close = eq(a, b);
  if (a.is_floating_point()) {
    const Tensor diff = abs(sub(a, b));
    const Tensor tolerance = add(abs(b) * rtol, ops::scalar_tensor(atol, a.dtype(), a.device()));
    close = logical_or(close, logical_and(le(diff, tolerance), isfinite(b)));
    if (equal_nan) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  }
  return close;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  check_defined(a, "equal");
  check_defined(b, "equal");
  return a.sizes() == b.sizes() && eq(a, b).all().item<bool>();
}

// ---- Tensor methods and operators ----
Tensor Tensor::neg() const { return accel::neg(*this); }
Tensor Tensor::abs() const { return accel::abs(*this); }
Tensor Tensor::sign() const { return accel::sign(*this); }
Tensor Tensor::exp() const { return accel::exp(*this); }
Tensor Tensor::exp2() const { return accel::exp2(*this); }
Tensor Tensor::log() const { return accel::log(*this); }
Tensor Tensor::log2() const { return accel::log2(*this); }
Tensor Tensor::log1p() const { return accel::log1p(*this); }
Tensor Tensor::expm1() const { return accel::expm1(*this); }
Tensor Tensor::sqrt() const { return accel::sqrt(*this); }
Tensor Tensor::rsqrt() const { return accel::rsqrt(*this); }
Tensor Tensor::reciprocal() const { return accel::reciprocal(*this); }
Tensor Tensor::sin() const { return accel::sin(*this); }
Tensor Tensor::cos() const { return accel::cos(*this); }
Tensor Tensor::tan() const { return accel::tan(*this); }
Tensor Tensor::tanh() const { return accel::tanh(*this); }
Tensor Tensor::sigmoid() const { return accel::sigmoid(*this); }
Tensor Tensor::relu() const { return accel::relu(*this); }
Tensor Tensor::erf() const { return accel::erf(*this); }
Tensor Tensor::floor() const { return accel::floor(*this); }
Tensor Tensor::ceil() const { return accel::ceil(*this); }
Tensor Tensor::round() const { return accel::round(*this); }
Tensor Tensor::trunc() const { return accel::trunc(*this); }
Tensor Tensor::logical_not() const { return accel::logical_not(*this); }
Tensor Tensor::square() const { return accel::square(*this); }
Tensor Tensor::pow(Scalar exponent) const { return accel::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return accel::pow(*this, exponent); }
Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const { return accel::clamp(*this, min, max); }

Tensor Tensor::add(const Tensor& other, Scalar alpha) const { return accel::add(*this, other, alpha); }
Tensor Tensor::add(Scalar other, Scalar alpha) const { return binary_op(BinaryOp::Add, *this, other, alpha); }
Tensor Tensor::sub(const Tensor& other, Scalar alpha) const { return accel::sub(*this, other, alpha); }
Tensor Tensor::sub(Scalar other, Scalar alpha) const { return binary_op(BinaryOp::Sub, *this, other, alpha); }
Tensor Tensor::mul(const Tensor& other) const { return accel::mul(*this, other); }
Tensor Tensor::mul(Scalar other) const { return binary_op(BinaryOp::Mul, *this, other); }
Tensor Tensor::div(const Tensor& other, const std::string& mode) const { return accel::div(*this, other, mode); }
Tensor Tensor::div(Scalar other, const std::string& mode) const {
  return accel::div(*this, ops::scalar_tensor(other, result_type(*this, other), device()), mode);
}
Tensor Tensor::maximum(const Tensor& other) const { return accel::maximum(*this, other); }
Tensor Tensor::minimum(const Tensor& other) const { return accel::minimum(*this, other); }
Tensor Tensor::fmod(const Tensor& other) const { return accel::fmod(*this, other); }
Tensor Tensor::fmod(Scalar other) const { return binary_op(BinaryOp::Fmod, *this, other); }
Tensor Tensor::remainder(const Tensor& other) const { return accel::remainder(*this, other); }
Tensor Tensor::remainder(Scalar other) const { return binary_op(BinaryOp::Remainder, *this, other); }
Tensor Tensor::atan2(const Tensor& other) const { return accel::atan2(*this, other); }
Tensor Tensor::eq(const Tensor& other) const { return accel::eq(*this, other); }
Tensor Tensor::ne(const Tensor& other) const { return accel::ne(*this, other); }
Tensor Tensor::lt(const Tensor& other) const { return accel::lt(*this, other); }
Tensor Tensor::le(const Tensor& other) const { return accel::le(*this, other); }
Tensor Tensor::gt(const Tensor& other) const { return accel::gt(*this, other); }
Tensor Tensor::ge(const Tensor& other) const { return accel::ge(*this, other); }
Tensor Tensor::eq(Scalar other) const { return binary_op(BinaryOp::Eq, *this, other); }
Tensor Tensor::ne(Scalar other) const { return binary_op(BinaryOp::Ne, *this, other); }
Tensor Tensor::lt(Scalar other) const { return binary_op(BinaryOp::Lt, *this, other); }
Tensor Tensor::le(Scalar other) const { return binary_op(BinaryOp::Le, *this, other); }
Tensor Tensor::gt(Scalar other) const { return binary_op(BinaryOp::Gt, *this, other); }
Tensor Tensor::ge(Scalar other) const { return binary_op(BinaryOp::Ge, *this, other); }
Tensor Tensor::logical_and(const Tensor& other) const { return accel::logical_and(*this, other); }
Tensor Tensor::logical_or(const Tensor& other) const { return accel::logical_or(*this, other); }
Tensor Tensor::logical_xor(const Tensor& other) const { return accel::logical_xor(*this, other); }
Tensor Tensor::masked_fill(const Tensor& mask, Scalar value) const { return accel::masked_fill(*this, mask, value); }
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  ACCEL_CHECK(value.defined() && value.dim() == 0, "masked_fill: expected a 0-dim value tensor");
  return accel::where(mask, value.to(dtype()), *this);
}
Tensor Tensor::where(const Tensor& condition, const Tensor& other) const { return accel::where(condition, *this, other); }
Tensor Tensor::lerp(const Tensor& end, Scalar weight) const { return accel::lerp(*this, end, weight); }
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const { return accel::lerp(*this, end, weight); }
Tensor Tensor::addcmul(const Tensor& t1, const Tensor& t2, Scalar value) const { return accel::addcmul(*this, t1, t2, value); }
Tensor Tensor::addcdiv(const Tensor& t1, const Tensor& t2, Scalar value) const { return accel::addcdiv(*this, t1, t2, value); }

const Tensor& Tensor::add_(const Tensor& other, Scalar alpha) const { return binary_inplace(BinaryOp::Add, *this, other, alpha); }
const Tensor& Tensor::add_(Scalar other, Scalar alpha) const { return binary_inplace(BinaryOp::Add, *this, other, alpha); }
const Tensor& Tensor::sub_(const Tensor& other, Scalar alpha) const { return binary_inplace(BinaryOp::Sub, *this, other, alpha); }
const Tensor& Tensor::sub_(Scalar other, Scalar alpha) const { return binary_inplace(BinaryOp::Sub, *this, other, alpha); }
const Tensor& Tensor::mul_(const Tensor& other) const { return binary_inplace(BinaryOp::Mul, *this, other); }
const Tensor& Tensor::mul_(Scalar other) const { return binary_inplace(BinaryOp::Mul, *this, other); }
const Tensor& Tensor::div_(const Tensor& other) const { return binary_inplace(BinaryOp::Div, *this, other); }
const Tensor& Tensor::div_(Scalar other) const { return binary_inplace(BinaryOp::Div, *this, other); }
const Tensor& Tensor::pow_(Scalar exponent) const {
  ops::check_can_cast(result_type(*this, exponent), dtype(), "pow_");
  return unary_inplace(UnaryOp::Pow, *this, {.a = exponent.to_double()});
}
const Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) const {
  ACCEL_CHECK(min || max, "clamp_: at least one of min and max must be given");
  return unary_inplace(UnaryOp::Clamp, *this, {.a = bound(min), .b = bound(max)});
}
const Tensor& Tensor::neg_() const { return unary_inplace(UnaryOp::Neg, *this); }
const Tensor& Tensor::exp_() const { return unary_inplace(UnaryOp::Exp, *this, {}, true); }
const Tensor& Tensor::sqrt_() const { return unary_inplace(UnaryOp::Sqrt, *this, {}, true); }
const Tensor& Tensor::relu_() const { return unary_inplace(UnaryOp::Relu, *this); }
const Tensor& Tensor::sigmoid_() const { return unary_inplace(UnaryOp::Sigmoid, *this, {}, true); }
const Tensor& Tensor::tanh_() const { return unary_inplace(UnaryOp::Tanh, *this, {}, true); }
const Tensor& Tensor::masked_fill_(const Tensor& mask, Scalar value) const {
  ACCEL_CHECK(mask.defined() && mask.dtype() == kBool, "masked_fill_: expected a bool mask");
  const DimVector shape = broadcast_shapes(sizes(), mask.sizes(), "masked_fill_");
  ACCEL_CHECK(IntArrayRef(shape) == sizes(), "masked_fill_: mask of shape ", mask.sizes(),
              " does not broadcast to the tensor's shape ", sizes());
  ops::check_writable(*this, "masked_fill_");
  const Tensor value_tensor = ops::scalar_tensor(value, dtype(), device());
  backend(device()).ternary(TernaryOp::Where, *this, broadcast_to(ops::prepare(mask, kBool, device()), sizes()),
                            broadcast_to(value_tensor, sizes()), *this, 1);
  bump_version();
  autograd::record_masked_fill_(*this, mask);
  return *this;
}

namespace {
const Tensor& ternary_inplace(TernaryOp op, const char* opname, const Tensor& self, const Tensor& y, const Tensor& z,
                              Scalar value) {
  check_defined(self, opname);
  check_defined(y, opname);
  check_defined(z, opname);
  const DimVector shape = broadcast_shapes(broadcast_shapes(self.sizes(), y.sizes(), opname), z.sizes(), opname);
  ACCEL_CHECK(IntArrayRef(shape) == self.sizes(), opname, ": output with shape ", self.sizes(),
              " doesn't match the broadcast shape ", shape);
  ops::check_can_cast(promote_types(result_type(self, y), result_type(self, z)), self.dtype(), opname);
  ops::check_writable(self, opname);
  const Tensor original = autograd::ternary_needs_original(op, self, z) ? self.clone() : Tensor();
  {
    NoGradGuard no_grad;
    backend(self.device()).ternary(op, self, self, broadcast_to(prepare(y, self.dtype(), self.device()), shape),
                                   broadcast_to(prepare(z, self.dtype(), self.device()), shape), value);
  }
  self.bump_version();
  autograd::record_ternary_(op, self, original, y, z, value);
  return self;
}
}  // namespace

const Tensor& Tensor::lerp_(const Tensor& end, Scalar weight) const {
  ACCEL_CHECK(is_floating_point(), "lerp_: expected a floating tensor");
  return ternary_inplace(TernaryOp::Lerp, "lerp_", *this, end, ops::scalar_tensor(weight, dtype(), device()), 1);
}
const Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, Scalar value) const {
  return ternary_inplace(TernaryOp::Addcmul, "addcmul_", *this, t1, t2, value);
}
const Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, Scalar value) const {
  ACCEL_CHECK(is_floating_point(), "addcdiv_: expected a floating tensor");
  return ternary_inplace(TernaryOp::Addcdiv, "addcdiv_", *this, t1, t2, value);
}

Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, Scalar b) { return a.add(b); }
Tensor operator-(const Tensor& a, Scalar b) { return a.sub(b); }
Tensor operator*(const Tensor& a, Scalar b) { return a.mul(b); }
Tensor operator/(const Tensor& a, Scalar b) { return a.div(b); }
Tensor operator+(Scalar a, const Tensor& b) { return b.add(a); }
Tensor operator-(Scalar a, const Tensor& b) { return binary_op(BinaryOp::Sub, ops::scalar_tensor(a, result_type(b, a), b.device()), b); }
Tensor operator*(Scalar a, const Tensor& b) { return b.mul(a); }
Tensor operator/(Scalar a, const Tensor& b) { return div(ops::scalar_tensor(a, result_type(b, a), b.device()), b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator==(const Tensor& a, Scalar b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, Scalar b) { return a.ne(b); }
Tensor operator<(const Tensor& a, Scalar b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, Scalar b) { return a.le(b); }
Tensor operator>(const Tensor& a, Scalar b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, Scalar b) { return a.ge(b); }
Tensor operator&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return logical_xor(a, b); }
Tensor operator~(const Tensor& a) {
  ACCEL_CHECK(a.defined() && a.dtype() == kBool, "operator~: only bool tensors are supported (logical not)");
  return logical_not(a);
}
const Tensor& operator+=(const Tensor& a, const Tensor& b) { return a.add_(b); }
const Tensor& operator-=(const Tensor& a, const Tensor& b) { return a.sub_(b); }
const Tensor& operator*=(const Tensor& a, const Tensor& b) { return a.mul_(b); }
const Tensor& operator/=(const Tensor& a, const Tensor& b) { return a.div_(b); }
const Tensor& operator+=(const Tensor& a, Scalar b) { return a.add_(b); }
const Tensor& operator-=(const Tensor& a, Scalar b) { return a.sub_(b); }
const Tensor& operator*=(const Tensor& a, Scalar b) { return a.mul_(b); }
const Tensor& operator/=(const Tensor& a, Scalar b) { return a.div_(b); }

}  // namespace accel
