// Transforms: exact values for the deterministic ones; for the random ones, that every outcome is a
// valid crop/flip, that all outcomes occur, and that a seeded sample generator reproduces them.
#include <gtest/gtest.h>

#include <set>

#include <accel/accel.h>
#include <accel/data/data.h>

namespace {

using namespace accel;
namespace transforms = data::transforms;

TEST(ToFloat, ScalesBytesToUnitRange) {
  const Tensor x = tensor({0, 51, 255}, {.dtype = kUInt8});
  const Tensor y = transforms::ToFloat()(x);
  EXPECT_EQ(y.dtype(), kFloat32);
  EXPECT_TRUE(allclose(y, tensor({0.f, 0.2f, 1.f})));
  const Tensor f = tensor({0.5});
  EXPECT_TRUE(transforms::ToFloat()(f).is_same(f));
  EXPECT_THROW(transforms::ToFloat()(tensor({1, 2})), Error);  // int64
}

TEST(Normalize, PerChannelAndBroadcastMeanStd) {
  const Tensor x = arange(8, {.dtype = kFloat32}).view({2, 2, 2});  // channels {0..3}, {4..7}
  const Tensor y = transforms::Normalize({1, 4}, {2, 0.5})(x);
  EXPECT_TRUE(allclose(y, tensor({{{-0.5f, 0.f}, {0.5f, 1.f}}, {{0.f, 2.f}, {4.f, 6.f}}})));
  const Tensor batch = transforms::Normalize({1}, {2})(x.unsqueeze(0));  // [N, C, H, W], one mean for all
  EXPECT_TRUE(allclose(batch, ((x - 1) / 2).unsqueeze(0)));
  EXPECT_EQ(transforms::Normalize({0}, {1})(x.to(kFloat64)).dtype(), kFloat64);
}

TEST(Normalize, RejectsBadInput) {
  EXPECT_THROW(transforms::Normalize({0, 1}, {1}), Error);
  EXPECT_THROW(transforms::Normalize({}, {}), Error);
  EXPECT_THROW(transforms::Normalize({0}, {0}), Error);
  EXPECT_THROW(transforms::Normalize({0, 0, 0}, {1, 1, 1})(zeros({2, 4, 4})), Error);  // 2 channels
  EXPECT_THROW(transforms::Normalize({0}, {1})(zeros({4, 4})), Error);
  EXPECT_THROW(transforms::Normalize({0}, {1})(zeros({1, 4, 4}, {.dtype = kUInt8})), Error);
}

TEST(RandomCrop, EveryOffsetOfThePaddedImageOccurs) {
  // A 1x3x3 image 1..9, padding 1 with fill -1, crop 3x3: 9 possible windows of the 5x5 padded image.
  const Tensor image = arange(1, 10, 1, {.dtype = kFloat32}).view({1, 3, 3});
  const Tensor padded = pad(image, {1, 1, 1, 1}, -1);
  const transforms::RandomCrop crop(3, {.padding = 1, .fill = -1});
  std::set<std::pair<int64_t, int64_t>> seen;
  for (uint64_t s = 0; s < 200; ++s) {
    const data::SampleGeneratorScope random(s);
    const Tensor out = crop(image);
    ASSERT_EQ(out.sizes(), IntArrayRef({1, 3, 3}));
    bool matched = false;
    for (int64_t top = 0; top < 3; ++top)
      for (int64_t left = 0; left < 3; ++left)
        if (equal(out, padded.narrow(1, top, 3).narrow(2, left, 3))) {
          seen.insert({top, left});
          matched = true;
        }
    ASSERT_TRUE(matched) << out;
  }
  EXPECT_EQ(seen.size(), 9u);
}

TEST(RandomCrop, SameSeedSameCropAndUint8Fill) {
  const Tensor image = randint(0, 256, {3, 8, 8}, {.dtype = kUInt8});
  const transforms::RandomCrop crop({4, 6}, {.padding = 2, .fill = 7});
  Tensor a, b;
  {
    const data::SampleGeneratorScope random(42);
    a = crop(image);
  }
  {
    const data::SampleGeneratorScope random(42);
    b = crop(image);
  }
  EXPECT_EQ(a.dtype(), kUInt8);
  EXPECT_EQ(a.sizes(), IntArrayRef({3, 4, 6}));
  EXPECT_TRUE(equal(a, b));
}

TEST(RandomCrop, PadIfNeededAndErrors) {
  const transforms::RandomCrop crop(4, {.pad_if_needed = true});
  EXPECT_EQ(crop(ones({1, 2, 4})).sizes(), IntArrayRef({1, 4, 4}));
  EXPECT_THROW(transforms::RandomCrop(4)(ones({1, 3, 3})), Error);  // larger than the image
  EXPECT_THROW(transforms::RandomCrop(0), Error);
  EXPECT_THROW(transforms::RandomCrop(2, {.padding = -1}), Error);
  EXPECT_THROW(transforms::RandomCrop(1)(ones({3})), Error);
}

TEST(RandomHorizontalFlip, FlipsWithTheGivenProbability) {
  const Tensor image = arange(6).view({1, 2, 3});
  const Tensor flipped = tensor({{{2, 1, 0}, {5, 4, 3}}});
  int flips = 0;
  for (uint64_t s = 0; s < 1000; ++s) {
    const data::SampleGeneratorScope random(s);
    const Tensor out = transforms::RandomHorizontalFlip(0.3)(image);
    if (equal(out, flipped)) ++flips;
    else ASSERT_TRUE(equal(out, image));
  }
  EXPECT_GT(flips, 240);  // binomial(1000, 0.3): mean 300, sd 14.5
  EXPECT_LT(flips, 360);
  EXPECT_TRUE(equal(transforms::RandomHorizontalFlip(1)(image), flipped));
  EXPECT_TRUE(equal(transforms::RandomHorizontalFlip(0)(image), image));
  EXPECT_THROW(transforms::RandomHorizontalFlip(1.5), Error);
}

TEST(Compose, AppliesInOrderAndOnField) {
  const transforms::Compose pipeline({transforms::ToFloat(), transforms::Normalize({0.5}, {0.5})});
  const Tensor image = tensor({{{0, 255}}}, {.dtype = kUInt8});
  EXPECT_TRUE(allclose(pipeline(image), tensor({{{-1.f, 1.f}}})));
  const data::MapDataset dataset(data::TensorDataset({image.unsqueeze(0), tensor({3})}), transforms::on_field(pipeline));
  const data::Example e = dataset.get(0);
  EXPECT_TRUE(allclose(e[0], tensor({{{-1.f, 1.f}}})));
  EXPECT_EQ(e[1].item<int64_t>(), 3);
  const data::MapDataset wrong_field(data::TensorDataset({image.unsqueeze(0)}), transforms::on_field(pipeline, 1));
  EXPECT_THROW(wrong_field.get(0), Error);
  EXPECT_THROW(transforms::Compose({nullptr}), Error);
}

TEST(SampleGenerator, ScopesNestAndFallBackToTheDefault) {
  EXPECT_EQ(&data::sample_generator(), &default_generator());
  {
    const data::SampleGeneratorScope outer(1);
    Generator* outer_generator = &data::sample_generator();
    EXPECT_EQ(outer_generator->seed(), 1u);
    {
      const data::SampleGeneratorScope inner(2);
      EXPECT_EQ(data::sample_generator().seed(), 2u);
    }
    EXPECT_EQ(&data::sample_generator(), outer_generator);
  }
  EXPECT_EQ(&data::sample_generator(), &default_generator());
  EXPECT_NE(data::mix_seed(0, 0, 0, 1), data::mix_seed(0, 0, 1, 0));
}

}  // namespace
