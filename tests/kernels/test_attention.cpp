#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <accel/accel.h>

using namespace accel;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void expect_near(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i])))
      << "at " << i;
}

// Attention from its definition, batch by batch: out[b, i] = sum_j softmax_j(q[b, i] . k[b, j] * scale
// + bias[b, i, j]) v[b, j]. A row whose bias is all -inf attends to nothing (zeros), as in PyTorch.
struct Dims {
  size_t B, L, S, E, Ev;
};
std::vector<double> ref_attention(const Tensor& q, const Tensor& k, const Tensor& v, Dims d, double scale,
                                  const std::vector<double>& bias = {}) {
  const auto Q = q.to_vector<double>(), K = k.to_vector<double>(), V = v.to_vector<double>();
  std::vector<double> out(d.B * d.L * d.Ev, 0.0);
  for (size_t b = 0; b < d.B; ++b)
    for (size_t i = 0; i < d.L; ++i) {
      std::vector<double> score(d.S);
      double top = -kInf;
      for (size_t j = 0; j < d.S; ++j) {
        double dot = 0;
        for (size_t e = 0; e < d.E; ++e) dot += Q[(b * d.L + i) * d.E + e] * K[(b * d.S + j) * d.E + e];
        score[j] = dot * scale + (bias.empty() ? 0 : bias[(b * d.L + i) * d.S + j]);
        top = std::max(top, score[j]);
      }
      if (top == -kInf) continue;
      double total = 0;
      for (double& s : score) total += (s = std::exp(s - top));
      for (size_t j = 0; j < d.S; ++j)
        for (size_t e = 0; e < d.Ev; ++e) out[(b * d.L + i) * d.Ev + e] += score[j] / total * V[(b * d.S + j) * d.Ev + e];
    }
  return out;
}

Tensor randn64(IntArrayRef sizes, Generator& g) { return randn(sizes, {.dtype = kFloat64}, &g); }

}  // namespace

// ---- embedding ---------------------------------------------------------------------------

TEST(Embedding, LooksUpRowsForIndicesOfAnyShape) {
  const Tensor weight = arange(8, {.dtype = kFloat64}).view({4, 2});
  const Tensor out = embedding(weight, tensor({{0, 3}, {1, 1}}));
  EXPECT_EQ(out.sizes(), IntArrayRef({2, 2, 2}));
  expect_near(out, {0, 1, 6, 7, 2, 3, 2, 3});
  expect_near(embedding(weight, tensor({2, 0}).to(kInt32)), {4, 5, 0, 1});
  const Tensor scalar = embedding(weight, tensor(3));
  EXPECT_EQ(scalar.sizes(), IntArrayRef({2}));
  expect_near(scalar, {6, 7});
  EXPECT_EQ(embedding(weight, zeros({0, 5}, {.dtype = kInt64})).sizes(), IntArrayRef({0, 5, 2}));
  // padding_idx only changes gradients; negative values count from the end.
  expect_near(embedding(weight, tensor({1, 3}), -1), {2, 3, 6, 7});
  expect_near(embedding(weight, tensor({1, 3}), 0), {2, 3, 6, 7});
}

TEST(Embedding, RejectsBadInput) {
  const Tensor weight = zeros({4, 2});
  try {
    embedding(weight, tensor({1, 4}));
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("index 4"), std::string::npos) << m;
    EXPECT_NE(m.find("4 embeddings"), std::string::npos) << m;
  }
  EXPECT_THROW(embedding(weight, tensor({-1, 0})), Error);
  EXPECT_THROW(embedding(weight, tensor({0.0f, 1.0f})), Error);
  EXPECT_THROW(embedding(zeros({4}), tensor({0})), Error);
  EXPECT_THROW(embedding(weight, tensor({0}), 4), Error);
  EXPECT_THROW(embedding(weight, tensor({0}), -5), Error);
  EXPECT_NO_THROW(embedding(weight, tensor({0}), -4));
}

// ---- dropout -----------------------------------------------------------------------------

TEST(Dropout, KeepsAboutOneMinusPAndScalesExactly) {
  Generator g(1234);
  const Tensor out = dropout(ones({100000}), 0.75, true, &g);
  int64_t kept = 0;
  for (float v : out.to_vector<float>()) {
    ASSERT_TRUE(v == 0 || v == 4) << v;
    kept += v != 0;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 100000, 0.25, 0.01);  // about 7 standard deviations

  const Tensor x = full({100000}, 3.0, {.dtype = kFloat64});
  kept = 0;
  for (double v : dropout(x, 0.3, true, &g).to_vector<double>()) {
    ASSERT_TRUE(v == 0 || v == 3 * (1 / (1 - 0.3))) << v;
    kept += v != 0;
  }
  EXPECT_NEAR(static_cast<double>(kept) / 100000, 0.7, 0.01);
}

TEST(Dropout, SameSeedSameMask) {
  const Tensor x = arange(1, 1001, 1, {.dtype = kFloat32});
  Generator a(7), b(7), c(8);
  const Tensor first = dropout(x, 0.5, true, &a);
  EXPECT_TRUE(equal(first, dropout(x, 0.5, true, &b)));
  EXPECT_FALSE(equal(first, dropout(x, 0.5, true, &c)));
  EXPECT_FALSE(equal(first, dropout(x, 0.5, true, &a)));  // the generator moved on
  manual_seed(7);
  const Tensor from_default = dropout(x, 0.5, true);
  manual_seed(7);
  EXPECT_TRUE(equal(from_default, dropout(x, 0.5, true)));
}

TEST(Dropout, IdentityZerosAndBadInput) {
  const Tensor x = tensor({1.0f, -2.0f, 3.0f});
  EXPECT_TRUE(dropout(x, 0.5, false).is_same(x));
  EXPECT_TRUE(dropout(x, 0.0, true).is_same(x));
  expect_near(dropout(x, 1.0, true), {0, 0, 0});
  EXPECT_THROW(dropout(x, -0.1, true), Error);
  EXPECT_THROW(dropout(x, 1.5, false), Error);
  EXPECT_THROW(dropout(tensor({1, 2}), 0.5, true), Error);
}

// ---- scaled_dot_product_attention -----------------------------------------------------------

TEST(Attention, ByHand) {
  const Tensor q = tensor({{{1.0, 0.0}}}, {.dtype = kFloat64});
  const Tensor k = tensor({{{1.0, 0.0}, {0.0, 1.0}}}, {.dtype = kFloat64});
  const Tensor v = tensor({{{1.0}, {3.0}}}, {.dtype = kFloat64});
  // scores [1 / sqrt(2), 0] -> weight of the first key 1 / (1 + exp(-1 / sqrt(2))).
  const double w = 1 / (1 + std::exp(-1 / std::sqrt(2.0)));
  expect_near(scaled_dot_product_attention(q, k, v), {w + 3 * (1 - w)}, 1e-12);
  const double w2 = 1 / (1 + std::exp(-2.0));
  expect_near(scaled_dot_product_attention(q, k, v, {}, 0.0, false, 2.0), {w2 + 3 * (1 - w2)}, 1e-12);
}

TEST(Attention, MatchesDefinitionWithBroadcastBatches) {
  Generator g(3);
  const Tensor q = randn64({2, 3, 4}, g), k = randn64({2, 5, 4}, g), v = randn64({2, 5, 3}, g);
  expect_near(scaled_dot_product_attention(q, k, v), ref_attention(q, k, v, {2, 3, 5, 4, 3}, 0.5), 1e-12);
  // Float32 and batch dims [2, 2] (batch, heads) with key/value shared by the heads.
  const Tensor q4 = randn64({2, 2, 3, 4}, g), k4 = randn64({2, 1, 5, 4}, g), v4 = randn64({2, 1, 5, 3}, g);
  const Tensor out = scaled_dot_product_attention(q4.to(kFloat32), k4.to(kFloat32), v4.to(kFloat32));
  EXPECT_EQ(out.sizes(), IntArrayRef({2, 2, 3, 3}));
  EXPECT_EQ(out.dtype(), kFloat32);
  const Tensor kb = k4.expand({2, 2, 5, 4}).reshape({4, 5, 4}), vb = v4.expand({2, 2, 5, 3}).reshape({4, 5, 3});
  expect_near(out, ref_attention(q4.reshape({4, 3, 4}), kb, vb, {4, 3, 5, 4, 3}, 0.5), 1e-5);
}

TEST(Attention, CausalMaskIsTopLeftAligned) {
  // Zero queries attend uniformly to every visible key: row i averages v[0..i].
  const Tensor v = tensor({{1.0}, {2.0}, {4.0}}, {.dtype = kFloat64});
  const Tensor k = ones({3, 2}, {.dtype = kFloat64});
  expect_near(scaled_dot_product_attention(zeros({3, 2}, {.dtype = kFloat64}), k, v, {}, 0.0, true),
              {1, 1.5, 7.0 / 3}, 1e-12);
  expect_near(scaled_dot_product_attention(zeros({3, 2}, {.dtype = kFloat64}), k.narrow(0, 0, 2), v.narrow(0, 0, 2),
                                           {}, 0.0, true),
              {1, 1.5, 1.5}, 1e-12);
  expect_near(scaled_dot_product_attention(zeros({2, 2}, {.dtype = kFloat64}), k, v, {}, 0.0, true), {1, 1.5}, 1e-12);
  EXPECT_THROW(scaled_dot_product_attention(zeros({3, 2}), zeros({3, 2}), zeros({3, 1}), ones({3, 3}, {.dtype = kBool}),
                                            0.0, true),
               Error);
}

TEST(Attention, BoolAndAdditiveMasks) {
  const Tensor q = zeros({2, 2}, {.dtype = kFloat64}), k = ones({3, 2}, {.dtype = kFloat64});
  const Tensor v = tensor({{1.0}, {2.0}, {4.0}}, {.dtype = kFloat64});
  // true = attend.
  const Tensor keep = tensor({{true, false, true}, {false, true, true}});
  expect_near(scaled_dot_product_attention(q, k, v, keep), {2.5, 3}, 1e-12);
  // Additive: weights proportional to exp(mask).
  const Tensor bias = tensor({{0.0, std::log(2.0), 0.0}, {-kInf, 0.0, std::log(3.0)}}, {.dtype = kFloat64});
  expect_near(scaled_dot_product_attention(q, k, v, bias), {(1 + 4 + 4) / 4.0, (2 + 12) / 4.0}, 1e-12);
  // A [L, S] mask broadcasts over batch dims.
  Generator g(5);
  const Tensor q3 = randn64({2, 2, 2}, g), k3 = randn64({2, 3, 2}, g), v3 = randn64({2, 3, 1}, g);
  const double l2 = std::log(2.0);
  const std::vector<double> bias_ref = {0, -kInf, 0, -kInf, 0, 0, 0, -kInf, 0, -kInf, 0, 0};
  const std::vector<double> add_ref = {0, l2, 0, -kInf, 0, std::log(3.0), 0, l2, 0, -kInf, 0, std::log(3.0)};
  const double s = 1 / std::sqrt(2.0);
  expect_near(scaled_dot_product_attention(q3, k3, v3, keep), ref_attention(q3, k3, v3, {2, 2, 3, 2, 1}, s, bias_ref),
              1e-12);
  expect_near(scaled_dot_product_attention(q3, k3, v3, bias), ref_attention(q3, k3, v3, {2, 2, 3, 2, 1}, s, add_ref),
              1e-12);
}

TEST(Attention, FullyMaskedRowsGiveZeros) {
  // Current PyTorch (safe softmax) gives zeros, not NaN, for a query that may see no key.
  Generator g(11);
  const Tensor q = randn64({2, 3}, g), k = randn64({4, 3}, g), v = randn64({4, 2}, g);
  const Tensor keep = tensor({{true, true, false, true}, {false, false, false, false}});
  const std::vector<double> bias_ref = {0, 0, -kInf, 0, -kInf, -kInf, -kInf, -kInf};
  const auto expected = ref_attention(q, k, v, {1, 2, 4, 3, 2}, 1 / std::sqrt(3.0), bias_ref);
  EXPECT_EQ(expected[2], 0);
  expect_near(scaled_dot_product_attention(q, k, v, keep), expected, 1e-12);
  expect_near(scaled_dot_product_attention(q, k, v, tensor(bias_ref, {.dtype = kFloat64}).view({2, 4})), expected,
              1e-12);
}

TEST(Attention, DropoutOnTheWeights) {
  // Uniform weights 1/4 over four keys of value 1: with p = 0.5 each kept weight becomes 1/2, so
  // every output is half the number of kept keys.
  const Tensor q = zeros({1000, 2}), k = ones({4, 2}), v = ones({4, 1});
  manual_seed(21);
  const Tensor out = scaled_dot_product_attention(q, k, v, {}, 0.5);
  double total = 0;
  for (float o : out.to_vector<float>()) {
    ASSERT_TRUE(o == 0 || o == 0.5f || o == 1 || o == 1.5f || o == 2) << o;
    total += o;
  }
  EXPECT_NEAR(total / 1000, 1.0, 0.1);  // about 6 standard deviations
  manual_seed(21);
  EXPECT_TRUE(equal(out, scaled_dot_product_attention(q, k, v, {}, 0.5)));
  expect_near(scaled_dot_product_attention(q.narrow(0, 0, 2), k, v, {}, 1.0), {0, 0});
}

TEST(Attention, RejectsBadInput) {
  const Tensor q = zeros({2, 3, 4}), k = zeros({2, 5, 4}), v = zeros({2, 5, 6});
  EXPECT_NO_THROW(scaled_dot_product_attention(q, k, v));
  EXPECT_THROW(scaled_dot_product_attention(q, zeros({2, 5, 3}), v), Error);      // E differs
  EXPECT_THROW(scaled_dot_product_attention(q, k, zeros({2, 4, 6})), Error);      // S differs
  EXPECT_THROW(scaled_dot_product_attention(q, k, v.to(kFloat64)), Error);        // dtypes differ
  EXPECT_THROW(scaled_dot_product_attention(zeros({4}), zeros({4}), zeros({4})), Error);
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, zeros({4, 5})), Error);      // mask shape
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, zeros({3, 2, 3, 5}, {.dtype = kBool})), Error);
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, zeros({3, 5}, {.dtype = kInt64})), Error);
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, zeros({3, 5}, {.dtype = kFloat64})), Error);
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, {}, 1.5), Error);
  EXPECT_THROW(scaled_dot_product_attention(q, k, v, zeros({3, 5}, {.dtype = kBool}), 0.0, true), Error);
}
