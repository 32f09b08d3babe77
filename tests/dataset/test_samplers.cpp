// Samplers: PyTorch's index structure (golden, tools/gen_data_golden.py), seeded shuffles that are
// permutations, reproducible and different per epoch, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <set>

#include <accel/accel.h>
#include <accel/data/data.h>

#include "golden.h"

namespace {

using namespace accel;

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<int64_t> iota(int64_t n) {
  std::vector<int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(SequentialSampler, InOrder) {
  EXPECT_EQ(data::SequentialSampler(4).indices(3), iota(4));
  EXPECT_EQ(data::SequentialSampler(0).size(), 0);
  EXPECT_THROW(data::SequentialSampler(-1), Error);
}

TEST(RandomSampler, SeededPermutationPerEpoch) {
  const data::RandomSampler sampler(50, {.seed = 3});
  const auto epoch0 = sampler.indices(0);
  EXPECT_EQ(sorted(epoch0), iota(50));
  EXPECT_NE(epoch0, iota(50));
  EXPECT_EQ(epoch0, data::RandomSampler(50, {.seed = 3}).indices(0));
  EXPECT_NE(epoch0, sampler.indices(1));
  EXPECT_NE(epoch0, data::RandomSampler(50, {.seed = 4}).indices(0));
}

TEST(RandomSampler, NumSamplesWithAndWithoutReplacement) {
  const data::RandomSampler more(4, {.num_samples = 10, .seed = 1});
  const auto indices = more.indices(0);
  ASSERT_EQ(indices.size(), 10u);
  EXPECT_EQ(sorted({indices.begin(), indices.begin() + 4}), iota(4));  // whole permutations first
  EXPECT_EQ(sorted({indices.begin() + 4, indices.begin() + 8}), iota(4));
  const data::RandomSampler drawn(3, {.replacement = true, .num_samples = 300, .seed = 1});
  const auto draws = drawn.indices(0);
  ASSERT_EQ(draws.size(), 300u);
  EXPECT_EQ(std::set<int64_t>(draws.begin(), draws.end()), (std::set<int64_t>{0, 1, 2}));
  EXPECT_EQ(data::RandomSampler(5, {.num_samples = 2}).size(), 2);
  EXPECT_THROW(data::RandomSampler(0, {.num_samples = 2}), Error);
  EXPECT_THROW(data::RandomSampler(5, {.num_samples = -1}), Error);
}

TEST(RandomSampler, UnseededFollowsManualSeed) {
  manual_seed(11);
  const auto a = data::RandomSampler(20).indices(0);
  manual_seed(11);
  EXPECT_EQ(data::RandomSampler(20).indices(0), a);
}

TEST(SubsetRandomSampler, PermutesTheGivenIndices) {
  const data::SubsetRandomSampler sampler({5, 9, 7, 100}, 0);
  EXPECT_EQ(sorted(sampler.indices(0)), (std::vector<int64_t>{5, 7, 9, 100}));
  EXPECT_EQ(sampler.size(), 4);
}

TEST(BatchSampler, MatchesPyTorch) {
  for (const auto& c : data_golden()["batch"]) {
    const data::BatchSampler sampler(std::make_shared<data::SequentialSampler>(c["size"]), c["batch_size"], c["drop_last"]);
    const auto expected = c["batches"].get<std::vector<std::vector<int64_t>>>();
    EXPECT_EQ(sampler.batches(0), expected) << c.dump();
    EXPECT_EQ(sampler.size(), static_cast<int64_t>(expected.size())) << c.dump();
  }
  EXPECT_THROW(data::BatchSampler(nullptr, 2), Error);
  EXPECT_THROW(data::BatchSampler(std::make_shared<data::SequentialSampler>(3), 0), Error);
}

TEST(DistributedSampler, UnshuffledIndicesMatchPyTorch) {
  for (const auto& c : data_golden()["distributed"]) {
    const int64_t replicas = c["num_replicas"];
    for (int64_t rank = 0; rank < replicas; ++rank) {
      const data::DistributedSampler sampler(
          c["size"], {.num_replicas = replicas, .rank = rank, .shuffle = false, .drop_last = c["drop_last"].get<bool>()});
      const auto expected = c["ranks"][rank].get<std::vector<int64_t>>();
      EXPECT_EQ(sampler.indices(0), expected) << c.dump() << " rank " << rank;
      EXPECT_EQ(sampler.size(), static_cast<int64_t>(expected.size()));
    }
  }
}

TEST(DistributedSampler, ShuffledRanksPartitionTheSameSharedPermutation) {
  // 10 indices over 3 ranks with padding: every index appears, the 2 padded ones twice.
  std::vector<int64_t> all;
  for (int64_t rank = 0; rank < 3; ++rank) {
    data::DistributedSampler sampler(10, {.num_replicas = 3, .rank = rank, .seed = 5});
    sampler.set_epoch(2);
    const auto mine = sampler.indices(0);
    EXPECT_EQ(mine.size(), 4u);
    all.insert(all.end(), mine.begin(), mine.end());
  }
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), 10u);
  // The rank-0 list changes with set_epoch, not with the loader's epoch argument.
  data::DistributedSampler sampler(100, {.num_replicas = 2, .rank = 0, .seed = 5});
  const auto epoch0 = sampler.indices(0);
  EXPECT_EQ(sampler.indices(7), epoch0);
  sampler.set_epoch(1);
  EXPECT_NE(sampler.indices(0), epoch0);
  EXPECT_EQ(sampler.epoch(), 1);
}

TEST(DistributedSampler, RanksFromTheEnvironmentAndErrors) {
  setenv("WORLD_SIZE", "4", 1);
  setenv("RANK", "3", 1);
  const data::DistributedSampler from_env(10);
  EXPECT_EQ(from_env.num_replicas(), 4);
  EXPECT_EQ(from_env.rank(), 3);
  setenv("RANK", "x", 1);
  EXPECT_THROW(data::DistributedSampler(10), Error);
  unsetenv("WORLD_SIZE");
  unsetenv("RANK");
  EXPECT_EQ(data::DistributedSampler(10).num_replicas(), 1);
  EXPECT_THROW(data::DistributedSampler(10, {.num_replicas = 2, .rank = 2}), Error);
  EXPECT_THROW(data::DistributedSampler(10, {.num_replicas = 0, .rank = 0}), Error);
  EXPECT_THROW(data::DistributedSampler(10, {.num_replicas = 2, .rank = -1}), Error);
}

}  // namespace
