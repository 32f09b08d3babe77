// Gradients of the elementwise ops: gradcheck and gradgradcheck in float64 on contiguous,
// transposed and broadcast inputs; PyTorch's values at special points; in-place variants.
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include <accel/accel.h>

#include "grad_testing.h"

using namespace accel;

namespace {

using grad_testing::expect_error;
using grad_testing::V;
using grad_testing::values;

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

enum class Domain { Real, Positive, Unit };

// A float64 leaf that requires grad; transposed ones are non-contiguous.
Tensor input(IntArrayRef sizes, Domain domain = Domain::Real, bool transposed = false) {
  DimVector shape(sizes);
  if (transposed) std::swap(shape[0], shape[1]);
  Tensor t = domain == Domain::Real       ? randn(shape, {.dtype = kFloat64})
             : domain == Domain::Positive ? rand(shape, {.dtype = kFloat64}) + 0.5
                                          : rand(shape, {.dtype = kFloat64}) * 1.6 - 0.8;
  if (transposed) t = t.t();
  return t.requires_grad_();
}

Tensor leaf(std::initializer_list<double> v) { return tensor(std::vector<double>(v), {.dtype = kFloat64}).requires_grad_(); }

// First and (unless first_only) second derivatives of fn at inputs.
void check(const Fn& fn, const std::vector<Tensor>& inputs, bool first_only = false) {
  try {
    autograd::gradcheck(fn, inputs);
    if (!first_only) autograd::gradgradcheck(fn, inputs);
  } catch (const Error& e) {
    ADD_FAILURE() << e.what();
  }
}

// fn on a contiguous and on a transposed input of the domain.
void check_unary(const std::function<Tensor(const Tensor&)>& f, Domain domain = Domain::Real) {
  const Fn fn = [&](const std::vector<Tensor>& in) { return f(in[0]); };
  check(fn, {input({2, 3}, domain)});
  check(fn, {input({3, 2}, domain, /*transposed=*/true)});
}

// fn on same-shape, broadcast ({3,1} with {4}, 0-dim) and transposed operands.
void check_binary(const std::function<Tensor(const Tensor&, const Tensor&)>& f, Domain da = Domain::Real,
                  Domain db = Domain::Real) {
  const Fn fn = [&](const std::vector<Tensor>& in) { return f(in[0], in[1]); };
  check(fn, {input({2, 3}, da), input({2, 3}, db)});
  check(fn, {input({3, 1}, da), input({4}, db)});
  check(fn, {input({2, 3}, da, true), input({2, 3}, db)});
  check(fn, {input({3}, da), input({}, db)});
}

Tensor grad_of(const Tensor& y, const Tensor& x) { return autograd::grad({y.sum()}, {x})[0]; }

}  // namespace

TEST(ElementwiseGrad, Unary) {
  const struct {
    const char* name;
    std::function<Tensor(const Tensor&)> f;
    Domain domain;
  } cases[] = {
      {"neg", [](const Tensor& x) { return -x; }, Domain::Real},
      {"abs", [](const Tensor& x) { return abs(x); }, Domain::Real},
      {"exp", [](const Tensor& x) { return exp(x); }, Domain::Real},
      {"exp2", [](const Tensor& x) { return exp2(x); }, Domain::Real},
      {"log", [](const Tensor& x) { return log(x); }, Domain::Positive},
      {"log2", [](const Tensor& x) { return log2(x); }, Domain::Positive},
      {"log1p", [](const Tensor& x) { return log1p(x); }, Domain::Unit},
      {"expm1", [](const Tensor& x) { return expm1(x); }, Domain::Real},
      {"sqrt", [](const Tensor& x) { return sqrt(x); }, Domain::Positive},
      {"rsqrt", [](const Tensor& x) { return rsqrt(x); }, Domain::Positive},
      {"reciprocal", [](const Tensor& x) { return reciprocal(x); }, Domain::Positive},
      {"sin", [](const Tensor& x) { return sin(x); }, Domain::Real},
      {"cos", [](const Tensor& x) { return cos(x); }, Domain::Real},
      {"tan", [](const Tensor& x) { return tan(x); }, Domain::Unit},
      {"tanh", [](const Tensor& x) { return tanh(x); }, Domain::Real},
      {"sigmoid", [](const Tensor& x) { return sigmoid(x); }, Domain::Real},
      {"relu", [](const Tensor& x) { return relu(x); }, Domain::Real},
      {"gelu", [](const Tensor& x) { return gelu(x); }, Domain::Real},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }, Domain::Real},
      {"silu", [](const Tensor& x) { return silu(x); }, Domain::Real},
      {"leaky_relu", [](const Tensor& x) { return leaky_relu(x, 0.2); }, Domain::Real},
      {"elu", [](const Tensor& x) { return elu(x, 1.5); }, Domain::Real},
      {"softplus", [](const Tensor& x) { return softplus(x); }, Domain::Real},
      {"softplus_threshold", [](const Tensor& x) { return softplus(x * 3.0, 2.0, 1.0); }, Domain::Real},
      {"erf", [](const Tensor& x) { return erf(x); }, Domain::Real},
      {"square", [](const Tensor& x) { return square(x); }, Domain::Real},
      {"pow_2", [](const Tensor& x) { return pow(x, 2); }, Domain::Real},
      {"pow_3", [](const Tensor& x) { return x.pow(3.0); }, Domain::Real},
      {"pow_2.5", [](const Tensor& x) { return pow(x, 2.5); }, Domain::Positive},
      {"pow_-1.5", [](const Tensor& x) { return pow(x, -1.5); }, Domain::Positive},
      {"pow_0", [](const Tensor& x) { return pow(x, 0); }, Domain::Real},
      {"clamp", [](const Tensor& x) { return clamp(x, -0.5, 0.5); }, Domain::Real},
      {"clamp_min", [](const Tensor& x) { return clamp(x, 0.1); }, Domain::Real},
      {"clamp_max", [](const Tensor& x) { return x.clamp(std::nullopt, -0.1); }, Domain::Real},
      {"floor", [](const Tensor& x) { return floor(x * 3.0); }, Domain::Real},
      {"ceil", [](const Tensor& x) { return ceil(x); }, Domain::Real},
      {"round", [](const Tensor& x) { return round(x); }, Domain::Real},
      {"trunc", [](const Tensor& x) { return trunc(x); }, Domain::Real},
      {"sign", [](const Tensor& x) { return sign(x); }, Domain::Real},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    check_unary(c.f, c.domain);
  }
}

// Both branches of the piecewise ops, at fixed points away from their kinks.
TEST(ElementwiseGrad, PiecewiseBranches) {
  for (const auto& f : std::vector<std::function<Tensor(const Tensor&)>>{
           [](const Tensor& t) { return relu(t); }, [](const Tensor& t) { return leaky_relu(t, -0.3); },
           [](const Tensor& t) { return elu(t, 0.7); }, [](const Tensor& t) { return softplus(t, 2.0, 1.0); },
           [](const Tensor& t) { return clamp(t, -0.5, 0.5); }, [](const Tensor& t) { return abs(t); },
           [](const Tensor& t) { return maximum(t, full_like(t, 0.5)); }})
    check([&](const std::vector<Tensor>& in) { return f(in[0]); }, {leaf({-1.3, -0.4, 0.3, 0.7, 2.1})});
}

TEST(ElementwiseGrad, NodeNames) {
  const Tensor x = input({2});
  EXPECT_STREQ(exp(x).grad_fn()->name(), "ExpBackward");
  EXPECT_STREQ(gelu(x, "tanh").grad_fn()->name(), "GeluBackward");
  EXPECT_STREQ((x - x).grad_fn()->name(), "SubBackward");
  EXPECT_STREQ((x / 2.0).grad_fn()->name(), "DivBackward");
  EXPECT_STREQ(where(x > 0.0, x, 0.0).grad_fn()->name(), "WhereBackward");
  EXPECT_STREQ(lerp(x, x * 2.0, 0.3).grad_fn()->name(), "LerpBackward");
}

TEST(ElementwiseGrad, PiecewiseConstantOpsHaveZeroGradients) {
  const Tensor x = leaf({-1.5, 0.3, 2.7}), y = leaf({2, -0.7, 1.1});
  for (const Tensor& out : {floor(x), ceil(x), round(x), trunc(x), sign(x)}) {
    EXPECT_TRUE(out.requires_grad());
    EXPECT_EQ(values(grad_of(out, x)), (V{0, 0, 0}));
  }
  for (const char* mode : {"floor", "trunc"}) {
    const auto g = autograd::grad({div(x, y, mode).sum()}, {x, y});
    EXPECT_EQ(values(g[0]), (V{0, 0, 0})) << mode;
    EXPECT_EQ(values(g[1]), (V{0, 0, 0})) << mode;
  }
  EXPECT_EQ(values(grad_of(floor_divide(x, y), y)), (V{0, 0, 0}));
}

TEST(ElementwiseGrad, SpecialPointsFollowPyTorch) {
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor z = leaf({0, 1, -1});
  EXPECT_EQ(values(grad_of(relu(z), z)), (V{0, 1, 0}));
  // A NaN input gives a NaN output, which passes its gradient on (threshold_backward).
  const Tensor n = leaf({std::numeric_limits<double>::quiet_NaN(), -2});
  EXPECT_EQ(values(grad_of(relu(n), n)), (V{1, 0}));
  EXPECT_EQ(values(autograd::grad({relu(n).sum()}, {n}, {}, std::nullopt, /*create_graph=*/true)[0]), (V{1, 0}));
  EXPECT_EQ(values(grad_of(abs(z), z)), (V{0, 1, -1}));
  EXPECT_EQ(values(grad_of(leaky_relu(z, 0.1), z)), (V{0.1, 1, 0.1}));
  EXPECT_EQ(values(grad_of(elu(z, 2.0), z)), (V{2, 1, 2 * std::exp(-1.0)}));
  EXPECT_EQ(values(grad_of(pow(z, 0), z)), (V{0, 0, 0}));
  EXPECT_EQ(values(grad_of(pow(z, 2), z)), (V{0, 2, -2}));
  const Tensor s = leaf({0, 4});
  EXPECT_EQ(values(grad_of(sqrt(s), s)), (V{inf, 0.25}));
  // clamp passes the gradient at its bounds (min <= x <= max).
  const Tensor c = leaf({-1, -0.5, 0, 0.5, 1});
  EXPECT_EQ(values(grad_of(clamp(c, -0.5, 0.5), c)), (V{0, 1, 1, 1, 0}));
  EXPECT_EQ(values(grad_of(clamp(c, 0.0), c)), (V{0, 0, 1, 1, 1}));
  // maximum / minimum split ties evenly.
  const Tensor a = leaf({1, 2, 3}), b = leaf({1, 3, 2});
  for (const auto& [out, ga, gb] : {std::tuple{maximum(a, b), V{0.5, 0, 1}, V{0.5, 1, 0}},
                                     std::tuple{minimum(a, b), V{0.5, 1, 0}, V{0.5, 0, 1}}}) {
    const auto g = autograd::grad({out.sum()}, {a, b});
    EXPECT_EQ(values(g[0]), ga);
    EXPECT_EQ(values(g[1]), gb);
  }
  // d/db 0^b is 0 for b >= 0 (not log(0) * 0 = NaN); pow's d/da is 0 where b == 0.
  const Tensor base = leaf({0, 0, 2}), e = leaf({0, 2, 3});
  const auto g = autograd::grad({pow(base, e).sum()}, {base, e});
  EXPECT_EQ(values(g[0]), (V{0, 0, 12}));
  EXPECT_EQ(values(g[1]), (V{0, 0, 8 * std::log(2.0)}));
  EXPECT_EQ(values(grad_of(pow(0.0, e), e)), (V{0, 0, 0}));
}

TEST(ElementwiseGrad, Pow) {
  check_binary([](const Tensor& a, const Tensor& b) { return pow(a, b); }, Domain::Positive, Domain::Real);
  check_unary([](const Tensor& e) { return pow(2.5, e); });
  check_unary([](const Tensor& e) { return pow(0.5, e); });
}

TEST(ElementwiseGrad, Binary) {
  const struct {
    const char* name;
    std::function<Tensor(const Tensor&, const Tensor&)> f;
    Domain db;
  } cases[] = {
      // a + b's vjp returns one tensor for both inputs: gradgradcheck must seed outputs by position.
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }, Domain::Real},
      {"add_then_mul", [](const Tensor& a, const Tensor& b) { return (a + b) * a; }, Domain::Real},
      {"add_alpha", [](const Tensor& a, const Tensor& b) { return add(a, b, 2.5); }, Domain::Real},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }, Domain::Real},
      {"sub_alpha", [](const Tensor& a, const Tensor& b) { return sub(a, b, -3); }, Domain::Real},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }, Domain::Real},
      {"div", [](const Tensor& a, const Tensor& b) { return a / b; }, Domain::Positive},
      {"maximum", [](const Tensor& a, const Tensor& b) { return maximum(a, b); }, Domain::Real},
      {"minimum", [](const Tensor& a, const Tensor& b) { return minimum(a, b); }, Domain::Real},
      {"fmod", [](const Tensor& a, const Tensor& b) { return fmod(a * 3.0, b); }, Domain::Positive},
      {"remainder", [](const Tensor& a, const Tensor& b) { return remainder(a * 3.0, b); }, Domain::Positive},
      {"atan2", [](const Tensor& a, const Tensor& b) { return atan2(a, b); }, Domain::Real},
      {"mul_self", [](const Tensor& a, const Tensor&) { return a * a; }, Domain::Real},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    check_binary(c.f, Domain::Real, c.db);
  }
}

TEST(ElementwiseGrad, ScalarOperands) {
  check_unary([](const Tensor& x) { return x * 2.0; });
  check_unary([](const Tensor& x) { return 2.0 * x + 1; });
  check_unary([](const Tensor& x) { return 2.0 - x; });
  check_unary([](const Tensor& x) { return x.sub(2.0, 3) - 1.5; });
  check_unary([](const Tensor& x) { return x.add(1, 2) * x; });
  check_unary([](const Tensor& x) { return x / 3; });
  check_unary([](const Tensor& x) { return 3.0 / x; }, Domain::Positive);
  check_unary([](const Tensor& x) { return x.fmod(0.7) + x.remainder(0.4); });
  const Tensor x = leaf({1, 2});
  EXPECT_EQ(values(grad_of(x * 2.0 + 2.0 / x, x)), (V{0, 1.5}));
}

TEST(ElementwiseGrad, ClampWithTensorBounds) {
  check([](const std::vector<Tensor>& in) { return clamp(in[0], in[1], in[2]); },
        {input({3, 4}), input({3, 1}) - 0.5, input({4}) + 0.5});
  check([](const std::vector<Tensor>& in) { return clamp(in[0], std::optional<Tensor>(in[1]), std::nullopt); },
        {input({2, 3}), input({2, 3})});
  check([](const std::vector<Tensor>& in) { return clamp(in[0], std::nullopt, std::optional<Tensor>(in[1])); },
        {input({2, 3}, Domain::Real, true), input({3})});
  // At the bounds x keeps the gradient (not split as maximum/minimum do); min > max gives max.
  const Tensor x = leaf({-1, 0, 0.5, 1, 2, 0.5}), lo = leaf({0, 0, 0, 0, 0, 1}), hi = leaf({1, 1, 1, 1, 1, 0});
  const Tensor out = clamp(x, lo, hi);
  EXPECT_EQ(values(out), (V{0, 0, 0.5, 1, 1, 0}));
  EXPECT_STREQ(out.grad_fn()->name(), "ClampBackward");
  const auto g = autograd::grad({out.sum()}, {x, lo, hi});
  EXPECT_EQ(values(g[0]), (V{0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(values(g[1]), (V{1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(values(g[2]), (V{0, 0, 0, 0, 1, 1}));
  const auto g_min_only = autograd::grad({clamp(x, std::optional<Tensor>(lo), std::nullopt).sum()}, {x, lo});
  EXPECT_EQ(values(g_min_only[0]), (V{0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(values(g_min_only[1]), (V{1, 0, 0, 0, 0, 1}));
}

TEST(ElementwiseGrad, Ternary) {
  const Tensor cond = rand({3, 4}) > 0.5;
  const Tensor mask = rand({4}) > 0.5;
  check([&](const std::vector<Tensor>& in) { return where(cond, in[0], in[1]); }, {input({3, 4}), input({4})});
  check([&](const std::vector<Tensor>& in) { return where(cond, in[0] * in[0], 1.5); }, {input({3, 1})});
  check([&](const std::vector<Tensor>& in) { return where(cond, 2.0, in[0]); }, {input({3, 4}, Domain::Real, true)});
  check([&](const std::vector<Tensor>& in) { return masked_fill(in[0], mask, 3.0); }, {input({3, 4})});
  check([&](const std::vector<Tensor>& in) { return in[0].masked_fill(mask, in[1] * 2.0); }, {input({3, 4}), input({})});
  check([](const std::vector<Tensor>& in) { return lerp(in[0], in[1], in[2]); },
        {input({3, 4}), input({4}), input({3, 1})});
  check([](const std::vector<Tensor>& in) { return lerp(in[0], in[1], 0.3); }, {input({3, 4}, Domain::Real, true), input({3, 4})});
  check([](const std::vector<Tensor>& in) { return addcmul(in[0], in[1], in[2], 0.5); },
        {input({3, 4}), input({4}), input({3, 1})});
  check([](const std::vector<Tensor>& in) { return addcdiv(in[0], in[1], in[2], -2); },
        {input({3, 4}), input({3, 4}, Domain::Real, true), input({4}, Domain::Positive)});
  // The condition is only an input of the forward: it gets no edge and no gradient.
  const Tensor x = input({3, 4});
  EXPECT_EQ(where(cond, x, 0.0).grad_fn()->next_edges().size(), 2u);
}

TEST(ElementwiseGrad, InPlace) {
  const struct {
    const char* name;
    std::function<void(const Tensor&, const Tensor&)> f;  // modifies its first argument
    Domain da, db;
  } cases[] = {
      {"add_", [](const Tensor& s, const Tensor& o) { s.add_(o, 2); }, Domain::Real, Domain::Real},
      {"sub_", [](const Tensor& s, const Tensor& o) { s.sub_(o); }, Domain::Real, Domain::Real},
      {"mul_", [](const Tensor& s, const Tensor& o) { s.mul_(o); }, Domain::Real, Domain::Real},
      {"div_", [](const Tensor& s, const Tensor& o) { s.div_(o); }, Domain::Real, Domain::Positive},
      {"+=", [](const Tensor& s, const Tensor& o) { s += o.exp(); }, Domain::Real, Domain::Real},
      {"-=", [](const Tensor& s, const Tensor& o) { s -= o; }, Domain::Real, Domain::Real},
      {"*=", [](const Tensor& s, const Tensor& o) { s *= o; }, Domain::Real, Domain::Real},
      {"/=", [](const Tensor& s, const Tensor& o) { s /= o; }, Domain::Real, Domain::Positive},
      {"scalar ops", [](const Tensor& s, const Tensor& o) { ((((s += 1.0) *= 2.0) -= 3) /= 4.0).mul_(o); },
       Domain::Real, Domain::Real},
      {"pow_", [](const Tensor& s, const Tensor& o) { s.pow_(2.5).mul_(o); }, Domain::Positive, Domain::Real},
      {"clamp_", [](const Tensor& s, const Tensor& o) { s.clamp_(-0.5, 0.7).mul_(o); }, Domain::Real, Domain::Real},
      {"neg_", [](const Tensor& s, const Tensor& o) { s.mul_(o).neg_(); }, Domain::Real, Domain::Real},
      {"exp_", [](const Tensor& s, const Tensor& o) { s.mul_(o).exp_(); }, Domain::Real, Domain::Real},
      {"sqrt_", [](const Tensor& s, const Tensor& o) { s.mul_(o).sqrt_(); }, Domain::Positive, Domain::Positive},
      {"relu_", [](const Tensor& s, const Tensor& o) { s.mul_(o).relu_(); }, Domain::Real, Domain::Real},
      {"sigmoid_", [](const Tensor& s, const Tensor& o) { s.mul_(o).sigmoid_(); }, Domain::Real, Domain::Real},
      {"tanh_", [](const Tensor& s, const Tensor& o) { s.mul_(o).tanh_(); }, Domain::Real, Domain::Real},
      {"masked_fill_", [](const Tensor& s, const Tensor& o) { s.mul_(o).masked_fill_(o > 0.0, 2.0); }, Domain::Real,
       Domain::Real},
      {"lerp_", [](const Tensor& s, const Tensor& o) { s.lerp_(o, 0.3); }, Domain::Real, Domain::Real},
      {"addcmul_", [](const Tensor& s, const Tensor& o) { s.addcmul_(o, o * 2.0, 0.5); }, Domain::Real, Domain::Real},
      {"addcdiv_", [](const Tensor& s, const Tensor& o) { s.addcdiv_(s * 2.0, o, 3); }, Domain::Real,
       Domain::Positive},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Fn fn = [&](const std::vector<Tensor>& in) {
      const Tensor self = in[0].clone();
      c.f(self, in[1]);
      return self;
    };
    check(fn, {input({2, 3}, c.da), input({2, 3}, c.db)});
    check(fn, {input({2, 3}, c.da, true), input({3}, c.db)});
  }
}

// CopySlices has no double backward: first derivatives only.
TEST(ElementwiseGrad, InPlaceOnAViewReachesTheBase) {
  const Fn fn = [](const std::vector<Tensor>& in) {
    const Tensor base = in[0] * 1.0;
    base.select(0, 1).mul_(in[1]).exp_();
    const Tensor other = in[0] * 2.0;
    other.select(1, 0).clamp_(-0.3, 0.3).masked_fill_(in[1].select(0, 0) > 10.0, 0.0);
    return base + other;
  };
  check(fn, {input({3, 2}), input({2})}, /*first_only=*/true);
}

TEST(ElementwiseGrad, DtypePromotion) {
  const Tensor x = randn({3}, {.requires_grad = true});  // float32
  const Tensor y = randn({3}, {.dtype = kFloat64, .requires_grad = true});
  const Tensor out = x * y + atan2(x, y) + pow(x.abs() + 1.0, y);
  EXPECT_EQ(out.dtype(), kFloat64);
  out.sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(y.grad().dtype(), kFloat64);
  const Tensor x64 = x.detach().to(kFloat64).requires_grad_();
  const auto g = autograd::grad({(x64 * y + atan2(x64, y) + pow(x64.abs() + 1.0, y)).sum()}, {x64});
  EXPECT_TRUE(allclose(x.grad().to(kFloat64), g[0], 1e-5, 1e-6));
  // In place: a float32 tensor updated with float64 operands keeps float32 gradients.
  const Tensor s = randn({3}, {.requires_grad = true});
  const Tensor t = s * 1.0f;
  t.mul_(y).add_(y);
  EXPECT_EQ(t.dtype(), kFloat32);
  const auto gi = autograd::grad({t.sum()}, {s, y});
  EXPECT_EQ(gi[0].dtype(), kFloat32);
  EXPECT_TRUE(allclose(gi[0].to(kFloat64), y.detach(), 1e-6, 1e-6));
  EXPECT_TRUE(allclose(gi[1], s.detach().to(kFloat64) + 1.0, 1e-6, 1e-6));
}

TEST(ElementwiseGrad, NoRecordingWithoutGradMode) {
  const Tensor x = input({3});
  {
    NoGradGuard no_grad;
    EXPECT_FALSE((x * 2.0 + exp(x)).requires_grad());
  }
  EXPECT_FALSE((randn({3}) * 2.0).requires_grad());
  EXPECT_FALSE((x > 0.0).requires_grad());  // comparisons have no gradient
}

TEST(ElementwiseGrad, Errors) {
  const Tensor x = input({3});
  expect_error([&] { x.mul_(2.0); }, "leaf");
  expect_error([&] { x.exp_(); }, "leaf");
  // Saved tensors modified in place: an input (mul), an output (exp), an in-place result (sigmoid_).
  const Tensor a = x * 1.0;
  const Tensor m = a * x;
  a.add_(1.0);
  expect_error([&] { m.sum().backward(); }, "modified by an in-place operation");
  const Tensor e = exp(x);
  e.add_(1.0);
  expect_error([&] { e.sum().backward(); }, "ExpBackward");
  const Tensor s = (x * 1.0).sigmoid_();
  s.mul_(2.0);
  expect_error([&] { s.sum().backward(); }, "SigmoidBackward");
  // Errors of the forward stay errors with autograd on.
  EXPECT_THROW(x + input({4}), Error);
  EXPECT_THROW((x * 1.0).add_(input({2, 3})), Error);
}
