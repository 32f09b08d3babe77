#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <accel/accel.h>

using namespace accel;

TEST(DType, ItemsizeAndNames) {
  EXPECT_EQ(itemsize(kFloat32), 4);
  EXPECT_EQ(itemsize(kFloat64), 8);
  EXPECT_EQ(itemsize(kHalf), 2);
  EXPECT_EQ(itemsize(kBFloat16), 2);
  EXPECT_EQ(itemsize(kInt64), 8);
  EXPECT_EQ(itemsize(kInt32), 4);
  EXPECT_EQ(itemsize(kUInt8), 1);
  EXPECT_EQ(itemsize(kBool), 1);
  EXPECT_STREQ(name(kBFloat16), "bfloat16");
  EXPECT_TRUE(is_floating_point(kHalf));
  EXPECT_FALSE(is_floating_point(kInt32));
}

TEST(DType, PromotionFollowsPyTorch) {
  EXPECT_EQ(promote_types(kBool, kUInt8), kUInt8);
  EXPECT_EQ(promote_types(kUInt8, kInt32), kInt32);
  EXPECT_EQ(promote_types(kInt32, kInt64), kInt64);
  EXPECT_EQ(promote_types(kInt64, kHalf), kHalf);
  EXPECT_EQ(promote_types(kHalf, kBFloat16), kFloat32);
  EXPECT_EQ(promote_types(kHalf, kFloat32), kFloat32);
  EXPECT_EQ(promote_types(kFloat32, kFloat64), kFloat64);
  EXPECT_EQ(promote_types(kBool, kBool), kBool);
}

TEST(DType, ResultTypeRanksDimensionedAboveZeroDimAboveScalars) {
  const Tensor f16 = ones({2}, {.dtype = kHalf});
  const Tensor i32 = ones({2}, {.dtype = kInt32});
  const Tensor f64_scalar = ones({}, {.dtype = kFloat64});
  const Tensor i64_scalar = ones({}, {.dtype = kInt64});
  EXPECT_EQ(result_type(f16, f64_scalar), kHalf);        // same category: the dimensioned tensor wins
  EXPECT_EQ(result_type(i32, i64_scalar), kInt32);
  EXPECT_EQ(result_type(i32, f64_scalar), kFloat64);     // higher category: the zero-dim dtype
  EXPECT_EQ(result_type(i32, Scalar(2.5)), kFloat32);    // a float number gives the default dtype
  EXPECT_EQ(result_type(i32, Scalar(2)), kInt32);
  EXPECT_EQ(result_type(ones({2}, {.dtype = kBool}), Scalar(2)), kInt64);
  EXPECT_EQ((i32 + 1.5).dtype(), kFloat32);
  EXPECT_EQ((f16 * 3).dtype(), kHalf);
}

TEST(Half, RoundTripsAndRoundsToNearestEven) {
  EXPECT_EQ(static_cast<float>(Half(1.0f)), 1.0f);
  EXPECT_EQ(static_cast<float>(Half(-2.5f)), -2.5f);
  EXPECT_EQ(static_cast<float>(Half(65504.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(static_cast<float>(Half(65520.0f))));  // ties to even: rounds up to inf
  EXPECT_EQ(static_cast<float>(Half(1.0f + 1.0f / 2048)), 1.0f);   // halfway: to the even mantissa
  EXPECT_EQ(static_cast<float>(Half(5.960464477539063e-8f)), 5.960464477539063e-8f);  // smallest subnormal
  EXPECT_TRUE(std::isnan(static_cast<float>(Half(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(Half(0.1f).bits, 0x2e66);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f)), 1.0f);
  EXPECT_EQ(BFloat16(3.14159f).bits, 0x4049);
  EXPECT_EQ(static_cast<float>(BFloat16(1.0f + 1.0f / 256)), 1.0f);  // halfway: to even
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(std::numeric_limits<float>::quiet_NaN()))));
}

TEST(Device, ParsesSpecs) {
  EXPECT_EQ(Device("cpu"), Device::cpu());
  EXPECT_EQ(Device("cuda:1"), Device::cuda(1));
  EXPECT_EQ(Device("cuda").index, 0);
  EXPECT_EQ(Device::cuda(2).str(), "cuda:2");
  EXPECT_THROW(Device("tpu"), Error);
  EXPECT_THROW(Device("cuda:x"), Error);
}
