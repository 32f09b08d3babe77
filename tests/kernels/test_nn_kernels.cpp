// Softmax, convolution, pooling and normalisation: hand-computed cases, layouts, dtypes and errors.
// (Larger cases are compared with PyTorch's golden values elsewhere.)
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <tuple>

#include <accel/accel.h>

using namespace accel;

namespace {

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const std::vector<double> got = t.to_vector<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
    else EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::abs(expected[i]))) << "at " << i;
  }
}

// 0, 1, ..., n-1 as float32 of the given shape.
Tensor iota(IntArrayRef shape, DType dtype = kFloat32) {
  return arange(numel_of(shape), {.dtype = dtype}).view(shape);
}

// Direct convolution in double, straight from the definition.
Tensor reference_conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride,
                        IntArrayRef padding, IntArrayRef dilation, int64_t groups) {
  const auto x = input.contiguous().to_vector<double>(), w = weight.contiguous().to_vector<double>();
  const int64_t n = input.size(0), c = input.size(1), h = input.size(2), wd = input.size(3);
  const int64_t co = weight.size(0), cg = weight.size(1), kh = weight.size(2), kw = weight.size(3);
  const int64_t oh = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
  const int64_t ow = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
  std::vector<double> out(static_cast<size_t>(n * co * oh * ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t o = 0; o < co; ++o)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double s = bias.defined() ? bias[o].item<double>() : 0.0;
          const int64_t g = o / (co / groups);
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t p = 0; p < kh; ++p)
              for (int64_t q = 0; q < kw; ++q) {
                const int64_t y = i * stride[0] - padding[0] + p * dilation[0];
                const int64_t z = j * stride[1] - padding[1] + q * dilation[1];
                if (y < 0 || y >= h || z < 0 || z >= wd) continue;
                s += x[((b * c + g * cg + ci) * h + y) * wd + z] * w[((o * cg + ci) * kh + p) * kw + q];
              }
          out[((b * co + o) * oh + i) * ow + j] = s;
        }
  return tensor(out, {.dtype = kFloat64}).view({n, co, oh, ow});
}

}  // namespace

// ---- softmax -------------------------------------------------------------------------------

TEST(NnSoftmax, KnownRow) {
  const Tensor x = tensor({1.f, 2.f, 3.f});
  expect_values(softmax(x, 0), {0.0900305732, 0.2447284711, 0.6652409558});
  expect_values(log_softmax(x, -1), {-2.4076059645, -1.4076059645, -0.4076059645});
  expect_values(x.softmax(0), {0.0900305732, 0.2447284711, 0.6652409558});
  expect_values(x.log_softmax(0), {-2.4076059645, -1.4076059645, -0.4076059645});
}

TEST(NnSoftmax, LargeLogitsDoNotOverflow) {
  expect_values(softmax(tensor({1000.f, 1000.f}), 0), {0.5, 0.5});
  expect_values(log_softmax(tensor({1000.f, 0.f}), 0), {0.0, -1000.0});
  expect_values(softmax(tensor({-1e30f, 0.f}), 0), {0.0, 1.0});
  const float inf = std::numeric_limits<float>::infinity();
  expect_values(softmax(tensor({-inf, 0.f, -inf}), 0), {0.0, 1.0, 0.0});
  expect_values(softmax(tensor({std::nanf(""), 0.f}), 0), {NAN, NAN});
}

TEST(NnSoftmax, EveryDimMatchesTheInnermostCase) {
  manual_seed(1);
  // 300 > the 256-line block of the strided path, so the block tail is exercised too.
  const Tensor x = randn({3, 4, 300}) * 5;
  for (int64_t dim : {0, 1, 2}) {
    const Tensor moved = x.transpose(dim, 2).contiguous();
    for (bool log : {false, true}) {
      const Tensor got = log ? log_softmax(x, dim) : softmax(x, dim);
      const Tensor expected = (log ? log_softmax(moved, 2) : softmax(moved, 2)).transpose(dim, 2);
      EXPECT_TRUE(allclose(got, expected, 1e-5, 1e-6)) << "dim " << dim << " log " << log;
    }
  }
  expect_values(softmax(x, 0).sum({0}), std::vector<double>(4 * 300, 1.0), 1e-5);
}

TEST(NnSoftmax, NonContiguousFloat64AndHalf) {
  manual_seed(2);
  const Tensor x = randn({5, 7});
  EXPECT_TRUE(allclose(softmax(x.t(), 1), softmax(x.t().contiguous(), 1)));
  EXPECT_TRUE(allclose(log_softmax(x.t(), 0), log_softmax(x.t().contiguous(), 0)));
  const Tensor d = x.to(kFloat64);
  EXPECT_EQ(softmax(d, 1).dtype(), kFloat64);
  EXPECT_TRUE(allclose(softmax(d, 1), softmax(x, 1).to(kFloat64), 1e-6, 1e-7));
  for (DType t : {kFloat16, kBFloat16}) {
    const Tensor h = x.to(t);
    EXPECT_EQ(softmax(h, 1).dtype(), t);
    EXPECT_TRUE(allclose(softmax(h, 1).to(kFloat32), softmax(h.to(kFloat32), 1), 1e-2, 1e-3));
    EXPECT_TRUE(allclose(log_softmax(h, 0).to(kFloat32), log_softmax(h.to(kFloat32), 0), 1e-2, 1e-2));
  }
  expect_values(softmax(tensor(3.0f), 0), {1.0});
  EXPECT_EQ(softmax(empty({0, 3}), 1).sizes(), IntArrayRef({0, 3}));
}

TEST(NnSoftmax, Errors) {
  EXPECT_THROW(softmax(tensor({1, 2, 3}), 0), Error);
  EXPECT_THROW(softmax(zeros({2, 3}), 2), Error);
  EXPECT_THROW(log_softmax(zeros({2, 3}), -3), Error);
  EXPECT_THROW(softmax(Tensor(), 0), Error);
}

// ---- convolution ---------------------------------------------------------------------------

TEST(NnConv2d, KnownKernel) {
  const Tensor x = (iota({1, 1, 3, 3}) + 1);  // 1..9
  const Tensor w = tensor({{1.f, 2.f}, {3.f, 4.f}}).view({1, 1, 2, 2});
  const Tensor y = conv2d(x, w);
  EXPECT_EQ(y.sizes(), IntArrayRef({1, 1, 2, 2}));
  expect_values(y, {37, 47, 67, 77});
  expect_values(conv2d(x, w, tensor({1.f})), {38, 48, 68, 78});
}

TEST(NnConv2d, PaddingStrideDilation) {
  const Tensor x = iota({1, 1, 3, 3}) + 1;
  const Tensor ones3 = ones({1, 1, 3, 3});
  // Zero padding: each output counts (and sums) the in-bounds neighbours.
  expect_values(conv2d(ones3, ones3, {}, 1, 1), {4, 6, 4, 6, 9, 6, 4, 6, 4});
  const Tensor strided = conv2d(x, ones3, {}, 2, 1);
  EXPECT_EQ(strided.sizes(), IntArrayRef({1, 1, 2, 2}));
  expect_values(strided, {12, 16, 24, 28});
  // Dilation 2: a 2x2 kernel touches the four corners.
  expect_values(conv2d(x, ones({1, 1, 2, 2}), {}, 1, 0, 2), {1 + 3 + 7 + 9});
  // Separate (height, width) parameters.
  const Tensor rect = conv2d(iota({1, 1, 4, 5}), ones({1, 1, 1, 2}), {}, {2, 1}, {0, 1});
  EXPECT_EQ(rect.sizes(), IntArrayRef({1, 1, 2, 6}));
  expect_values(rect, {0, 1, 3, 5, 7, 4, 10, 21, 23, 25, 27, 14});
}

TEST(NnConv2d, GroupsAndChannels) {
  // Depthwise: channel 0 (ones) scaled by 3, channel 1 (twos) by 5.
  const Tensor x = cat({ones({1, 1, 2, 2}), full({1, 1, 2, 2}, 2.0f)}, 1);
  expect_values(conv2d(x, tensor({3.f, 5.f}).view({2, 1, 1, 1}), {}, 1, 0, 1, 2), {3, 3, 3, 3, 10, 10, 10, 10});
  // Two input channels summed into one output: 3 * 1 + 5 * 2.
  expect_values(conv2d(x, tensor({3.f, 5.f}).view({1, 2, 1, 1})), {13, 13, 13, 13});

  manual_seed(3);
  const Tensor input = randn({2, 4, 5, 6});
  const Tensor weight = randn({6, 2, 3, 2});
  const Tensor bias = randn({6});
  const Tensor grouped = conv2d(input, weight, bias, {2, 1}, {1, 0}, {1, 2}, 2);
  const Tensor halves = cat({conv2d(input.slice(1, 0, 2), weight.slice(0, 0, 3), bias.slice(0, 0, 3), {2, 1}, {1, 0}, {1, 2}),
                             conv2d(input.slice(1, 2, 4), weight.slice(0, 3, 6), bias.slice(0, 3, 6), {2, 1}, {1, 0}, {1, 2})},
                            1);
  EXPECT_TRUE(allclose(grouped, halves, 1e-5, 1e-5));
}

TEST(NnConv2d, MatchesDirectDefinition) {
  manual_seed(4);
  struct Case {
    std::vector<int64_t> input, weight, stride, padding, dilation;
    int64_t groups;
  };
  for (const Case& c : {Case{{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1},
                        Case{{3, 4, 9, 8}, {6, 2, 3, 2}, {2, 3}, {2, 1}, {2, 1}, 2},
                        Case{{2, 5, 4, 4}, {3, 5, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1},  // pointwise path
                        Case{{1, 2, 5, 5}, {2, 2, 1, 1}, {2, 2}, {0, 0}, {1, 1}, 1},  // 1x1 but strided
                        Case{{2, 6, 6, 5}, {6, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 6}}) {
    for (DType dtype : {kFloat32, kFloat64}) {
      const Tensor x = randn(c.input, {.dtype = dtype});
      const Tensor w = randn(c.weight, {.dtype = dtype});
      const Tensor b = randn({c.weight[0]}, {.dtype = dtype});
      const double tol = dtype == kFloat32 ? 1e-4 : 1e-10;
      const Tensor y = conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
      EXPECT_EQ(y.dtype(), dtype);
      EXPECT_TRUE(allclose(y.to(kFloat64), reference_conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups),
                           tol, tol));
      EXPECT_TRUE(allclose(conv2d(x, w, {}, c.stride, c.padding, c.dilation, c.groups).to(kFloat64),
                           reference_conv2d(x, w, {}, c.stride, c.padding, c.dilation, c.groups), tol, tol));
    }
  }
}

TEST(NnConv2d, LayoutsUnbatchedAndConv1d) {
  manual_seed(5);
  const Tensor x = randn({2, 3, 6, 5});
  const Tensor w = randn({4, 3, 3, 3});
  const Tensor nchw_t = x.transpose(2, 3).contiguous().transpose(2, 3);  // same values, other strides
  EXPECT_TRUE(allclose(conv2d(nchw_t, w, {}, 1, 1), conv2d(x, w, {}, 1, 1)));
  EXPECT_TRUE(allclose(conv2d(x, w.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2})), conv2d(x, w)));
  const Tensor single = conv2d(x[1], w, {}, 2, 1);
  EXPECT_EQ(single.sizes(), IntArrayRef({4, 3, 3}));
  EXPECT_TRUE(allclose(single, conv2d(x.slice(0, 1, 2), w, {}, 2, 1)[0]));
  EXPECT_EQ(conv2d(empty({0, 3, 6, 5}), w).sizes(), IntArrayRef({0, 4, 4, 3}));

  // conv1d: a difference filter over 1..5, padded by one and strided by two.
  const Tensor seq = (iota({1, 1, 5}) + 1);
  const Tensor diff = tensor({1.f, -1.f}).view({1, 1, 2});
  expect_values(conv1d(seq, diff), {-1, -1, -1, -1});
  const Tensor padded = conv1d(seq, diff, tensor({0.5f}), 2, 1);
  EXPECT_EQ(padded.sizes(), IntArrayRef({1, 1, 3}));
  expect_values(padded, {-0.5, -0.5, -0.5});
  EXPECT_EQ(conv1d(seq[0], diff, {}, 1, 0, 2).sizes(), IntArrayRef({1, 3}));  // unbatched, dilated
  expect_values(conv1d(seq[0], diff, {}, 1, 0, 2), {-2, -2, -2});
}

TEST(NnConv2d, Errors) {
  const Tensor x = zeros({1, 4, 5, 5}), w = zeros({2, 4, 3, 3});
  EXPECT_THROW(conv2d(zeros({4, 5}), w), Error);                       // 2-D input
  EXPECT_THROW(conv2d(x, zeros({2, 4, 3})), Error);                    // 3-D weight
  EXPECT_THROW(conv2d(x, zeros({2, 3, 3, 3})), Error);                 // channel mismatch
  EXPECT_THROW(conv2d(x, zeros({3, 2, 3, 3}), {}, 1, 0, 1, 2), Error);  // 2 groups do not divide 3 out_channels
  EXPECT_THROW(conv2d(x, zeros({3, 2, 3, 3}), {}, 1, 0, 1, 3), Error);  // in_channels 4 != 2 * 3
  EXPECT_THROW(conv2d(x, w, {}, 1, 0, 1, 0), Error);
  EXPECT_THROW(conv2d(x, zeros({2, 4, 7, 7})), Error);                 // kernel larger than the input
  EXPECT_THROW(conv2d(x, w, {}, 1, 0, 3), Error);                      // dilated kernel too
  EXPECT_NO_THROW(conv2d(x, zeros({2, 4, 7, 7}), {}, 1, 1));           // fits once padded
  EXPECT_THROW(conv2d(x, w, {}, 0), Error);
  EXPECT_THROW(conv2d(x, w, {}, 1, -1), Error);
  EXPECT_THROW(conv2d(x, w, {}, {1, 1, 1}), Error);
  EXPECT_THROW(conv2d(x, w, zeros({3})), Error);
  EXPECT_THROW(conv2d(x, w.to(kFloat64)), Error);
  EXPECT_THROW(conv2d(x.to(kInt64), w.to(kInt64)), Error);
  EXPECT_THROW(conv1d(x, w), Error);
  EXPECT_THROW(conv1d(zeros({1, 4, 2}), zeros({2, 4, 3})), Error);
}

// ---- pooling -------------------------------------------------------------------------------

TEST(NnPool, MaxPoolValuesAndIndices) {
  const auto [out, idx] = max_pool2d_with_indices(iota({1, 1, 4, 4}), 2);
  expect_values(out, {5, 7, 13, 15});
  EXPECT_EQ(idx.dtype(), kInt64);
  EXPECT_EQ(idx.to_vector<int64_t>(), (std::vector<int64_t>{5, 7, 13, 15}));

  const Tensor x = tensor({{4.f, 1.f, 0.f, 9.f}, {2.f, 3.f, 8.f, 7.f}}).view({1, 1, 2, 4});
  const auto [o2, i2] = max_pool2d_with_indices(x, 2);
  expect_values(o2, {4, 9});
  EXPECT_EQ(i2.to_vector<int64_t>(), (std::vector<int64_t>{0, 3}));
  // Ties keep the first element; NaN wins.
  const auto [o3, i3] = max_pool2d_with_indices(tensor({{1.f, 1.f}, {1.f, NAN}}).view({1, 1, 2, 2}), {1, 2});
  expect_values(o3, {1, NAN});
  EXPECT_EQ(i3.to_vector<int64_t>(), (std::vector<int64_t>{0, 3}));
}

// The 2x2 stride-2 loop, the tap-by-tap loop (windows inside the input) and the clipped loop
// (padding) against a direct reading of the rule: ties keep the first element in row-major order, a
// NaN wins and the last NaN is kept.
// Widths give the 2x2 vector loop (float, AVX2) whole vectors of 8 outputs, partial ones (rows of
// 4, 7 and 19 outputs) and an odd input width, in planes whose last row pair ends the tensor.
TEST(NnPool, MaxPoolEveryLoopFollowsTheTieAndNanRule) {
  manual_seed(9);
  for (auto [height, width] : {std::pair{6, 8}, {14, 14}, {5, 38}, {4, 33}}) {
    const Tensor x = randint(0, 3, {2, 3, height, width}).to(kFloat32);  // many ties
    for (int64_t at : {5, 17, 18, 40, 41, 100, 229}) x.data_ptr<float>()[at] = NAN;
    const auto xv = x.contiguous().to_vector<float>();
    for (auto [k, s, pad] : {std::tuple{2, 2, 0}, {3, 3, 0}, {2, 2, 1}, {3, 2, 1}}) {
      const auto [out, idx] = max_pool2d_with_indices(x, k, s, pad);
      const int64_t oh_n = out.size(2), ow_n = out.size(3);
      const auto ov = out.to_vector<float>();
      const auto iv = idx.to_vector<int64_t>();
      for (int64_t plane = 0; plane < 6; ++plane) {
        for (int64_t oh = 0; oh < oh_n; ++oh) {
          for (int64_t ow = 0; ow < ow_n; ++ow) {
            float best = -INFINITY;
            int64_t best_at = -1;
            for (int64_t h = oh * s - pad; h < oh * s - pad + k; ++h) {
              for (int64_t w = ow * s - pad; w < ow * s - pad + k; ++w) {
                if (h < 0 || h >= height || w < 0 || w >= width) continue;
                const float v = xv[(plane * height + h) * width + w];
                if (best_at < 0 || v > best || std::isnan(v)) {
                  best = v;
                  best_at = h * width + w;
                }
              }
            }
            const int64_t o = (plane * oh_n + oh) * ow_n + ow;
            EXPECT_EQ(iv[o], best_at) << height << "x" << width << ", kernel " << k << " stride " << s << " padding "
                                      << pad << " output " << o;
            EXPECT_TRUE(ov[o] == best || (std::isnan(ov[o]) && std::isnan(best))) << "output " << o;
          }
        }
      }
    }
  }
}

TEST(NnPool, MaxPoolPaddingDilationCeilMode) {
  // Padding is -inf: an all-negative input still gives its own values.
  const Tensor neg = -(iota({1, 1, 3, 3}) + 1);
  const auto [o, i] = max_pool2d_with_indices(neg, 3, 1, 1);
  expect_values(o, {-1, -1, -2, -1, -1, -2, -4, -4, -5});
  EXPECT_EQ(i.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 1, 0, 0, 1, 3, 3, 4}));
  // Dilation 2: the corners of a 3x3 window.
  const auto [od, id] = max_pool2d_with_indices(tensor({{1.f, 9.f, 3.f}, {9.f, 9.f, 9.f}, {7.f, 9.f, 2.f}}).view({1, 1, 3, 3}),
                                                2, 1, 0, 2);
  expect_values(od, {7});
  EXPECT_EQ(id.to_vector<int64_t>(), (std::vector<int64_t>{6}));
  // ceil_mode adds a partial window at the end, but never one starting in the right padding.
  const Tensor x5 = iota({1, 1, 5, 5});
  EXPECT_EQ(max_pool2d(x5, 2).sizes(), IntArrayRef({1, 1, 2, 2}));
  const Tensor ceil = max_pool2d(x5, 2, 2, 0, 1, true);
  EXPECT_EQ(ceil.sizes(), IntArrayRef({1, 1, 3, 3}));
  expect_values(ceil, {6, 8, 9, 16, 18, 19, 21, 23, 24});
  EXPECT_EQ(max_pool2d(x5, 2, 2, 1, 1, true).sizes(), IntArrayRef({1, 1, 3, 3}));  // not 4x4
  EXPECT_EQ(max_pool2d(x5, 2, 2, 1, 1, false).sizes(), IntArrayRef({1, 1, 3, 3}));
  EXPECT_EQ(max_pool2d(iota({1, 1, 6, 6}), 3, 2, 0, 1, true).sizes(), IntArrayRef({1, 1, 3, 3}));
  EXPECT_EQ(max_pool2d(iota({1, 1, 6, 6}), 3, 2, 0, 1, false).sizes(), IntArrayRef({1, 1, 2, 2}));
}

TEST(NnPool, AvgPool) {
  expect_values(avg_pool2d(iota({1, 1, 4, 4}), 2), {2.5, 4.5, 10.5, 12.5});
  const Tensor ones3 = ones({1, 1, 3, 3});
  expect_values(avg_pool2d(ones3, 3, 1, 1), {4 / 9., 6 / 9., 4 / 9., 6 / 9., 1, 6 / 9., 4 / 9., 6 / 9., 4 / 9.});
  expect_values(avg_pool2d(ones3, 3, 1, 1, false, false), std::vector<double>(9, 1.0));
  expect_values(avg_pool2d(ones3, 3, 1, 1, false, true, 2), {2, 3, 2, 3, 4.5, 3, 2, 3, 2});
  // ceil_mode: the last window runs past the padded input; count_include_pad counts only the
  // part inside the padded bounds (here 2 of its 3 rows and columns).
  const Tensor ceil = avg_pool2d(ones({1, 1, 4, 4}), 3, 2, 1, true);
  EXPECT_EQ(ceil.sizes(), IntArrayRef({1, 1, 3, 3}));
  expect_values(ceil, {4 / 9., 6 / 9., 2 / 6., 6 / 9., 1, 3 / 6., 2 / 6., 3 / 6., 1 / 4.});
  expect_values(avg_pool2d(ones({1, 1, 4, 4}), 3, 2, 1, true, false), std::vector<double>(9, 1.0));
  // Without padding a partial window averages what it covers.
  const Tensor x5 = iota({1, 1, 5, 5});
  expect_values(avg_pool2d(x5, 2, 2, 0, true), {3, 5, 6.5, 13, 15, 16.5, 20.5, 22.5, 24});
}

TEST(NnPool, AdaptiveAvgPool) {
  const Tensor x5 = iota({1, 1, 5, 5});
  // Rows [0, 2), [1, 4), [3, 5) and likewise columns.
  expect_values(adaptive_avg_pool2d(x5, {3, 3}), {3, 4.5, 6, 10.5, 12, 13.5, 18, 19.5, 21});
  expect_values(adaptive_avg_pool2d(x5, 1), {12});
  expect_values(adaptive_avg_pool2d(x5, {1, 5}), {10, 11, 12, 13, 14});
  EXPECT_TRUE(allclose(adaptive_avg_pool2d(iota({2, 3, 4, 6}), {2, 3}), avg_pool2d(iota({2, 3, 4, 6}), 2)));
  EXPECT_EQ(adaptive_avg_pool2d(iota({3, 7, 7}), {7, 7}).sizes(), IntArrayRef({3, 7, 7}));
  EXPECT_TRUE(equal(adaptive_avg_pool2d(iota({3, 7, 7}), 7), iota({3, 7, 7})));
}

TEST(NnPool, LayoutsDtypesUnbatched) {
  manual_seed(6);
  const Tensor x = randn({2, 3, 7, 6});
  const Tensor strided = x.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
  EXPECT_TRUE(equal(max_pool2d(strided, 3, 2, 1), max_pool2d(x, 3, 2, 1)));
  EXPECT_TRUE(equal(std::get<1>(max_pool2d_with_indices(strided, 2)), std::get<1>(max_pool2d_with_indices(x, 2))));
  EXPECT_TRUE(allclose(avg_pool2d(strided, 3, 2, 1), avg_pool2d(x, 3, 2, 1)));
  EXPECT_TRUE(allclose(adaptive_avg_pool2d(strided, {3, 2}), adaptive_avg_pool2d(x, {3, 2})));

  const Tensor d = x.to(kFloat64);
  EXPECT_EQ(max_pool2d(d, 2).dtype(), kFloat64);
  EXPECT_TRUE(allclose(max_pool2d(d, 2), max_pool2d(x, 2).to(kFloat64)));
  EXPECT_TRUE(allclose(avg_pool2d(d, 3, 1, 1), avg_pool2d(x, 3, 1, 1).to(kFloat64), 1e-6, 1e-6));
  EXPECT_TRUE(allclose(adaptive_avg_pool2d(d, 4), adaptive_avg_pool2d(x, 4).to(kFloat64), 1e-6, 1e-6));
  const Tensor h = x.to(kBFloat16);
  EXPECT_EQ(max_pool2d(h, 2).dtype(), kBFloat16);
  EXPECT_TRUE(equal(max_pool2d(h, 2), max_pool2d(h.to(kFloat32), 2).to(kBFloat16)));

  const auto [out, idx] = max_pool2d_with_indices(x[1], 3, 2, 1);
  EXPECT_EQ(out.sizes(), IntArrayRef({3, 4, 3}));
  EXPECT_TRUE(equal(idx, std::get<1>(max_pool2d_with_indices(x, 3, 2, 1))[1]));
  EXPECT_EQ(avg_pool2d(x[0], 2).sizes(), IntArrayRef({3, 3, 3}));
  EXPECT_EQ(adaptive_avg_pool2d(x[0], {2, 2}).sizes(), IntArrayRef({3, 2, 2}));
}

TEST(NnPool, Errors) {
  const Tensor x = zeros({1, 1, 4, 4});
  EXPECT_THROW(max_pool2d(zeros({4, 4}), 2), Error);
  EXPECT_THROW(max_pool2d(zeros({1, 1, 1, 4, 4}), 2), Error);
  EXPECT_THROW(max_pool2d(zeros({1, 0, 4, 4}), 2), Error);
  EXPECT_THROW(max_pool2d(x, 2, 2, 2), Error);   // padding > kernel / 2
  EXPECT_THROW(max_pool2d(x, 5), Error);         // output would be empty
  EXPECT_THROW(max_pool2d(x, 2, 0), Error);
  EXPECT_THROW(max_pool2d(x, 0), Error);
  EXPECT_THROW(max_pool2d(x, 2, 2, 0, 0), Error);
  EXPECT_THROW(max_pool2d(x, {2, 2, 2}), Error);
  EXPECT_THROW(max_pool2d(x.to(kInt64), 2), Error);
  EXPECT_THROW(avg_pool2d(x, 2, 2, 0, false, true, 0), Error);
  EXPECT_THROW(avg_pool2d(x, 3, 1, 2), Error);
  EXPECT_THROW(avg_pool2d(x.to(kInt32), 2), Error);
  EXPECT_THROW(adaptive_avg_pool2d(zeros({4, 4}), 2), Error);
  EXPECT_THROW(adaptive_avg_pool2d(x, {-1, 2}), Error);
  EXPECT_THROW(adaptive_avg_pool2d(x, {1, 2, 3}), Error);
}

// ---- normalisation -------------------------------------------------------------------------

TEST(NnBatchNorm, TrainingStatsAndRunningUpdate) {
  // Channel 0 holds 1 and 3 (mean 2, variance 1, unbiased 2); channel 1 holds 2 and 6 (mean 4,
  // variance 4, unbiased 8).
  const Tensor x = tensor({{1.f, 2.f}, {3.f, 6.f}});
  const Tensor running_mean = zeros({2}), running_var = ones({2});
  const Tensor y = batch_norm(x, {}, {}, running_mean, running_var, true, 0.1, 0.0);
  expect_values(y, {-1, -1, 1, 1});
  expect_values(running_mean, {0.2, 0.4});
  expect_values(running_var, {0.9 + 0.2, 0.9 + 0.8});
  // A second step moves them on from there.
  batch_norm(x, {}, {}, running_mean, running_var, true, 0.5, 0.0);
  expect_values(running_mean, {1.1, 2.2});
  expect_values(running_var, {1.55, 4.85});
  // weight and bias: y * weight + bias per channel; no running stats needed.
  expect_values(batch_norm(x, tensor({2.f, 3.f}), tensor({1.f, -1.f}), {}, {}, true, 0.1, 0.0), {-1, -4, 3, 2});
  // eps enters the variance.
  expect_values(batch_norm(x, {}, {}, {}, {}, true, 0.1, 3.0), {-0.5, -2 / std::sqrt(7.0), 0.5, 2 / std::sqrt(7.0)});
}

TEST(NnBatchNorm, EvalUsesRunningStats) {
  const Tensor x = tensor({{1.f, 2.f}, {3.f, 6.f}});
  const Tensor running_mean = tensor({1.f, 2.f}), running_var = tensor({4.f, 16.f});
  expect_values(batch_norm(x, {}, {}, running_mean, running_var, false, 0.1, 0.0), {0, 0, 1, 1});
  expect_values(batch_norm(x, tensor({2.f, 2.f}), tensor({1.f, 1.f}), running_mean, running_var, false, 0.1, 0.0),
                {1, 1, 3, 3});
  expect_values(running_mean, {1, 2});  // untouched in eval
  expect_values(running_var, {4, 16});
}

TEST(NnBatchNorm, SpatialLayoutsAndDtypes) {
  // [N=2, C=2, 2]: channel 0 = {0, 1, 4, 5}, channel 1 = {2, 3, 6, 7}: each mean +- {2, 1.5, ...}.
  const Tensor x = iota({2, 2, 2});
  const double s = std::sqrt(4.25);  // variance of {0, 1, 4, 5}
  expect_values(batch_norm(x, {}, {}, {}, {}, true, 0.1, 0.0),
                {-2.5 / s, -1.5 / s, -2.5 / s, -1.5 / s, 1.5 / s, 2.5 / s, 1.5 / s, 2.5 / s});

  manual_seed(7);
  const Tensor big = randn({4, 3, 5, 6}) * 3 + 10;
  const Tensor w = randn({3}), b = randn({3});
  const Tensor rm = zeros({3}), rv = ones({3});
  const Tensor y = batch_norm(big, w, b, rm, rv, true, 0.1, 1e-5);
  const Tensor normed = (big - big.mean({0, 2, 3}, true)) / (big.var({0, 2, 3}, 0, true) + 1e-5).sqrt();
  EXPECT_TRUE(allclose(y, normed * w.view({1, 3, 1, 1}) + b.view({1, 3, 1, 1}), 1e-4, 1e-4));
  EXPECT_TRUE(allclose(rm, big.mean({0, 2, 3}) * 0.1, 1e-5, 1e-5));
  EXPECT_TRUE(allclose(rv, big.var({0, 2, 3}) * 0.1 + 0.9, 1e-5, 1e-5));

  const Tensor strided = big.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
  EXPECT_TRUE(allclose(batch_norm(strided, w, b, {}, {}, true, 0.1, 1e-5), y, 1e-6, 1e-6));
  const Tensor yd = batch_norm(big.to(kFloat64), w.to(kFloat64), b.to(kFloat64), {}, {}, true, 0.1, 1e-5);
  EXPECT_EQ(yd.dtype(), kFloat64);
  EXPECT_TRUE(allclose(yd, y.to(kFloat64), 1e-5, 1e-5));
  // Running stats may be strided views (updated in place through their strides).
  const Tensor stats = zeros({3, 2});
  const Tensor rv_view = ones({3, 2}).select(1, 1);
  batch_norm(big, {}, {}, stats.select(1, 1), rv_view, true, 0.1, 1e-5);
  EXPECT_TRUE(allclose(stats.select(1, 1), rm, 1e-6, 1e-6));
  EXPECT_TRUE(allclose(rv_view, rv, 1e-6, 1e-6));
  expect_values(stats.select(1, 0), {0, 0, 0});
}

TEST(NnBatchNorm, Errors) {
  const Tensor x = zeros({4, 3});
  EXPECT_THROW(batch_norm(zeros({1, 3}), {}, {}, {}, {}, true), Error);   // one value per channel
  EXPECT_NO_THROW(batch_norm(zeros({1, 3}), {}, {}, zeros({3}), ones({3}), false));
  EXPECT_THROW(batch_norm(x, {}, {}, {}, {}, false), Error);               // eval without running stats
  EXPECT_THROW(batch_norm(zeros({4}), {}, {}, {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x, zeros({4}), {}, {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x, {}, zeros({3, 1}), {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x, {}, {}, zeros({2}), ones({2}), true), Error);
  EXPECT_THROW(batch_norm(x, zeros({3}, {.dtype = kFloat64}), {}, {}, {}, true), Error);
  EXPECT_THROW(batch_norm(x.to(kInt64), {}, {}, {}, {}, true), Error);
}

TEST(NnLayerNorm, KnownRows) {
  // [1, 2, 3, 4]: mean 2.5, variance 1.25.
  const double r = 1 / std::sqrt(1.25);
  const Tensor x = tensor({{1.f, 2.f, 3.f, 4.f}, {5.f, 5.f, 5.f, 5.f}});
  expect_values(layer_norm(x, {4}, {}, {}, 0.0).slice(0, 0, 1), {-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r});
  expect_values(layer_norm(x, {4}).slice(0, 1, 2), {0, 0, 0, 0});  // constant row: eps keeps it finite
  expect_values(layer_norm(x[0], {4}, tensor({1.f, 2.f, 1.f, 2.f}), tensor({0.f, 0.f, 1.f, 1.f}), 0.0),
                {-1.5 * r, -1.0 * r, 0.5 * r + 1, 3.0 * r + 1});
  // A large common offset cancels exactly: the statistics accumulate in double.
  expect_values(layer_norm(tensor({10001.f, 10002.f, 10003.f, 10004.f}), {4}, {}, {}, 0.0),
                {-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r}, 1e-6);
}

TEST(NnLayerNorm, MultiDimShapeLayoutsDtypes) {
  manual_seed(8);
  const Tensor x = randn({3, 2, 5});
  const Tensor w = randn({2, 5}), b = randn({2, 5});
  const Tensor y = layer_norm(x, {2, 5}, w, b);
  const Tensor mean = x.mean({1, 2}, true), var = x.var({1, 2}, 0, true);
  EXPECT_TRUE(allclose(y, (x - mean) / (var + 1e-5).sqrt() * w + b, 1e-5, 1e-5));
  EXPECT_TRUE(allclose(layer_norm(x.transpose(0, 1).contiguous().transpose(0, 1), {2, 5}, w, b), y, 1e-6, 1e-6));
  EXPECT_TRUE(allclose(layer_norm(x.to(kFloat64), {5}), layer_norm(x, {5}).to(kFloat64), 1e-5, 1e-6));
  EXPECT_TRUE(allclose(layer_norm(x.to(kFloat16), {5}).to(kFloat32), layer_norm(x, {5}), 1e-2, 1e-2));
}

TEST(NnLayerNorm, Errors) {
  const Tensor x = zeros({2, 4});
  EXPECT_THROW(layer_norm(x, {3}), Error);
  EXPECT_THROW(layer_norm(x, {2, 2}), Error);
  EXPECT_THROW(layer_norm(x, {3, 2, 4}), Error);
  EXPECT_THROW(layer_norm(x, IntArrayRef{}), Error);
  EXPECT_THROW(layer_norm(x, {4}, zeros({3})), Error);
  EXPECT_THROW(layer_norm(x, {4}, {}, zeros({4, 1})), Error);
  EXPECT_THROW(layer_norm(x, {4}, zeros({4}, {.dtype = kFloat64})), Error);
  EXPECT_THROW(layer_norm(x.to(kInt64), {4}), Error);
}

TEST(NnGroupNorm, KnownGroups) {
  // Channels {1, 2}, {3, 4} | {5, 6}, {7, 8}: each group is 4 consecutive values (variance 1.25).
  const double r = 1 / std::sqrt(1.25);
  const Tensor x = (iota({1, 4, 2}) + 1);
  const std::vector<double> normed{-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r};
  std::vector<double> both(normed);
  both.insert(both.end(), normed.begin(), normed.end());
  expect_values(group_norm(x, 2, {}, {}, 0.0), both);
  expect_values(group_norm(x, 2, tensor({1.f, 2.f, 3.f, 4.f}), tensor({0.f, 1.f, 0.f, 1.f}), 0.0),
                {-1.5 * r, -0.5 * r, 1 + r, 1 + 3 * r, -4.5 * r, -1.5 * r, 1 + 2 * r, 1 + 6 * r});

  manual_seed(9);
  const Tensor big = randn({2, 6, 3, 4});
  // One group is layer norm over [C, H, W]; C groups is instance norm.
  EXPECT_TRUE(allclose(group_norm(big, 1), layer_norm(big, {6, 3, 4}), 1e-5, 1e-6));
  EXPECT_TRUE(allclose(group_norm(big, 6), layer_norm(big, {3, 4}), 1e-5, 1e-6));
  const Tensor strided = big.permute({0, 2, 3, 1}).contiguous().permute({0, 3, 1, 2});
  EXPECT_TRUE(allclose(group_norm(strided, 3), group_norm(big, 3), 1e-6, 1e-6));
  EXPECT_TRUE(allclose(group_norm(big.to(kFloat64), 3), group_norm(big, 3).to(kFloat64), 1e-5, 1e-6));
  EXPECT_EQ(group_norm(zeros({3, 4}), 2).sizes(), IntArrayRef({3, 4}));
}

TEST(NnGroupNorm, Errors) {
  EXPECT_THROW(group_norm(zeros({2, 6, 4}), 4), Error);
  EXPECT_THROW(group_norm(zeros({2, 6, 4}), 0), Error);
  EXPECT_THROW(group_norm(zeros({6}), 2), Error);
  EXPECT_THROW(group_norm(zeros({2, 6, 4}), 2, zeros({4})), Error);
  EXPECT_THROW(group_norm(zeros({2, 6, 4}, {.dtype = kInt64}), 2), Error);
}

// ---- threading -----------------------------------------------------------------------------

// Every task computes its outputs alone, so results are bitwise the same on any number of threads.
TEST(NnThreads, ResultsDoNotDependOnThreadCount) {
  manual_seed(10);
  const Tensor image = randn({1, 16, 30, 29});  // one image: conv splits it into row tiles
  const Tensor batch = randn({6, 16, 30, 29});
  const Tensor w = randn({24, 8, 3, 3}), b = randn({24});
  const Tensor rows = randn({512, 300}), scale = randn({16}), shift = randn({16});
  const auto run_all = [&] {
    return std::vector<Tensor>{conv2d(image, w, b, 1, 1, 1, 2),
                               conv2d(batch, w, b, 2, 1, 1, 2),
                               conv2d(image, randn({32, 16, 1, 1}, {}, nullptr).fill_(0.5)),
                               softmax(rows, 1),
                               log_softmax(rows, 0),
                               std::get<1>(max_pool2d_with_indices(batch, 3, 2, 1)),
                               avg_pool2d(batch, 3, 2, 1, true),
                               adaptive_avg_pool2d(batch, {7, 6}),
                               batch_norm(batch, scale, shift, {}, {}, true),
                               layer_norm(rows, {300}),
                               group_norm(batch, 4, scale, shift)};
  };
  const int threads = get_num_threads();
  set_num_threads(4);
  const std::vector<Tensor> parallel = run_all();
  set_num_threads(1);
  const std::vector<Tensor> serial = run_all();
  set_num_threads(threads);
  for (size_t i = 0; i < parallel.size(); ++i) EXPECT_TRUE(equal(parallel[i], serial[i])) << "result " << i;
}
