#include <gtest/gtest.h>

#include <accel/accel.h>

using namespace accel;
using namespace accel::indexing;

namespace {
std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }
}  // namespace

TEST(Views, ShareStorage) {
  const Tensor x = arange(6, {.dtype = kFloat32});
  const Tensor v = x.view({2, 3});
  v.select(0, 1).fill_(0);
  EXPECT_EQ(values(x), (std::vector<float>{0, 1, 2, 0, 0, 0}));
  EXPECT_EQ(v.storage().get(), x.storage().get());
}

TEST(Views, ViewInfersAndRejectsIncompatibleStrides) {
  const Tensor x = arange(12, {.dtype = kFloat32}).view({3, 4});
  EXPECT_EQ(x.view({-1}).sizes(), IntArrayRef({12}));
  EXPECT_EQ(x.view({2, -1}).sizes(), IntArrayRef({2, 6}));
  EXPECT_THROW(x.view({5, -1}), Error);
  EXPECT_THROW(x.view({-1, -1}), Error);
  EXPECT_THROW(x.t().view({12}), Error);             // spans two contiguous subspaces
  EXPECT_EQ(values(x.t().reshape({12})), (std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  EXPECT_EQ(x.t().view({4, 3}).sizes(), IntArrayRef({4, 3}));  // same layout is fine
  EXPECT_EQ(x.unsqueeze(1).view({3, 2, 2}).stride(0), 4);
}

TEST(Views, PermuteTransposeT) {
  const Tensor x = arange(24, {.dtype = kFloat32}).view({2, 3, 4});
  const Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(p.sizes(), IntArrayRef({4, 2, 3}));
  EXPECT_EQ(p.strides(), IntArrayRef({1, 12, 4}));
  EXPECT_FALSE(p.is_contiguous());
  EXPECT_TRUE(p.contiguous().is_contiguous());
  EXPECT_EQ(values(p.contiguous()).at(1), 4);
  EXPECT_EQ(x.transpose(0, 2).sizes(), IntArrayRef({4, 3, 2}));
  EXPECT_EQ(x.select(0, 0).t().size(0), 4);
  EXPECT_THROW(x.t(), Error);
  EXPECT_THROW(x.permute({0, 0, 1}), Error);
  EXPECT_THROW(x.permute({0, 1}), Error);
  EXPECT_THROW(x.transpose(0, 3), Error);
}

TEST(Views, SqueezeUnsqueezeFlattenUnflatten) {
  const Tensor x = zeros({1, 3, 1, 2});
  EXPECT_EQ(x.squeeze().sizes(), IntArrayRef({3, 2}));
  EXPECT_EQ(x.squeeze(2).sizes(), IntArrayRef({1, 3, 2}));
  EXPECT_EQ(x.squeeze(1).sizes(), x.sizes());
  EXPECT_EQ(x.unsqueeze(-1).sizes(), IntArrayRef({1, 3, 1, 2, 1}));
  EXPECT_EQ(x.flatten().sizes(), IntArrayRef({6}));
  EXPECT_EQ(x.flatten(1, 2).sizes(), IntArrayRef({1, 3, 2}));
  EXPECT_EQ(x.flatten(1).unflatten(1, {3, -1}).sizes(), IntArrayRef({1, 3, 2}));
  EXPECT_EQ(zeros({}).flatten().sizes(), IntArrayRef({1}));
  EXPECT_THROW(x.unsqueeze(6), Error);
  EXPECT_THROW(x.flatten(2, 1), Error);
}

TEST(Views, ExpandUsesZeroStrides) {
  const Tensor x = tensor({1.f, 2.f, 3.f}).view({3, 1});
  const Tensor e = x.expand({2, 3, 4});
  EXPECT_EQ(e.strides(), IntArrayRef({0, 1, 0}));
  EXPECT_EQ(e.sum().item<float>(), 48.0f);
  EXPECT_EQ(x.expand({-1, 5}).sizes(), IntArrayRef({3, 5}));
  EXPECT_THROW(x.expand({2, 4}), Error);
  EXPECT_THROW(x.expand({3}), Error);
  EXPECT_THROW(e.add_(1), Error);  // writing to an expanded tensor would race
}

TEST(Views, SliceNarrowSelect) {
  const Tensor x = arange(10, {.dtype = kFloat32});
  EXPECT_EQ(values(x.slice(0, 2, 8, 3)), (std::vector<float>{2, 5}));
  EXPECT_EQ(values(x.slice(0, -3)), (std::vector<float>{7, 8, 9}));
  EXPECT_EQ(x.slice(0, 20).numel(), 0);
  EXPECT_EQ(values(x.narrow(0, 1, 2)), (std::vector<float>{1, 2}));
  EXPECT_EQ(x[3].item<float>(), 3.0f);
  EXPECT_EQ(x.select(0, -1).item<float>(), 9.0f);
  EXPECT_THROW(x.select(0, 10), Error);
  EXPECT_THROW(x.narrow(0, 8, 5), Error);
  EXPECT_THROW(x.slice(0, 0, 5, 0), Error);
}

TEST(Views, SplitChunkUnbind) {
  const Tensor x = arange(10, {.dtype = kFloat32});
  const auto parts = x.split(4);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].numel(), 2);
  const auto sized = x.split({3, 7});
  EXPECT_EQ(sized[1].numel(), 7);
  EXPECT_THROW(x.split({3, 3}), Error);
  EXPECT_EQ(x.chunk(3).size(), 3u);
  EXPECT_EQ(x.chunk(3)[0].numel(), 4);
  EXPECT_EQ(x.view({2, 5}).unbind(1).size(), 5u);
}

TEST(Views, AsStridedChecksBounds) {
  const Tensor x = arange(6, {.dtype = kFloat32});
  EXPECT_EQ(values(x.as_strided({2, 2}, {1, 2})), (std::vector<float>{0, 2, 1, 3}));
  EXPECT_THROW(x.as_strided({3, 3}, {3, 1}), Error);
}

TEST(Conversions, ToDtypeCloneContiguousCopy) {
  const Tensor x = tensor({1.7f, -2.5f, 3.0f});
  EXPECT_EQ(x.to(kInt32).to_vector<int32_t>(), (std::vector<int32_t>{1, -2, 3}));
  EXPECT_EQ(x.to(kHalf).to(kFloat32).to_vector<float>(), (std::vector<float>{1.7001953125f, -2.5f, 3.0f}));
  EXPECT_EQ(x.to(kBool).to_vector<bool>(), (std::vector<bool>{true, true, true}));
  EXPECT_TRUE(x.to(kFloat32).is_same(x));
  EXPECT_FALSE(x.to(kFloat32, /*copy=*/true).is_same(x));
  const Tensor c = x.clone();
  c.fill_(0);
  EXPECT_EQ(x.sum().item<float>(), 2.2f);
  const Tensor dst = zeros({2, 3}, {.dtype = kFloat64});
  dst.copy_(x);  // broadcasts and converts
  EXPECT_DOUBLE_EQ(dst.sum().item<double>(), 2.0 * (1.7f - 2.5f + 3.0f));
  EXPECT_THROW(dst.copy_(zeros({4})), Error);
}

TEST(Conversions, ItemAndDataPtr) {
  EXPECT_EQ(tensor({5}).item<int64_t>(), 5);
  EXPECT_THROW(tensor({1, 2}).item<int64_t>(), Error);
  const Tensor x = zeros({3});
  EXPECT_NE(x.data_ptr<float>(), nullptr);
  EXPECT_THROW(x.data_ptr<double>(), Error);
  EXPECT_THROW(Tensor().sizes(), Error);
}

TEST(Printing, MatchesPyTorchRepr) {
  EXPECT_EQ(to_string(tensor({{1.f, 2.f}, {3.f, 4.f}})), "tensor([[1., 2.],\n        [3., 4.]])");
  EXPECT_EQ(to_string(tensor({0.5f, 0.25f})), "tensor([0.5000, 0.2500])");
  EXPECT_EQ(to_string(tensor({1, 20})), "tensor([ 1, 20])");
  EXPECT_EQ(to_string(tensor({true, false})), "tensor([ True, False])");
  EXPECT_EQ(to_string(tensor({1.5}, {.dtype = kFloat64})), "tensor([1.5000], dtype=float64)");
  EXPECT_EQ(to_string(tensor(2.5)), "tensor(2.5000)");
  EXPECT_EQ(to_string(zeros({0})), "tensor([])");
  EXPECT_EQ(to_string(tensor({1e-5f, 1.f})), "tensor([1.0000e-05, 1.0000e+00])");
  const std::string big = to_string(arange(2000));
  EXPECT_NE(big.find("..."), std::string::npos);
}

TEST(Indexing, BasicIndicesAreViews) {
  const Tensor x = arange(24, {.dtype = kFloat32}).view({2, 3, 4});
  const Tensor v = x.index({1, Slice(None, 2), Ellipsis});
  EXPECT_EQ(v.sizes(), IntArrayRef({2, 4}));
  EXPECT_EQ(v.storage().get(), x.storage().get());
  EXPECT_EQ(x.index({None, 0}).sizes(), IntArrayRef({1, 3, 4}));
  EXPECT_EQ(x.index({Ellipsis, 1}).sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(x.index({Slice(), Slice(None, None, 2)}).sizes(), IntArrayRef({2, 2, 4}));
  EXPECT_THROW(x.index({0, 0, 0, 0}), Error);
  EXPECT_THROW(x.index({Ellipsis, Ellipsis}), Error);
}

TEST(Indexing, AdvancedIndicesGather) {
  const Tensor x = arange(12, {.dtype = kFloat32}).view({3, 4});
  EXPECT_EQ(values(x.index({tensor({2, 0})})), (std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3}));
  EXPECT_EQ(values(x.index({Slice(), tensor({-1, 1})})), (std::vector<float>{3, 1, 7, 5, 11, 9}));
  EXPECT_EQ(values(x.index({tensor({0, 2}), tensor({1, 3})})), (std::vector<float>{1, 11}));
  EXPECT_EQ(values(x.index({x > 9.5f})), (std::vector<float>{10, 11}));
  const Tensor y = arange(24, {.dtype = kFloat32}).view({2, 3, 4});
  // Non-adjacent index tensors move the broadcast dims first.
  EXPECT_EQ(y.index({tensor({0, 1}), Slice(), tensor({0, 3})}).sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(y.index({Slice(), tensor({{0, 1}, {2, 0}})}).sizes(), IntArrayRef({2, 2, 2, 4}));
  EXPECT_THROW(x.index({tensor({3})}), Error);
  EXPECT_THROW(x.index({tensor({0.5f})}), Error);
  EXPECT_THROW(x.index({tensor({true, false})}), Error);
}

TEST(Indexing, IndexPutWrites) {
  const Tensor x = zeros({3, 4});
  x.index_put_({tensor({0, 2}), Slice(1, 3)}, 5.0);
  EXPECT_EQ(x.sum().item<float>(), 20.0f);
  EXPECT_EQ(x.index({2, 1}).item<float>(), 5.0f);
  x.index_put_({x > 1.0f}, tensor(-1.f));
  EXPECT_EQ(x.sum().item<float>(), -4.0f);
  const Tensor y = zeros({2, 3});
  y.index_put_({Slice(), 1}, tensor({7.f, 8.f}));
  EXPECT_EQ(values(y), (std::vector<float>{0, 7, 0, 0, 8, 0}));
  const Tensor t = zeros({4, 3}).t();  // non-contiguous destination
  t.index_put_({tensor({1})}, 2.0);
  EXPECT_EQ(t.sum().item<float>(), 8.0f);
}
