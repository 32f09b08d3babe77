#include <gtest/gtest.h>

#include <accel/accel.h>

using namespace accel;

namespace {
std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }
}  // namespace

TEST(ShapeOps, CatAndStack) {
  const Tensor a = tensor({{1.f, 2.f}});
  const Tensor b = tensor({{3.f, 4.f}, {5.f, 6.f}});
  EXPECT_EQ(values(cat({a, b})), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(cat({b, b}, 1).sizes(), IntArrayRef({2, 4}));
  EXPECT_EQ(cat({a.t(), b.t()}, -1).sizes(), IntArrayRef({2, 3}));  // non-contiguous inputs
  EXPECT_EQ(cat({tensor({1}), tensor({2.5f})}).dtype(), kFloat32);
  EXPECT_EQ(cat({zeros({0}), b}).sizes(), b.sizes());                // legacy empty 1-D skipped
  EXPECT_EQ(stack({a, a}).sizes(), IntArrayRef({2, 1, 2}));
  EXPECT_EQ(stack({a, a}, 2).sizes(), IntArrayRef({1, 2, 2}));
  EXPECT_THROW(cat({a, b}, 1), Error);
  EXPECT_THROW(cat({}), Error);
  EXPECT_THROW(stack({a, b}), Error);
}

TEST(ShapeOps, RepeatFlipRoll) {
  const Tensor x = tensor({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(values(x.repeat({1, 2})), (std::vector<float>{1, 2, 1, 2, 3, 4, 3, 4}));
  EXPECT_EQ(x.repeat({3, 1, 1}).sizes(), IntArrayRef({3, 2, 2}));
  EXPECT_THROW(x.repeat({2}), Error);
  EXPECT_EQ(values(x.flip({0})), (std::vector<float>{3, 4, 1, 2}));
  EXPECT_EQ(values(x.flip({0, 1})), (std::vector<float>{4, 3, 2, 1}));
  EXPECT_EQ(values(x.t().flip({1})), (std::vector<float>{3, 1, 4, 2}));
  EXPECT_EQ(values(roll(arange(5, {.dtype = kFloat32}), {2})), (std::vector<float>{3, 4, 0, 1, 2}));
  EXPECT_EQ(values(x.roll({-1}, {1})), (std::vector<float>{2, 1, 4, 3}));
  EXPECT_EQ(values(x.roll({1})), (std::vector<float>{4, 1, 2, 3}));
  EXPECT_THROW(x.roll({1, 2}, {0}), Error);
}

TEST(ShapeOps, TrilTriu) {
  const Tensor x = ones({3, 3});
  EXPECT_EQ(values(tril(x)), (std::vector<float>{1, 0, 0, 1, 1, 0, 1, 1, 1}));
  EXPECT_EQ(values(triu(x, 1)), (std::vector<float>{0, 1, 1, 0, 0, 1, 0, 0, 0}));
  EXPECT_EQ(tril(ones({2, 3, 4}), -1).sum().item<float>(), 2 * 3.0f);
  EXPECT_THROW(tril(ones({3})), Error);
}

TEST(ShapeOps, PadConstant) {
  const Tensor x = tensor({{1.f, 2.f}});
  const Tensor p = pad(x, {1, 2}, -1);
  EXPECT_EQ(values(p), (std::vector<float>{-1, 1, 2, -1, -1}));
  EXPECT_EQ(pad(x, {0, 0, 1, 1}).sizes(), IntArrayRef({3, 2}));
  EXPECT_EQ(values(pad(x, {-1, 0})), (std::vector<float>{2}));
  EXPECT_THROW(pad(x, {1}), Error);
  EXPECT_THROW(pad(x, {1, 1, 1, 1, 1, 1}), Error);
}
