// nn::functional: each function passes its options to the right argument of the op it wraps
// (the ops themselves are checked against PyTorch in tests/kernels and tests/autograd).
#include <gtest/gtest.h>

#include <cmath>

#include <accel/accel.h>

namespace F = accel::nn::functional;
using accel::Tensor;

TEST(Functional, ConvOptionsReachTheOp) {
  Tensor x = accel::randn({2, 4, 7, 7}), w = accel::randn({6, 2, 3, 3}), b = accel::randn({6});
  EXPECT_TRUE(accel::equal(F::conv2d(x, w, {.bias = b, .stride = {2, 1}, .padding = 1, .dilation = 2, .groups = 2}),
                           accel::conv2d(x, w, b, {2, 1}, 1, 2, 2)));
  Tensor x1 = accel::randn({2, 4, 9}), w1 = accel::randn({3, 4, 2});
  EXPECT_TRUE(accel::equal(F::conv1d(x1, w1, {.stride = 3}), accel::conv1d(x1, w1, {}, 3)));
  Tensor w2 = accel::randn({3, 9});
  EXPECT_TRUE(accel::equal(F::linear(x1, w2, b.narrow(0, 0, 3)), accel::linear(x1, w2, b.narrow(0, 0, 3))));
}

TEST(Functional, PoolingStrideDefaultsToKernel) {
  Tensor x = accel::randn({1, 2, 8, 8});
  EXPECT_EQ(F::max_pool2d(x, 2).sizes(), accel::IntArrayRef({1, 2, 4, 4}));
  EXPECT_EQ(F::max_pool2d(x, 3, {.stride = 1, .padding = 1}).sizes(), accel::IntArrayRef({1, 2, 8, 8}));
  EXPECT_EQ(F::avg_pool2d(x, {2, 4}).sizes(), accel::IntArrayRef({1, 2, 4, 2}));
  EXPECT_TRUE(accel::equal(F::avg_pool2d(x, 3, {.stride = 2, .padding = 1, .count_include_pad = false}),
                           accel::avg_pool2d(x, 3, 2, 1, false, false)));
  EXPECT_EQ(F::adaptive_avg_pool2d(x, {1, 3}).sizes(), accel::IntArrayRef({1, 2, 1, 3}));
}

TEST(Functional, Activations) {
  Tensor x = accel::randn({3, 5});
  EXPECT_TRUE(accel::equal(F::gelu(x, "tanh"), accel::gelu(x, "tanh")));
  EXPECT_TRUE(accel::equal(F::leaky_relu(x, 0.3), accel::leaky_relu(x, 0.3)));
  EXPECT_TRUE(accel::equal(F::log_softmax(x, 0), accel::log_softmax(x, 0)));
  EXPECT_TRUE(accel::equal(F::relu(x), x.clamp_min(0)));
}

TEST(Functional, DropoutNormsAndEmbedding) {
  Tensor x = accel::randn({4, 6});
  EXPECT_TRUE(accel::equal(F::dropout(x, {.p = 0.5, .training = false}), x));
  EXPECT_EQ(F::dropout(x, {.p = 1.0}).abs().sum().item<float>(), 0.0f);
  Tensor mean = accel::zeros({6}), var = accel::ones({6});
  EXPECT_TRUE(accel::allclose(F::batch_norm(x, mean, var), x / std::sqrt(1 + 1e-5)));
  EXPECT_TRUE(accel::equal(F::layer_norm(x, {6}, {.eps = 1e-3}), accel::layer_norm(x, {6}, {}, {}, 1e-3)));
  EXPECT_TRUE(accel::equal(F::group_norm(x.view({4, 6, 1}), 3), accel::group_norm(x.view({4, 6, 1}), 3)));
  Tensor table = accel::randn({5, 3});
  Tensor idx = accel::tensor({4, 0});
  EXPECT_TRUE(accel::equal(F::embedding(idx, table), table.index_select(0, idx)));
  EXPECT_EQ(F::one_hot(idx, 6).sizes(), accel::IntArrayRef({2, 6}));
  EXPECT_EQ(F::pad(x, {1, 2}, 7.0).sizes(), accel::IntArrayRef({4, 9}));
}

TEST(Functional, LossOptions) {
  Tensor logits = accel::randn({4, 3}), target = accel::tensor({0, 2, 1, 2});
  EXPECT_TRUE(accel::equal(F::cross_entropy(logits, target, {.reduction = F::Reduction::Sum, .label_smoothing = 0.1}),
                           accel::cross_entropy(logits, target, {.reduction = accel::Reduction::Sum,
                                                                 .label_smoothing = 0.1})));
  EXPECT_TRUE(accel::equal(F::nll_loss(logits, target, {.ignore_index = 2}),
                           accel::nll_loss(logits, target, {.ignore_index = 2})));
  Tensor a = accel::randn({5}), b = accel::randn({5});
  EXPECT_EQ(F::mse_loss(a, b, {.reduction = F::Reduction::None}).sizes(), accel::IntArrayRef({5}));
  EXPECT_TRUE(accel::allclose(F::l1_loss(a, b, {.reduction = F::Reduction::Sum}), (a - b).abs().sum()));
  EXPECT_TRUE(accel::equal(F::smooth_l1_loss(a, b, {.beta = 0.5}), accel::smooth_l1_loss(a, b, accel::Reduction::Mean, 0.5)));
  EXPECT_TRUE(accel::equal(F::huber_loss(a, b, {.delta = 2.0}), accel::huber_loss(a, b, accel::Reduction::Mean, 2.0)));
  Tensor p = accel::sigmoid(a), y = accel::tensor({0.0f, 1.0f, 1.0f, 0.0f, 1.0f});
  EXPECT_TRUE(accel::equal(F::binary_cross_entropy(p, y, {.weight = b.abs()}), accel::binary_cross_entropy(p, y, b.abs())));
  EXPECT_TRUE(accel::equal(F::binary_cross_entropy_with_logits(a, y, {.pos_weight = accel::full({5}, 2.0)}),
                           accel::binary_cross_entropy_with_logits(a, y, {}, accel::Reduction::Mean, accel::full({5}, 2.0))));
}

TEST(Functional, ScaledDotProductAttention) {
  Tensor q = accel::randn({2, 3, 4}), k = accel::randn({2, 5, 4}), v = accel::randn({2, 5, 6});
  EXPECT_TRUE(accel::equal(F::scaled_dot_product_attention(q, k, v, {.scale = 0.5}),
                           accel::scaled_dot_product_attention(q, k, v, {}, 0.0, false, 0.5)));
  Tensor causal = F::scaled_dot_product_attention(q, q, q, {.is_causal = true});
  // The first query attends to the first key only.
  EXPECT_TRUE(accel::allclose(causal.select(1, 0), q.select(1, 0)));
}
