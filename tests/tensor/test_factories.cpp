#include <gtest/gtest.h>

#include <limits>
#include <utility>

#include <cstdint>

#include <accel/accel.h>

using namespace accel;

TEST(Factories, ZerosOnesFull) {
  EXPECT_EQ(zeros({2, 3}).to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(ones({4}, {.dtype = kInt32}).to_vector<int32_t>(), std::vector<int32_t>(4, 1));
  const Tensor f = full({2}, 7);
  EXPECT_EQ(f.dtype(), kInt64);
  EXPECT_EQ(full({2}, 2.5).dtype(), kFloat32);
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  EXPECT_EQ(f.to_vector<int64_t>(), (std::vector<int64_t>{7, 7}));
  EXPECT_EQ(zeros({2, 3}).sizes(), IntArrayRef({2, 3}));
  EXPECT_EQ(zeros({}).dim(), 0);
  EXPECT_EQ(zeros({0, 4}).numel(), 0);
  EXPECT_THROW(zeros({-1, 2}), Error);
}

TEST(Factories, ArangeLinspaceEye) {
  EXPECT_EQ(arange(5).dtype(), kInt64);
  EXPECT_EQ(arange(5).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(arange(1, 10, 3).to_vector<int64_t>(), (std::vector<int64_t>{1, 4, 7}));
  EXPECT_EQ(arange(5, 0, -2).to_vector<int64_t>(), (std::vector<int64_t>{5, 3, 1}));
  EXPECT_EQ(arange(0.0, 1.0, 0.25).to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f}));
  EXPECT_THROW(arange(0, 5, 0), Error);
  EXPECT_THROW(arange(5, 0, 1), Error);
  EXPECT_EQ(linspace(0, 1, 5).to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1}));
  EXPECT_EQ(linspace(3, 9, 1).to_vector<float>(), std::vector<float>{3});
  EXPECT_EQ(eye(2, 3).to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(eye(3, {.dtype = kInt64}).sum().item<int64_t>(), 3);
}

TEST(Factories, NestedListsInferShapeAndDtype) {
  const Tensor t = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(t.sizes(), IntArrayRef({2, 2}));
  EXPECT_EQ(t.dtype(), kInt64);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(tensor({1.5, 2.0}).dtype(), kFloat32);
  EXPECT_EQ(tensor({1.5f, 2.0f}).dtype(), kFloat32);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
  EXPECT_EQ(tensor({1, 2}, {.dtype = kFloat64}).dtype(), kFloat64);
  EXPECT_EQ(tensor(std::vector<float>{1, 2, 3}).sizes(), IntArrayRef({3}));
  EXPECT_EQ(tensor(3.5).dim(), 0);
  EXPECT_THROW(tensor({{1, 2}, {3}}), Error);
}

TEST(Factories, FromBlobSharesMemoryAndRunsDeleter) {
  std::vector<float> data{1, 2, 3, 4, 5, 6};
  bool deleted = false;
  {
    const Tensor t = from_blob(data.data(), {2, 3}, {}, [&](void*) { deleted = true; });
    t.mul_(2);
    EXPECT_FALSE(deleted);
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(data[5], 12);
  const Tensor column = from_blob(data.data(), {2}, {3});
  EXPECT_EQ(column.to_vector<float>(), (std::vector<float>{2, 8}));
}

TEST(Factories, LikeFactoriesTakeShapeDtypeDevice) {
  const Tensor x = ones({3, 2}, {.dtype = kFloat64});
  EXPECT_EQ(zeros_like(x).dtype(), kFloat64);
  EXPECT_EQ(ones_like(x, {.dtype = kInt32}).dtype(), kInt32);
  EXPECT_EQ(full_like(x, 4).sum().item<double>(), 24.0);
  EXPECT_EQ(empty_like(x).sizes(), x.sizes());
  EXPECT_EQ(randn_like(x).dtype(), kFloat64);
}

TEST(Random, SeededStreamsRepeatAndDifferBySeed) {
  manual_seed(42);
  const Tensor a = randn({1000});
  manual_seed(42);
  const Tensor b = randn({1000});
  manual_seed(43);
  const Tensor c = randn({1000});
  EXPECT_TRUE(equal(a, b));
  EXPECT_FALSE(equal(a, c));
}

TEST(Random, StreamDoesNotDependOnThreads) {
  manual_seed(7);
  set_num_threads(1);
  const Tensor one = rand({200000});
  set_num_threads(2);
  manual_seed(7);
  const Tensor two = rand({200000});
  EXPECT_TRUE(equal(one, two));
}

TEST(Random, DistributionMoments) {
  manual_seed(0);
  const Tensor u = rand({100000}, {.dtype = kFloat64});
  EXPECT_NEAR(u.mean().item<double>(), 0.5, 0.01);
  EXPECT_GE(u.min().item<double>(), 0.0);
  EXPECT_LT(u.max().item<double>(), 1.0);
  const Tensor n = randn({100000}, {.dtype = kFloat64});
  EXPECT_NEAR(n.mean().item<double>(), 0.0, 0.02);
  EXPECT_NEAR(n.std().item<double>(), 1.0, 0.02);
  const Tensor r = randint(3, 7, {10000});
  EXPECT_EQ(r.min().item<int64_t>(), 3);
  EXPECT_EQ(r.max().item<int64_t>(), 6);
  EXPECT_THROW(randint(5, 5, {3}), Error);
  EXPECT_THROW(rand({3}, {.dtype = kInt64}), Error);
}

TEST(Random, RandpermIsAPermutation) {
  manual_seed(1);
  const Tensor p = randperm(1000);
  EXPECT_EQ(p.dtype(), kInt64);
  const auto sorted = std::get<0>(p.sort());
  EXPECT_TRUE(equal(sorted, arange(1000)));
  EXPECT_FALSE(equal(p, arange(1000)));
}

// randint(low, high) is low + (64 random bits of element i) mod (high - low), whether the range is a
// power of two (taken with a mask) or not, so that shuffles stay the same from release to release.
TEST(Random, RandintIsTheStreamModuloTheRange) {
  const std::pair<int64_t, int64_t> ranges[] = {{0, int64_t{1} << 62}, {-8, 8}, {3, 10}, {0, 1},
                                                {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}};
  for (auto [low, high] : ranges) {
    Generator generator(42), copy(42);
    const std::vector<int64_t> drawn = randint(low, high, {1001}, {}, &generator).to_vector<int64_t>();
    const PhiloxDraw stream = copy.draw(1001);
    const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
    for (int64_t i = 0; i < 1001; ++i)
      ASSERT_EQ(drawn[i], static_cast<int64_t>(static_cast<uint64_t>(low) + stream.bits64(i) % range)) << low << " " << i;
  }
}

TEST(Random, PhiloxMatchesTheReferenceVector) {
  // Known-answer vector of Random123's kat_vectors for philox4x32-10 with counter 0 and key 0.
  const auto block = philox4x32(0, 0);
  EXPECT_EQ(block[0], 0x6627e8d5u);
  EXPECT_EQ(block[1], 0xe169c58du);
  EXPECT_EQ(block[2], 0xbc57ac4cu);
  EXPECT_EQ(block[3], 0x9b00dbd8u);
}

TEST(Allocator, CachesFreedBlocks) {
  cpu::empty_cache();
  const auto before = cpu_allocator_stats();
  { const Tensor t = empty({12345}); }
  { const Tensor t = empty({12345}); }
  const auto after = cpu_allocator_stats();
  EXPECT_GE(after.cache_hits - before.cache_hits, 1);
  EXPECT_GT(after.cached_bytes, 0);
  cpu::empty_cache();
  EXPECT_EQ(cpu_allocator_stats().cached_bytes, 0);
}

// Large blocks start on a 2 MiB boundary (so that huge pages can back them); small ones on a cache
// line. Both hold what is written to them, and a cached large block comes back aligned.
TEST(Allocator, LargeBlocksAreHugePageAligned) {
  cpu::empty_cache();
  const auto address = [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); };
  for (int round = 0; round < 2; ++round) {  // the second round takes the block from the cache
    const Tensor large = full({int64_t{3} << 20}, 1.5f);  // 12 MiB
    EXPECT_EQ(address(large) % (size_t{2} << 20), 0u);
    EXPECT_EQ(large.sum().item<double>(), 1.5 * (3 << 20));
  }
  const Tensor small = full({1000}, 2.0f);
  EXPECT_EQ(address(small) % 64, 0u);
  EXPECT_EQ(small.sum().item<double>(), 2000);
  cpu::empty_cache();
}
