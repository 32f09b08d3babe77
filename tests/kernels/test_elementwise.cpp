#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <accel/accel.h>

using namespace accel;

namespace {
std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }
void expect_near(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-6) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(b[i])) EXPECT_TRUE(std::isnan(a[i])) << "at " << i;
    else EXPECT_NEAR(a[i], b[i], tol * std::max(1.0, std::abs(b[i]))) << "at " << i;
  }
}
}  // namespace

TEST(Unary, ValuesFloat32AndFloat64) {
  for (DType dtype : {kFloat32, kFloat64}) {
    const Tensor x = tensor({-2.0, -0.5, 0.0, 0.5, 3.0}, {.dtype = dtype});
    expect_near(values(relu(x)), {0, 0, 0, 0.5, 3});
    expect_near(values(abs(x)), {2, 0.5, 0, 0.5, 3});
    expect_near(values(neg(x)), {2, 0.5, 0, -0.5, -3});
    expect_near(values(sign(x)), {-1, -1, 0, 1, 1});
    expect_near(values(exp(x)), {std::exp(-2.0), std::exp(-0.5), 1, std::exp(0.5), std::exp(3.0)});
    expect_near(values(sigmoid(x)), {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(0.5)), 0.5, 1 / (1 + std::exp(-0.5)),
                                     1 / (1 + std::exp(-3.0))});
    expect_near(values(tanh(x)), {std::tanh(-2.0), std::tanh(-0.5), 0, std::tanh(0.5), std::tanh(3.0)});
    expect_near(values(gelu(x)), {-2 * 0.5 * (1 + std::erf(-2 / std::sqrt(2.0))), -0.5 * 0.5 * (1 + std::erf(-0.5 / std::sqrt(2.0))),
                                  0, 0.5 * 0.5 * (1 + std::erf(0.5 / std::sqrt(2.0))), 3 * 0.5 * (1 + std::erf(3 / std::sqrt(2.0)))});
    expect_near(values(leaky_relu(x, 0.1)), {-0.2, -0.05, 0, 0.5, 3});
    expect_near(values(elu(x)), {std::expm1(-2.0), std::expm1(-0.5), 0, 0.5, 3});
    expect_near(values(softplus(x)), {std::log1p(std::exp(-2.0)), std::log1p(std::exp(-0.5)), std::log(2.0),
                                      std::log1p(std::exp(0.5)), std::log1p(std::exp(3.0))});
    expect_near(values(silu(x)), {-2 / (1 + std::exp(2.0)), -0.5 / (1 + std::exp(0.5)), 0, 0.5 / (1 + std::exp(-0.5)),
                                  3 / (1 + std::exp(-3.0))});
    expect_near(values(clamp(x, -1.0, 1.0)), {-1, -0.5, 0, 0.5, 1});
    expect_near(values(clamp(x, std::nullopt, 0.0)), {-2, -0.5, 0, 0, 0});
    expect_near(values(x.pow(2)), {4, 0.25, 0, 0.25, 9});
    expect_near(values(square(x)), {4, 0.25, 0, 0.25, 9});
    expect_near(values(floor(x)), {-2, -1, 0, 0, 3});
    expect_near(values(ceil(x)), {-2, -0, 0, 1, 3});
    expect_near(values(trunc(x)), {-2, -0, 0, 0, 3});
  }
}

TEST(Unary, RoundHalfToEvenAndSpecialValues) {
  expect_near(values(round(tensor({0.5, 1.5, 2.5, -0.5, -1.5}))), {0, 2, 2, -0, -2});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_near(values(relu(tensor({nan}))), {std::nan("")});
  expect_near(values(clamp(tensor({nan}), 0.0, 1.0)), {std::nan("")});
  expect_near(values(sqrt(tensor({-1.0f}))), {std::nan("")});
  EXPECT_TRUE(std::isinf(log(tensor({0.0f})).item<float>()));
  expect_near(values(sign(tensor({nan}))), {0});
}

TEST(Unary, IntegerInputsPromoteForFloatingOps) {
  const Tensor i = tensor({1, 4, 9});
  EXPECT_EQ(sqrt(i).dtype(), kFloat32);
  expect_near(values(sqrt(i)), {1, 2, 3});
  EXPECT_EQ(abs(tensor({-3, 3})).dtype(), kInt64);
  EXPECT_EQ(neg(tensor({2}, {.dtype = kInt32})).item<int32_t>(), -2);
  EXPECT_EQ(tensor({3}).pow(3).item<int64_t>(), 27);
  EXPECT_EQ(tensor({3}).pow(0.5).dtype(), kFloat32);
  EXPECT_THROW(tensor({3}).pow(-1), Error);
  EXPECT_THROW(neg(tensor({true})), Error);
  EXPECT_THROW(clamp(tensor({1.0f}), std::optional<Scalar>{}, std::optional<Scalar>{}), Error);
  EXPECT_THROW(gelu(tensor({1.0f}), "fast"), Error);
}

TEST(Unary, HalfPrecisionComputesInFloat) {
  const Tensor x = tensor({0.5f, 1.0f, 2.0f}).to(kHalf);
  const Tensor y = exp(x);
  EXPECT_EQ(y.dtype(), kHalf);
  expect_near(values(y), {1.6484375, 2.71875, 7.390625}, 1e-6);
  EXPECT_EQ(sigmoid(tensor({0.0f}).to(kBFloat16)).item<float>(), 0.5f);
}

TEST(Unary, NonContiguousAndLargeInputs) {
  manual_seed(3);
  const Tensor x = randn({300, 700});
  const Tensor xt = x.t();
  EXPECT_TRUE(equal(exp(xt), exp(xt.contiguous())));
  EXPECT_TRUE(allclose(exp(x).sum(), exp(x.contiguous()).sum()));
  const Tensor strided = x.slice(1, 0, 700, 3);
  EXPECT_TRUE(equal(tanh(strided), tanh(strided.contiguous())));
}

TEST(Unary, InPlaceForms) {
  const Tensor x = tensor({-1.0f, 4.0f});
  const auto v0 = x.version();
  x.relu_().sqrt_();
  expect_near(values(x), {0, 2});
  EXPECT_EQ(x.version(), v0 + 2);
  EXPECT_THROW(tensor({1, 2}).sqrt_(), Error);
}

TEST(Binary, BroadcastingValues) {
  const Tensor a = tensor({{1.f}, {2.f}, {3.f}});  // [3, 1]
  const Tensor b = tensor({10.f, 20.f});           // [2]
  const Tensor s = a + b;
  EXPECT_EQ(s.sizes(), IntArrayRef({3, 2}));
  expect_near(values(s), {11, 21, 12, 22, 13, 23});
  expect_near(values(a - b), {-9, -19, -8, -18, -7, -17});
  expect_near(values(a * b), {10, 20, 20, 40, 30, 60});
  expect_near(values(b / a), {10, 20, 5, 10, 10.0 / 3, 20.0 / 3});
  expect_near(values(add(a, b, 2)), {21, 41, 22, 42, 23, 43});
  expect_near(values(sub(a, b, 0.5)), {-4, -9, -3, -8, -2, -7});
  EXPECT_THROW(ones({2, 3}) + ones({3, 2}), Error);
}

TEST(Binary, DivisionModes) {
  const Tensor a = tensor({7, -7, 7, -7});
  const Tensor b = tensor({2, 2, -2, -2});
  EXPECT_EQ(div(a, b).dtype(), kFloat32);
  expect_near(values(div(a, b)), {3.5, -3.5, -3.5, 3.5});
  EXPECT_EQ(div(a, b, "floor").to_vector<int64_t>(), (std::vector<int64_t>{3, -4, -4, 3}));
  EXPECT_EQ(div(a, b, "trunc").to_vector<int64_t>(), (std::vector<int64_t>{3, -3, -3, 3}));
  EXPECT_EQ(remainder(a, b).to_vector<int64_t>(), (std::vector<int64_t>{1, 1, -1, -1}));
  EXPECT_EQ(fmod(a, b).to_vector<int64_t>(), (std::vector<int64_t>{1, -1, 1, -1}));
  expect_near(values(remainder(tensor({-7.5f}), tensor({2.f}))), {0.5});
  expect_near(values(fmod(tensor({-7.5f}), tensor({2.f}))), {-1.5});
  EXPECT_THROW(div(a, tensor({0}), "floor"), Error);   // an Error, not SIGFPE
  EXPECT_THROW(remainder(a, tensor({0})), Error);
  EXPECT_THROW(div(a, b, "round"), Error);
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(div(tensor({min}), tensor({-1}), "trunc").item<int64_t>(), min);  // wraps, no SIGFPE
}

TEST(Binary, PowMaximumMinimumAtan2) {
  expect_near(values(pow(tensor({2.f, 3.f}), tensor({3.f, 0.5f}))), {8, std::sqrt(3.0)});
  EXPECT_EQ(pow(tensor({2, 3}), tensor({10, 2})).to_vector<int64_t>(), (std::vector<int64_t>{1024, 9}));
  expect_near(values(pow(2.0, tensor({1.f, 3.f}))), {2, 8});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_near(values(maximum(tensor({1.f, nan, 3.f}), tensor({2.f, 0.f, 1.f}))), {2, std::nan(""), 3});
  expect_near(values(minimum(tensor({1.f, 5.f}), tensor({2.f, 0.f}))), {1, 0});
  expect_near(values(atan2(tensor({1.f, -1.f}), tensor({-1.f, -1.f}))), {std::atan2(1.0, -1.0), std::atan2(-1.0, -1.0)});
}

TEST(Binary, ComparisonsAndLogic) {
  const Tensor a = tensor({1.f, 2.f, 3.f});
  const Tensor b = tensor({3.f, 2.f, 1.f});
  EXPECT_EQ((a < b).dtype(), kBool);
  EXPECT_EQ((a < b).to_vector<bool>(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ((a <= b).to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ((a == 2).to_vector<bool>(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ((a != b).to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_EQ((a >= 2.5).to_vector<bool>(), (std::vector<bool>{false, false, true}));
  const Tensor p = tensor({true, true, false}), q = tensor({true, false, false});
  EXPECT_EQ((p & q).to_vector<bool>(), (std::vector<bool>{true, false, false}));
  EXPECT_EQ((p | q).to_vector<bool>(), (std::vector<bool>{true, true, false}));
  EXPECT_EQ((p ^ q).to_vector<bool>(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ((~p).to_vector<bool>(), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(logical_and(tensor({2, 0}), tensor({1.5f, 1.f})).to_vector<bool>(), (std::vector<bool>{true, false}));
  EXPECT_EQ((p + q).dtype(), kBool);
  EXPECT_THROW(p - q, Error);
  EXPECT_THROW(~tensor({1}), Error);
}

TEST(Binary, MixedDtypesPromote) {
  EXPECT_EQ((tensor({1}) + tensor({1.5f})).dtype(), kFloat32);
  EXPECT_EQ((tensor({1}, {.dtype = kInt32}) + tensor({2})).dtype(), kInt64);
  EXPECT_EQ((tensor({1.f}) + tensor({1.0}, {.dtype = kFloat64})).dtype(), kFloat64);
  EXPECT_EQ((tensor({1.f}).to(kHalf) + tensor({1.f}).to(kBFloat16)).dtype(), kFloat32);
  EXPECT_EQ((tensor({true}) + tensor({2}, {.dtype = kUInt8})).dtype(), kUInt8);
  EXPECT_THROW(add(tensor({1}), tensor({2}), 0.5), Error);
}

TEST(Binary, InPlaceChecksCastAndShape) {
  const Tensor x = tensor({1.f, 2.f});
  x += tensor({1, 1});
  x *= 2;
  x.sub_(tensor({1.f}), 2);
  expect_near(values(x), {2, 4});
  EXPECT_THROW(tensor({1, 2}).add_(tensor({0.5f})), Error);   // float can't be written into int64
  EXPECT_THROW(tensor({1.f}).add_(tensor({1.f, 2.f})), Error); // would need to grow self
  const Tensor i = tensor({4, 6});
  EXPECT_THROW(i.div_(2), Error);                             // true division gives float
}

TEST(Binary, NonContiguousOperands) {
  manual_seed(5);
  const Tensor a = randn({64, 48});
  const Tensor b = randn({48, 64});
  EXPECT_TRUE(equal(a + b.t(), a + b.t().contiguous()));
  EXPECT_TRUE(equal(a.t() * b, a.t().contiguous() * b));
  const Tensor big = randn({512, 300});
  EXPECT_TRUE(equal(big.t() - big.t(), zeros({300, 512})));
}

TEST(Ternary, WhereLerpAddcmulAddcdivMaskedFill) {
  const Tensor c = tensor({true, false, true});
  expect_near(values(where(c, tensor({1.f, 2.f, 3.f}), tensor({-1.f}))), {1, -1, 3});
  expect_near(values(where(c, tensor({1, 2, 3}), 0.5)), {1, 0.5, 3});
  EXPECT_THROW(where(tensor({1, 0, 1}), tensor({1.f}), tensor({2.f})), Error);
  expect_near(values(lerp(tensor({0.f, 10.f}), tensor({10.f, 20.f}), 0.25)), {2.5, 12.5});
  expect_near(values(lerp(tensor({0.f}), tensor({10.f}), tensor({0.5f, 1.f}))), {5, 10});
  expect_near(values(addcmul(tensor({1.f}), tensor({2.f, 3.f}), tensor({4.f}), 0.5)), {5, 7});
  expect_near(values(addcdiv(tensor({1.f}), tensor({2.f, 3.f}), tensor({4.f}), 2)), {2, 2.5});
  EXPECT_THROW(addcdiv(tensor({1}), tensor({2}), tensor({4})), Error);
  const Tensor x = tensor({1.f, 2.f, 3.f});
  expect_near(values(x.masked_fill(c, -5)), {-5, 2, -5});
  x.masked_fill_(x > 1.5f, 0);
  expect_near(values(x), {1, 0, 0});
  x.addcmul_(tensor({1.f}), tensor({2.f}));
  expect_near(values(x), {3, 2, 2});
}

TEST(Closeness, IsCloseAllCloseEqual) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor a = tensor({1.0f, nan, INFINITY});
  const Tensor b = tensor({1.0f + 1e-7f, nan, INFINITY});
  EXPECT_EQ(isclose(a, b).to_vector<bool>(), (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(allclose(a, b, 1e-5, 1e-8, /*equal_nan=*/true));
  EXPECT_FALSE(equal(a, b));
  EXPECT_EQ(isnan(a).to_vector<bool>(), (std::vector<bool>{false, true, false}));
  EXPECT_EQ(isinf(a).to_vector<bool>(), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(isfinite(a).to_vector<bool>(), (std::vector<bool>{true, false, false}));
}
