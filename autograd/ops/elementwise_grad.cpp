// Gradients of the elementwise ops. One node type per arity, switching on the op: one allocation
// per recorded op, and only the tensors the formula reads are saved. Formulas use the public
// differentiable ops, so double backward works; conventions at special points follow PyTorch's
// derivatives.yaml.
#include <accel/autograd/ops/elementwise_grad.h>

#include <cmath>
#include <numbers>

#include <accel/autograd/meta.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::autograd {
namespace {

using std::numbers::ln2;

enum Saves : uint8_t { kNone = 0, kInput = 1, kOutput = 2 };

// ---- unary ----

Saves unary_saves(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp: case UnaryOp::Exp2: case UnaryOp::Expm1: case UnaryOp::Sqrt: case UnaryOp::Rsqrt:
    case UnaryOp::Reciprocal: case UnaryOp::Tan: case UnaryOp::Tanh: case UnaryOp::Sigmoid: case UnaryOp::Relu:
      return kOutput;
    case UnaryOp::Neg: case UnaryOp::Sign: case UnaryOp::Floor: case UnaryOp::Ceil: case UnaryOp::Round:
    case UnaryOp::Trunc:
      return kNone;
    case UnaryOp::Elu:
      return Saves(kInput | kOutput);
    default:
      return kInput;
  }
}

const char* unary_name(UnaryOp op) {
  static const char* const names[] = {
      "NegBackward",   "AbsBackward",      "SignBackward",      "ExpBackward",     "Exp2Backward",
      "LogBackward",   "Log2Backward",     "Log1pBackward",     "Expm1Backward",   "SqrtBackward",
      "RsqrtBackward", "ReciprocalBackward", "SinBackward",     "CosBackward",     "TanBackward",
      "TanhBackward",  "SigmoidBackward",  "ReluBackward",      "GeluBackward",    "GeluBackward",
      "SiluBackward",  "LeakyReluBackward", "EluBackward",      "SoftplusBackward", "ErfBackward",
      "FloorBackward", "CeilBackward",     "RoundBackward",     "TruncBackward",   "SquareBackward",
      "PowBackward",   "ClampBackward"};
  static_assert(std::size(names) == static_cast<size_t>(UnaryOp::Clamp) + 1);
  return names[static_cast<size_t>(op)];
}

// relu'(0) = 0, and a NaN output passes the gradient on (PyTorch's threshold_backward). One
// backend pass; with create_graph, the same in differentiable ops (a select, linear in g).
Tensor relu_grad(const Tensor& g, const Tensor& y) {
  if (GradMode::is_enabled()) return where(y <= 0.0, 0.0, g);
  const Tensor grad = empty(y.sizes(), {.dtype = y.dtype(), .device = y.device()});
  backend(y.device()).relu_backward(grad, g.to(y.dtype()), y);
  return grad;
}

// x: the input, y: the output (each defined only when unary_saves asks for it).
Tensor unary_grad(UnaryOp op, const UnaryParams& p, const Tensor& g, const Tensor& x, const Tensor& y) {
  switch (op) {
    case UnaryOp::Neg: return -g;
    case UnaryOp::Abs: return g * sign(x);  // abs'(0) = 0
    case UnaryOp::Sign: case UnaryOp::Floor: case UnaryOp::Ceil: case UnaryOp::Round: case UnaryOp::Trunc:
      return zeros_like(g);
    case UnaryOp::Exp: return g * y;
    case UnaryOp::Exp2: return g * y * ln2;
    case UnaryOp::Log: return g / x;
    case UnaryOp::Log2: return g / (x * ln2);
    case UnaryOp::Log1p: return g / (x + 1.0);
    case UnaryOp::Expm1: return g * (y + 1.0);
    case UnaryOp::Sqrt: return g / (y * 2.0);  // sqrt'(0) = inf
    case UnaryOp::Rsqrt: return g * pow(y, 3.0) * -0.5;
    case UnaryOp::Reciprocal: return -(g * (y * y));
    case UnaryOp::Sin: return g * cos(x);
    case UnaryOp::Cos: return g * -sin(x);
    case UnaryOp::Tan: return g * (y * y + 1.0);
    case UnaryOp::Tanh: return g * (1.0 - y * y);
    case UnaryOp::Sigmoid: return g * ((1.0 - y) * y);
    case UnaryOp::Relu: return relu_grad(g, y);
    case UnaryOp::Gelu: {
      const Tensor cdf = (erf(x * std::numbers::sqrt2 * 0.5) + 1.0) * 0.5;
      const Tensor pdf = exp(x * x * -0.5) * (0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2);
      return g * (cdf + x * pdf);
    }
    case UnaryOp::GeluTanh: {
      constexpr double beta = std::numbers::sqrt2 * std::numbers::inv_sqrtpi, kappa = 0.044715;
      const Tensor t = tanh((x + x * x * x * kappa) * beta);
      const Tensor right = (1.0 - t * t) * (x * x * (3 * kappa) + 1.0) * (x * (0.5 * beta));
      return g * ((t + 1.0) * 0.5 + right);
    }
    case UnaryOp::Silu: {
      const Tensor s = sigmoid(x);
      return g * (s * (x * (1.0 - s) + 1.0));
    }
    case UnaryOp::LeakyRelu: return where(x > 0.0, g, g * p.a);
    // alpha * exp(x) written as y + alpha: exp(x) of a large positive x (the unselected branch)
    // would be inf and turn the second derivative into NaN.
    case UnaryOp::Elu: return where(x > 0.0, g, g * (y + p.a));
    case UnaryOp::Softplus: {
      const Tensor bx = x * p.a;
      return where(bx > p.b, g, g * sigmoid(bx));
    }
    case UnaryOp::Erf: return g * exp(-(x * x)) * (2 * std::numbers::inv_sqrtpi);
    case UnaryOp::Square: return g * (x * 2.0);
    case UnaryOp::Pow:
      return p.a == 0 ? zeros_like(g) : g * (pow(x, p.a - 1) * p.a);
    case UnaryOp::Clamp: {  // the gradient passes at the bounds
      Tensor inside;
      if (!std::isnan(p.a)) inside = x >= p.a;
      if (!std::isnan(p.b)) inside = inside.defined() ? logical_and(inside, x <= p.b) : x <= p.b;
      return where(inside, g, 0.0);
    }
  }
  ACCEL_FAIL(name(op), ": no gradient formula");
}

struct UnaryBackward final : Node {
  UnaryBackward(UnaryOp op, UnaryParams p) : op(op), p(p) {}
  const char* name() const override { return unary_name(op); }
  TensorList apply(TensorList&& g) override {
    if (!needs_input_grad(0)) return {Tensor()};
    return {unary_grad(op, p, g[0], x.unpack(this), y.unpack(this))};
  }
  void release_saved() override {
    x.reset();
    y.reset();
  }
  UnaryOp op;
  UnaryParams p;
  SavedTensor x, y;
};

// ---- binary ----

struct BinarySaves {
  bool a = false, b = false, out = false;
};

BinarySaves binary_saves(BinaryOp op, bool grad_a, bool grad_b) {
  switch (op) {
    case BinaryOp::Mul: return {grad_b, grad_a, false};
    case BinaryOp::Div: return {false, true, grad_b};  // d/db (a / b) = -(a / b) / b
    case BinaryOp::Pow: return {true, true, grad_b};
    case BinaryOp::Maximum: case BinaryOp::Minimum: case BinaryOp::Atan2: return {true, true, false};
    case BinaryOp::Fmod: case BinaryOp::Remainder: return {grad_b, grad_b, false};
    default: return {};
  }
}

const char* binary_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "AddBackward";
    case BinaryOp::Sub: return "SubBackward";
    case BinaryOp::Mul: return "MulBackward";
    case BinaryOp::Div: case BinaryOp::FloorDiv: case BinaryOp::TruncDiv: return "DivBackward";
    case BinaryOp::Pow: return "PowBackward";
    case BinaryOp::Maximum: return "MaximumBackward";
    case BinaryOp::Minimum: return "MinimumBackward";
    case BinaryOp::Fmod: return "FmodBackward";
    case BinaryOp::Remainder: return "RemainderBackward";
    case BinaryOp::Atan2: return "Atan2Backward";
    default: return "BinaryBackward";
  }
}

struct BinaryBackward final : Node {
  // coef: b's coefficient in add/sub (alpha, negated for sub).
  BinaryBackward(BinaryOp op, Scalar coef) : op(op), coef(coef) {}
  const char* name() const override { return binary_name(op); }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    const bool ga = needs_input_grad(0), gb = needs_input_grad(1);
    Tensor da, db;
    switch (op) {
      case BinaryOp::Add:
      case BinaryOp::Sub: {
        const double c = coef.to_double();
        if (ga) da = g;
        if (gb) db = c == 1 ? g : c == -1 ? -g : g * coef;
        break;
      }
      case BinaryOp::Mul:
        if (ga) da = g * b.unpack(this);
        if (gb) db = g * a.unpack(this);
        break;
      case BinaryOp::Div: {
        const Tensor B = b.unpack(this);
        if (ga) da = g / B;
        if (gb) db = -g * out.unpack(this) / B;
        break;
      }
      case BinaryOp::FloorDiv:
      case BinaryOp::TruncDiv:  // piecewise constant; PyTorch's gradient is zero
        if (ga) da = zeros_like(g);
        if (gb) db = zeros_like(g);
        break;
      case BinaryOp::Pow: {
        const Tensor A = a.unpack(this), B = b.unpack(this);
        if (ga) da = where(B == 0.0, 0.0, g * B * pow(A, B - 1.0));
        // 0^b for b >= 0 is taken as constant in b (log(0) would give NaN or -inf * 0).
        if (gb) db = g * where(logical_and(A == 0.0, B >= 0.0), 0.0, out.unpack(this) * log(A));
        break;
      }
      case BinaryOp::Maximum:
      case BinaryOp::Minimum: {  // ties split the gradient evenly; NaN passes it to both
        const Tensor A = a.unpack(this), B = b.unpack(this);
        const Tensor a_loses = op == BinaryOp::Maximum ? A < B : A > B;
        const Tensor shared = where(A == B, g * 0.5, g);
        if (ga) da = where(a_loses, 0.0, shared);
        if (gb) db = where(op == BinaryOp::Maximum ? A > B : A < B, 0.0, shared);
        break;
      }
      case BinaryOp::Fmod:
      case BinaryOp::Remainder:
        if (ga) da = g;
        if (gb) db = -g * div(a.unpack(this), b.unpack(this), op == BinaryOp::Fmod ? "trunc" : "floor");
        break;
      case BinaryOp::Atan2: {
        const Tensor A = a.unpack(this), B = b.unpack(this);
        const Tensor recip = reciprocal(A * A + B * B);
        if (ga) da = g * B * recip;
        if (gb) db = g * -A * recip;
        break;
      }
      default:
        ACCEL_FAIL(accel::name(op), ": not differentiable");
    }
    return {da, db};
  }
  void release_saved() override {
    a.reset();
    b.reset();
    out.reset();
  }
  BinaryOp op;
  Scalar coef;
  SavedTensor a, b, out;
};

Scalar add_coef(BinaryOp op, Scalar alpha) {
  return op == BinaryOp::Sub ? Scalar(-alpha.to_double()) : alpha;
}

// ---- ternary ----

// Which of x, y, z (Where: condition, a, b) the formula reads.
struct TernarySaves {
  bool x = false, y = false, z = false;
};

TernarySaves ternary_saves(TernaryOp op, const Node& n) {
  const bool g0 = n.needs_input_grad(0), g1 = n.needs_input_grad(1), g2 = n.needs_input_grad(2);
  switch (op) {
    case TernaryOp::Where: return {true, false, false};
    case TernaryOp::Lerp: return {g2, g2, g0 || g1};
    case TernaryOp::Addcmul: return {false, g2, g1};
    case TernaryOp::Addcdiv: return {false, g2, g1 || g2};
  }
  return {};
}

struct TernaryBackward final : Node {
  TernaryBackward(TernaryOp op, Scalar value) : op(op), value(value) {}
  const char* name() const override {
    static const char* const names[] = {"WhereBackward", "LerpBackward", "AddcmulBackward", "AddcdivBackward"};
    return names[static_cast<size_t>(op)];
  }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    const bool g0 = needs_input_grad(0), g1 = needs_input_grad(1), g2 = needs_input_grad(2);
    if (op == TernaryOp::Where) {  // edges: a, b
      const Tensor c = x.unpack(this);
      return {g0 ? where(c, g, 0.0) : Tensor(), g1 ? where(c, 0.0, g) : Tensor()};
    }
    TensorList out(3);
    if (g0) out[0] = op == TernaryOp::Lerp ? g * (1.0 - z.unpack(this)) : g;
    switch (op) {
      case TernaryOp::Lerp:
        if (g1) out[1] = g * z.unpack(this);
        if (g2) out[2] = g * (y.unpack(this) - x.unpack(this));
        break;
      case TernaryOp::Addcmul:
        if (g1) out[1] = g * z.unpack(this) * value;
        if (g2) out[2] = g * y.unpack(this) * value;
        break;
      case TernaryOp::Addcdiv: {
        const Tensor t2 = z.unpack(this);
        if (g1) out[1] = g * value / t2;
        if (g2) out[2] = -(g * value) * y.unpack(this) / (t2 * t2);
        break;
      }
      case TernaryOp::Where:
        break;
    }
    return out;
  }
  void release_saved() override {
    x.reset();
    y.reset();
    z.reset();
  }
  TernaryOp op;
  Scalar value;
  SavedTensor x, y, z;
};

// clamp with tensor bounds (either may be undefined). As PyTorch: x gets the gradient where
// min <= x <= max, a bound where it is the result (max also where max < min).
struct ClampTensorBackward final : Node {
  const char* name() const override { return "ClampBackward"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    const Tensor X = x.unpack(this), lo = min.unpack(this), hi = max.unpack(this);
    TensorList out(3);
    if (needs_input_grad(0)) {
      Tensor inside = lo.defined() ? X >= lo : Tensor();
      if (hi.defined()) inside = inside.defined() ? logical_and(inside, X <= hi) : X <= hi;
      out[0] = where(inside, g, 0.0);
    }
    if (needs_input_grad(1)) out[1] = where(hi.defined() ? logical_and(X < lo, lo < hi) : X < lo, g, 0.0);
    if (needs_input_grad(2)) out[2] = where(lo.defined() ? logical_or(X > hi, hi < lo) : X > hi, g, 0.0);
    return out;
  }
  void release_saved() override {
    x.reset();
    min.reset();
    max.reset();
  }
  SavedTensor x, min, max;
};

struct MaskedFillBackward final : Node {
  const char* name() const override { return "MaskedFillBackward"; }
  TensorList apply(TensorList&& g) override {
    return {needs_input_grad(0) ? where(mask.unpack(this), 0.0, g[0]) : Tensor()};
  }
  void release_saved() override { mask.reset(); }
  SavedTensor mask;
};

}  // namespace

void record_unary(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams params) {
  if (!should_record(x) || !out.is_floating_point()) return;
  auto node = make_node<UnaryBackward>({&x}, op, params);
  const Saves s = unary_saves(op);
  if (s & kInput) node->x = SavedTensor(x);
  set_history(out, *node);
  if (s & kOutput) node->y = SavedTensor(out, /*is_output=*/true);
}

bool unary_needs_original(UnaryOp op, const Tensor& self) {
  return (unary_saves(op) & kInput) && should_record(self) && self.is_floating_point();
}

void record_unary_(UnaryOp op, const Tensor& self, const Tensor& original, UnaryParams params) {
  if (!should_record(self) || !self.is_floating_point()) return;
  auto node = make_node<UnaryBackward>({&self}, op, params);
  node->x = SavedTensor(original);
  rebase_history(self, *node);
  if (unary_saves(op) & kOutput) node->y = SavedTensor(self, /*is_output=*/true);
}

void record_binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  if (!should_record(a, b) || !out.is_floating_point()) return;
  auto node = make_node<BinaryBackward>({&a, &b}, op, add_coef(op, alpha));
  const BinarySaves s = binary_saves(op, node->needs_input_grad(0), node->needs_input_grad(1));
  if (s.a) node->a = SavedTensor(a);
  if (s.b) node->b = SavedTensor(b);
  set_history(out, *node);
  if (s.out) node->out = SavedTensor(out, /*is_output=*/true);
}

bool binary_needs_original(BinaryOp op, const Tensor& self, const Tensor& other) {
  return should_record(self, other) && self.is_floating_point() &&
         binary_saves(op, requires_grad(self), requires_grad(other)).a;
}

void record_binary_(BinaryOp op, const Tensor& self, const Tensor& original, const Tensor& other, Scalar alpha) {
  if (!should_record(self, other) || !self.is_floating_point()) return;
  auto node = make_node<BinaryBackward>({&self, &other}, op, add_coef(op, alpha));
  const BinarySaves s = binary_saves(op, node->needs_input_grad(0), node->needs_input_grad(1));
  node->a = SavedTensor(original);
  if (s.b) node->b = SavedTensor(other);
  rebase_history(self, *node);
  if (s.out) node->out = SavedTensor(self, /*is_output=*/true);
}

void record_ternary(TernaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& z,
                    Scalar value) {
  const bool is_where = op == TernaryOp::Where;  // the condition has no gradient
  if (!(is_where ? should_record(y, z) : should_record(x, y, z)) || !out.is_floating_point()) return;
  auto node = is_where ? make_node<TernaryBackward>({&y, &z}, op, value)
                    : make_node<TernaryBackward>({&x, &y, &z}, op, value);
  const TernarySaves s = ternary_saves(op, *node);
  if (s.x) node->x = SavedTensor(x);
  if (s.y) node->y = SavedTensor(y);
  if (s.z) node->z = SavedTensor(z);
  set_history(out, *node);
}

void record_clamp(const Tensor& out, const Tensor& x, const Tensor& min, const Tensor& max) {
  if (!should_record(x, min, max) || !out.is_floating_point()) return;
  auto node = make_node<ClampTensorBackward>({&x, &min, &max});
  node->x = SavedTensor(x);
  node->min = SavedTensor(min);
  node->max = SavedTensor(max);
  set_history(out, *node);
}

bool ternary_needs_original(TernaryOp op, const Tensor& self, const Tensor& z) {
  return op == TernaryOp::Lerp && requires_grad(z) && GradMode::is_enabled() && self.is_floating_point();
}

void record_ternary_(TernaryOp op, const Tensor& self, const Tensor& original, const Tensor& y, const Tensor& z,
                     Scalar value) {
  if (!should_record(self, y, z) || !self.is_floating_point()) return;
  auto node = make_node<TernaryBackward>({&self, &y, &z}, op, value);
  const TernarySaves s = ternary_saves(op, *node);
  node->x = SavedTensor(original);
  if (s.y) node->y = SavedTensor(y);
  if (s.z) node->z = SavedTensor(z);
  rebase_history(self, *node);
}

void record_masked_fill_(const Tensor& self, const Tensor& mask) {
  if (!should_record(self) || !self.is_floating_point()) return;
  auto node = make_node<MaskedFillBackward>({&self});
  node->mask = SavedTensor(mask);
  rebase_history(self, *node);
}

}  // namespace accel::autograd
