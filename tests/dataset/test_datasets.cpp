// TensorDataset, Subset, ConcatDataset, MapDataset and random_split.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <accel/accel.h>
#include <accel/data/data.h>

#include "golden.h"

namespace {

using namespace accel;
using data::Example;

// The first field of every example, as int64 values (datasets below store their index there).
std::vector<int64_t> ids(const data::Dataset& dataset) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < dataset.size(); ++i) out.push_back(dataset.get(i)[0].item<int64_t>());
  return out;
}

data::TensorDataset numbered(int64_t n, int64_t offset = 0) { return data::TensorDataset({arange(offset, offset + n)}); }

TEST(TensorDataset, IndexesDimZeroOfEveryTensor) {
  const Tensor x = arange(12, {.dtype = kFloat32}).view({4, 3});
  const Tensor y = tensor({10, 11, 12, 13});
  const data::TensorDataset dataset({x, y});
  ASSERT_EQ(dataset.size(), 4);
  const Example e = dataset.get(2);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_TRUE(equal(e[0], tensor({6.f, 7.f, 8.f})));
  EXPECT_EQ(e[1].dim(), 0);
  EXPECT_EQ(e[1].item<int64_t>(), 12);
}

TEST(TensorDataset, RejectsBadInput) {
  EXPECT_THROW(data::TensorDataset({}), Error);
  EXPECT_THROW(data::TensorDataset({zeros({3}), zeros({4})}), Error);
  EXPECT_THROW(data::TensorDataset({zeros({})}), Error);
  const data::TensorDataset dataset({zeros({3})});
  EXPECT_THROW(dataset.get(3), Error);
  EXPECT_THROW(dataset.get(-1), Error);
}

TEST(Subset, MapsIndicesAndChecksThem) {
  const data::Subset subset(numbered(10), {7, 2, 2});
  EXPECT_EQ(ids(subset), (std::vector<int64_t>{7, 2, 2}));
  EXPECT_THROW(subset.get(3), Error);
  EXPECT_THROW(data::Subset(numbered(10), {10}), Error);
}

TEST(ConcatDataset, ChainsDatasetsIncludingEmptyOnes) {
  const data::ConcatDataset all({numbered(2), numbered(0, 50), numbered(3, 100)});
  EXPECT_EQ(all.size(), 5);
  EXPECT_EQ(ids(all), (std::vector<int64_t>{0, 1, 100, 101, 102}));
  EXPECT_THROW(all.get(5), Error);
  EXPECT_EQ(data::ConcatDataset({}).size(), 0);
}

TEST(MapDataset, AppliesTheTransformToEachExample) {
  const data::MapDataset doubled(numbered(3), [](Example e) {
    e[0] = e[0] * 2;
    e.push_back(ones({2}));
    return e;
  });
  EXPECT_EQ(ids(doubled), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_EQ(doubled.get(0).size(), 2u);
  EXPECT_THROW(data::MapDataset(numbered(3), nullptr), Error);
}

TEST(DatasetPtr, SharesPointersAndRejectsNull) {
  auto shared = std::make_shared<data::TensorDataset>(numbered(4));
  const data::Subset subset(shared, {3});
  EXPECT_EQ(ids(subset), (std::vector<int64_t>{3}));
  EXPECT_THROW(data::Subset(std::shared_ptr<data::TensorDataset>(), {}), Error);
}

TEST(RandomSplit, PartitionsAPermutationReproducibly) {
  const auto parts = data::random_split(numbered(10), {6, 4}, 7);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].size(), 6);
  EXPECT_EQ(parts[1].size(), 4);
  std::vector<int64_t> all = ids(parts[0]);
  const std::vector<int64_t> second = ids(parts[1]);
  all.insert(all.end(), second.begin(), second.end());
  EXPECT_NE(all, ids(numbered(10)));  // shuffled (a 1 in 10! chance to fail for this fixed seed: it does not)
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, ids(numbered(10)));
  EXPECT_EQ(ids(data::random_split(numbered(10), {6, 4}, 7)[0]), ids(parts[0]));
  EXPECT_NE(ids(data::random_split(numbered(10), {6, 4}, 8)[0]), ids(parts[0]));
}

TEST(RandomSplit, FractionLengthsMatchPyTorch) {
  for (const auto& c : data_golden()["split"]) {
    const auto parts = data::random_split(numbered(c["size"]), c["fractions"].get<std::vector<double>>(), 0);
    std::vector<int64_t> lengths;
    for (const auto& p : parts) lengths.push_back(p.size());
    EXPECT_EQ(lengths, c["lengths"].get<std::vector<int64_t>>()) << c.dump();
  }
}

TEST(RandomSplit, RejectsBadLengths) {
  EXPECT_THROW(data::random_split(numbered(10), {}, 0), Error);
  EXPECT_THROW(data::random_split(numbered(10), {6, 5}, 0), Error);      // sum != size
  EXPECT_THROW(data::random_split(numbered(10), {2.5, 7.5}, 0), Error);  // not integers
  EXPECT_THROW(data::random_split(numbered(10), {-1, 11}, 0), Error);
  EXPECT_THROW(data::random_split(numbered(10), {1.5, -0.5}, 0), Error);
}

}  // namespace
