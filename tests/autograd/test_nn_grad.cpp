// Gradients of the neural-network functions: softmax, convolution, pooling, normalisation,
// embedding, dropout and attention, checked against finite differences in float64.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include <accel/accel.h>

using namespace accel;
using autograd::gradcheck;
using autograd::gradgradcheck;
using Inputs = std::vector<Tensor>;

namespace {

Tensor var(IntArrayRef sizes) { return randn(sizes, {.dtype = kFloat64, .requires_grad = true}); }
Tensor constant(IntArrayRef sizes) { return randn(sizes, {.dtype = kFloat64}); }

}  // namespace

// ---- softmax -------------------------------------------------------------------------------

TEST(SoftmaxGrad, GradcheckAndDoubleBackward) {
  for (bool log : {false, true}) {
    for (int64_t dim : {0, 1, -1}) {
      const auto f = [&](const Inputs& in) { return log ? log_softmax(in[0], dim) : softmax(in[0], dim); };
      SCOPED_TRACE(std::string(log ? "log_softmax" : "softmax") + " dim " + std::to_string(dim));
      EXPECT_TRUE(gradcheck(f, {var({3, 4})}));
      EXPECT_TRUE(gradcheck(f, {var({2, 3, 2})}));
      EXPECT_TRUE(gradcheck(f, {constant({4, 3}).t().requires_grad_()}));  // non-contiguous
      EXPECT_TRUE(gradgradcheck(f, {var({3, 4})}));
    }
    const auto scalar = [&](const Inputs& in) { return log ? log_softmax(in[0], 0) : softmax(in[0], 0); };
    EXPECT_TRUE(gradcheck(scalar, {var(IntArrayRef{})}));
    const Tensor empty_rows = var({2, 0, 3});
    scalar({empty_rows}).sum().backward();
    EXPECT_EQ(empty_rows.grad().sizes(), empty_rows.sizes());
  }
}

TEST(SoftmaxGrad, NodesAndFloat32) {
  const Tensor x = randn({2, 3}, {.requires_grad = true});
  EXPECT_STREQ(softmax(x, 1).grad_fn()->name(), "SoftmaxBackward");
  EXPECT_STREQ(log_softmax(x, 1).grad_fn()->name(), "LogSoftmaxBackward");
  // Rows of softmax sum to 1: the gradient of each row sum vanishes.
  softmax(x, 1).sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_LT(x.grad().abs().max().item<double>(), 1e-6);
}

// ---- convolution ---------------------------------------------------------------------------

TEST(ConvGrad, Conv2dStridePaddingDilationGroups) {
  // 4 -> 6 channels in 2 groups, 3x3 kernel at stride 2, padding 1, dilation 2 on 5x5.
  const auto f = [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 2, 1, 2, 2); };
  EXPECT_TRUE(gradcheck(f, {var({2, 4, 5, 5}), var({6, 2, 3, 3}), var({6})}));
  // Asymmetric geometry, no bias.
  const auto g = [](const Inputs& in) { return conv2d(in[0], in[1], {}, {2, 1}, {1, 0}, {1, 2}); };
  EXPECT_TRUE(gradcheck(g, {var({2, 2, 5, 5}), var({3, 2, 2, 3})}));
  // Unbatched, non-contiguous input, only the weight requiring grad.
  const auto h = [](const Inputs& in) { return conv2d(in[0], in[1], in[2], 1, 1); };
  EXPECT_TRUE(gradcheck(h, {constant({5, 5, 3}).permute({2, 0, 1}).requires_grad_(), var({2, 3, 3, 3}), var({2})}));
  EXPECT_TRUE(gradcheck(h, {constant({3, 5, 5}), var({2, 3, 3, 3}), constant({2})}));
}

TEST(ConvGrad, Conv1d) {
  const auto f = [](const Inputs& in) { return conv1d(in[0], in[1], in[2], 2, 1, 2, 2); };
  EXPECT_TRUE(gradcheck(f, {var({2, 4, 7}), var({2, 2, 3}), var({2})}));
  const auto unbatched = [](const Inputs& in) { return conv1d(in[0], in[1]); };
  EXPECT_TRUE(gradcheck(unbatched, {var({3, 6}), var({4, 3, 2})}));
}

TEST(ConvGrad, Float32GradientsAndBiasSum) {
  const Tensor x = randn({2, 2, 4, 4}, {.requires_grad = true});
  const Tensor w = randn({3, 2, 3, 3}, {.requires_grad = true});
  const Tensor b = zeros({3}, {.requires_grad = true});
  const Tensor y = conv2d(x, w, b, 1, 1);
  EXPECT_STREQ(y.grad_fn()->name(), "ConvolutionBackward");
  y.sum().backward();
  EXPECT_EQ(x.grad().dtype(), kFloat32);
  EXPECT_EQ(w.grad().sizes(), w.sizes());
  // d(sum)/d(bias) counts the output positions: N * H * W.
  EXPECT_EQ(b.grad().to_vector<float>(), (std::vector<float>{32, 32, 32}));
}

TEST(ConvGrad, EmptyBatchGivesZeroParameterGradients) {
  const Tensor x = var({0, 2, 4, 4}), w = var({3, 2, 3, 3}), b = var({3});
  conv2d(x, w, b, 1, 1).sum().backward();
  EXPECT_EQ(x.grad().sizes(), x.sizes());
  EXPECT_EQ(w.grad().abs().sum().item<double>(), 0);
  EXPECT_EQ(b.grad().abs().sum().item<double>(), 0);
}

TEST(ConvGrad, DoubleBackwardIsAClearError) {
  const Tensor x = var({1, 2, 4, 4}), w = var({2, 2, 3, 3});
  const Tensor y = conv2d(x, w).square().sum();
  const Tensor gx = autograd::grad({y}, {x}, {}, std::nullopt, /*create_graph=*/true)[0];
  try {
    gx.sum().backward();
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("ConvolutionBackward"), std::string::npos) << what;
    EXPECT_NE(what.find("double backward"), std::string::npos) << what;
  }
}

// Outputs reshaped from the kernels' 4-D (or 2-D) results are not views: an in-place op on them
// must still reach the input.
TEST(ConvGrad, InPlaceOnReshapedOutputsKeepsTheGraph) {
  const std::vector<std::function<Tensor(const Tensor&)>> ops = {
      [](const Tensor& x) { return conv1d(x.view({2, 6}), ones({1, 2, 3}, {.dtype = kFloat64})); },
      [](const Tensor& x) { return max_pool2d(x.view({1, 3, 4}), 2); },
      [](const Tensor& x) { return adaptive_avg_pool2d(x.view({3, 2, 2}), 1); },
      [](const Tensor& x) { return embedding(x.view({4, 3}), tensor(std::vector<int64_t>{2, 0})); }};
  for (const auto& op : ops) {
    const Tensor x = var({12});
    const Tensor expected = autograd::grad({op(x).sum()}, {x})[0] * 3.0;
    Tensor y = op(x);
    y.mul_(3.0);
    y.sum().backward();
    EXPECT_TRUE(allclose(x.grad(), expected));
  }
}

// ---- pooling -------------------------------------------------------------------------------

TEST(PoolGrad, MaxPool2d) {
  for (bool ceil_mode : {false, true}) {
    SCOPED_TRACE(ceil_mode ? "ceil_mode" : "floor");
    const auto f = [&](const Inputs& in) { return max_pool2d(in[0], 3, 2, 1, 1, ceil_mode); };
    EXPECT_TRUE(gradcheck(f, {var({2, 2, 6, 6})}));
    const auto dilated = [&](const Inputs& in) { return max_pool2d(in[0], {2, 3}, {2, 1}, 0, 2, ceil_mode); };
    EXPECT_TRUE(gradcheck(dilated, {var({1, 2, 5, 7})}));
  }
  const auto unbatched = [](const Inputs& in) { return max_pool2d(in[0], 2); };
  EXPECT_TRUE(gradcheck(unbatched, {constant({5, 4, 2}).permute({2, 0, 1}).requires_grad_()}));
}

TEST(PoolGrad, MaxPool2dWithIndicesRoutesToTheIndex) {
  const Tensor x = tensor(std::vector<double>{1, 5, 2, 3}, {.dtype = kFloat64}).view({1, 1, 2, 2}).requires_grad_();
  auto [y, indices] = max_pool2d_with_indices(x, 2);
  EXPECT_EQ(indices.item<int64_t>(), 1);
  EXPECT_FALSE(indices.requires_grad());
  (y * 3.0).sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{0, 3, 0, 0}));
  const auto f = [](const Inputs& in) { return std::get<0>(max_pool2d_with_indices(in[0], 3, 2, 1, 1, true)); };
  EXPECT_TRUE(gradcheck(f, {var({2, 3, 5, 5})}));
}

TEST(PoolGrad, AvgPool2d) {
  for (bool ceil_mode : {false, true}) {
    for (bool count_include_pad : {false, true}) {
      SCOPED_TRACE(std::to_string(ceil_mode) + std::to_string(count_include_pad));
      const auto f = [&](const Inputs& in) { return avg_pool2d(in[0], 3, 2, 1, ceil_mode, count_include_pad); };
      EXPECT_TRUE(gradcheck(f, {var({2, 2, 6, 6})}));
    }
  }
  const auto divisor = [](const Inputs& in) { return avg_pool2d(in[0], {2, 3}, {1, 2}, {1, 0}, false, true, 5); };
  EXPECT_TRUE(gradcheck(divisor, {var({2, 5, 5})}));
}

TEST(PoolGrad, AdaptiveAvgPool2d) {
  const auto f = [](const Inputs& in) { return adaptive_avg_pool2d(in[0], {3, 2}); };  // overlapping windows
  EXPECT_TRUE(gradcheck(f, {var({2, 2, 5, 5})}));
  EXPECT_TRUE(gradcheck(f, {constant({5, 5, 2}).permute({2, 0, 1}).requires_grad_()}));
  const auto global = [](const Inputs& in) { return adaptive_avg_pool2d(in[0], 1); };
  EXPECT_TRUE(gradcheck(global, {var({2, 3, 4, 4})}));
}

// ---- normalisation -------------------------------------------------------------------------

TEST(NormGrad, BatchNormTrainingAndEval) {
  for (bool training : {true, false}) {
    for (bool affine : {true, false}) {
      SCOPED_TRACE(std::string(training ? "training" : "eval") + (affine ? " affine" : ""));
      const Tensor running_mean = constant({3}), running_var = rand({3}, {.dtype = kFloat64}) + 0.5;
      const auto f = [&](const Inputs& in) {
        return batch_norm(in[0], in[1], in[2], running_mean, running_var, training, 0.1, 1e-5);
      };
      const Tensor weight = affine ? var({3}) : Tensor(), bias = affine ? var({3}) : Tensor();
      EXPECT_TRUE(gradcheck(f, {var({4, 3}), weight, bias}));
      EXPECT_TRUE(gradcheck(f, {var({2, 3, 2, 2}), weight, bias}));
      EXPECT_FALSE(running_mean.requires_grad());
    }
  }
  // Training without running statistics, weight only.
  const auto f = [](const Inputs& in) { return batch_norm(in[0], in[1], {}, {}, {}, true); };
  EXPECT_TRUE(gradcheck(f, {var({3, 2, 3}), var({2})}));
}

TEST(NormGrad, BatchNormEvalSavesTheRunningStatistics) {
  const Tensor running_mean = zeros({2}, {.dtype = kFloat64}), running_var = ones({2}, {.dtype = kFloat64});
  const Tensor x = var({3, 2});
  const Tensor y = batch_norm(x, {}, {}, running_mean, running_var, false);
  running_var.fill_(4.0);
  EXPECT_THROW(y.sum().backward(), Error);
}

TEST(NormGrad, LayerNorm) {
  const auto f1 = [](const Inputs& in) { return layer_norm(in[0], {4}, in[1], in[2]); };
  EXPECT_TRUE(gradcheck(f1, {var({3, 4}), var({4}), var({4})}));
  EXPECT_TRUE(gradcheck(f1, {constant({4, 3}).t().requires_grad_(), Tensor(), Tensor()}));
  const auto f2 = [](const Inputs& in) { return layer_norm(in[0], {2, 3}, in[1], in[2]); };
  EXPECT_TRUE(gradcheck(f2, {var({2, 2, 3}), var({2, 3}), Tensor()}));
  EXPECT_TRUE(gradcheck(f2, {constant({2, 2, 3}), Tensor(), var({2, 3})}));
}

TEST(NormGrad, GroupNorm) {
  const auto f = [](const Inputs& in) { return group_norm(in[0], 2, in[1], in[2]); };
  EXPECT_TRUE(gradcheck(f, {var({2, 4, 3}), var({4}), var({4})}));
  EXPECT_TRUE(gradcheck(f, {var({2, 4, 2, 2}), Tensor(), Tensor()}));
  EXPECT_TRUE(gradcheck(f, {var({3, 4}), var({4}), Tensor()}));
}

TEST(NormGrad, DoubleBackwardIsAClearError) {
  const Tensor x = var({2, 4});
  const Tensor gx = autograd::grad({layer_norm(x, {4}).square().sum()}, {x}, {}, std::nullopt, true)[0];
  EXPECT_THROW(gx.sum().backward(), Error);
}

// ---- embedding, dropout, attention ---------------------------------------------------------

TEST(EmbeddingGrad, RepeatedIndicesAccumulate) {
  const Tensor indices = tensor(std::vector<int64_t>{1, 3, 1, 0, 3, 3}).view({2, 3});
  const auto f = [&](const Inputs& in) { return embedding(in[0], indices); };
  EXPECT_TRUE(gradcheck(f, {var({4, 2})}));
  EXPECT_TRUE(gradgradcheck(f, {var({4, 2})}));
  const Tensor w = ones({4, 2}, {.requires_grad = true});
  embedding(w, indices).sum().backward();
  EXPECT_EQ(w.grad().to_vector<float>(), (std::vector<float>{1, 1, 2, 2, 0, 0, 3, 3}));
}

TEST(EmbeddingGrad, PaddingRowGetsNoGradient) {
  const Tensor indices = tensor(std::vector<int64_t>{2, 0, 2, 1});
  const Tensor w = var({3, 2});
  const Tensor y = embedding(w, indices, /*padding_idx=*/-1);  // row 2
  EXPECT_EQ(y.select(0, 0).to_vector<double>(), w.select(0, 2).detach().to_vector<double>());
  (y * 2.0).sum().backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{2, 2, 2, 2, 0, 0}));
  // Not the true derivative for the padding row (on purpose), so no gradcheck; with create_graph
  // the gradient is differentiable in the incoming gradient.
  const Tensor seed = var({4, 2});
  const Tensor gw = autograd::grad({embedding(w, indices, 2)}, {w}, {seed}, std::nullopt, true)[0];
  const Tensor gseed = autograd::grad({gw.sum()}, {seed})[0];
  EXPECT_EQ(gseed.to_vector<double>(), (std::vector<double>{0, 0, 1, 1, 0, 0, 1, 1}));
}

TEST(DropoutGrad, GradientIsTheScaledMask) {
  const Tensor x = rand({50}, {.dtype = kFloat64}) + 1;
  x.requires_grad_();
  const Tensor y = dropout(x, 0.4, true);
  y.sum().backward();
  const Tensor expected = (y != 0).to(kFloat64) / 0.6;
  EXPECT_TRUE(equal(x.grad(), expected));
  Generator generator;
  const auto f = [&](const Inputs& in) {
    generator.manual_seed(7);  // the same mask at every evaluation
    return dropout(in[0], 0.5, true, &generator);
  };
  EXPECT_TRUE(gradcheck(f, {var({3, 4})}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return dropout(in[0], 0.5, false); }, {var({3})}));
}

TEST(AttentionGrad, ScaledDotProductAttention) {
  const Tensor q = var({2, 3, 4}), k = var({2, 5, 4}), v = var({2, 5, 3});
  const auto plain = [](const Inputs& in) { return scaled_dot_product_attention(in[0], in[1], in[2]); };
  EXPECT_TRUE(gradcheck(plain, {q, k, v}));
  const auto causal = [](const Inputs& in) {
    return scaled_dot_product_attention(in[0], in[1], in[2], {}, 0.0, /*is_causal=*/true, 0.3);
  };
  EXPECT_TRUE(gradcheck(causal, {q, k, v}));
  // A bool mask with a fully masked query row: it attends to nothing and passes no gradient.
  Tensor keep = rand({3, 5}) > 0.4;
  keep.select(1, 0).fill_(true);
  keep.select(0, 1).fill_(false);
  const auto masked = [&](const Inputs& in) { return scaled_dot_product_attention(in[0], in[1], in[2], keep); };
  EXPECT_TRUE(gradcheck(masked, {q, k, v}));
  // An additive float mask, differentiable too.
  const auto additive = [](const Inputs& in) { return scaled_dot_product_attention(in[0], in[1], in[2], in[3]); };
  EXPECT_TRUE(gradcheck(additive, {q, k, v, var({3, 5})}));
  EXPECT_TRUE(gradgradcheck(plain, {var({1, 2, 3}), var({1, 3, 3}), var({1, 3, 2})}));
}

TEST(AttentionGrad, DropoutWithAFixedSeed) {
  const auto f = [](const Inputs& in) {
    manual_seed(11);
    return scaled_dot_product_attention(in[0], in[1], in[2], {}, 0.3);
  };
  EXPECT_TRUE(gradcheck(f, {var({2, 3, 4}), var({2, 4, 4}), var({2, 4, 2})}));
}
