// DataLoader: batching, size, epochs and shuffling, determinism across num_workers (with random
// transforms), exceptions from workers, early exit, and option errors.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <iterator>
#include <ranges>
#include <thread>

#include <accel/accel.h>
#include <accel/data/data.h>

namespace {

using namespace accel;
using data::Batch;
using data::DataLoader;

static_assert(std::input_iterator<DataLoader::Iterator>);
static_assert(std::sentinel_for<std::default_sentinel_t, DataLoader::Iterator>);
static_assert(std::ranges::input_range<DataLoader>);

// Example i = {float [2] filled with i, int64 label i}.
data::TensorDataset numbered(int64_t n) {
  return data::TensorDataset({arange(n, {.dtype = kFloat32}).unsqueeze(1).expand({n, 2}).contiguous(), arange(n)});
}

// The labels of each batch of one epoch.
std::vector<std::vector<int64_t>> epoch_labels(DataLoader& loader) {
  std::vector<std::vector<int64_t>> out;
  for (const Batch& batch : loader) out.push_back(batch[1].to_vector<int64_t>());
  return out;
}

TEST(DataLoader, DefaultCollateStacksEachField) {
  DataLoader loader(numbered(5), {.batch_size = 2});
  EXPECT_EQ(loader.size(), 3);
  std::vector<Batch> batches;
  for (const Batch& batch : loader) batches.push_back(batch);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_TRUE(equal(batches[0][0], tensor({{0.f, 0.f}, {1.f, 1.f}})));
  EXPECT_TRUE(equal(batches[0][1], tensor({0, 1})));
  EXPECT_TRUE(equal(batches[2][1], tensor({4})));  // the short last batch
  EXPECT_EQ(batches[2][0].sizes(), IntArrayRef({1, 2}));
}

// A TensorDataset gathers a batch with index_select (Dataset::get_batch) when the loader collates by
// default; the batches equal those of the example-by-example path, which an explicit collate_fn takes.
TEST(DataLoader, GatheredBatchesEqualCollatedExamples) {
  const data::TensorDataset dataset({randn({50, 3, 4}), arange(50), randint(0, 255, {50, 2}).to(kUInt8)});
  DataLoader gathered(dataset, {.batch_size = 8, .shuffle = true, .seed = 3});
  DataLoader collated(dataset, {.batch_size = 8, .shuffle = true, .collate_fn = data::default_collate, .seed = 3});
  auto g = gathered.begin();
  for (const Batch& expected : collated) {
    ASSERT_EQ((*g).size(), expected.size());
    for (size_t field = 0; field < expected.size(); ++field) {
      EXPECT_EQ((*g)[field].dtype(), expected[field].dtype());
      EXPECT_TRUE(equal((*g)[field], expected[field])) << "field " << field;
    }
    ++g;
  }
  EXPECT_TRUE(g == gathered.end());
  EXPECT_THROW(dataset.get_batch({1, 50}), Error);
}

TEST(DataLoader, DropLastAndSize) {
  DataLoader dropped(numbered(5), {.batch_size = 2, .drop_last = true});
  EXPECT_EQ(dropped.size(), 2);
  EXPECT_EQ(epoch_labels(dropped), (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}}));
  EXPECT_EQ(DataLoader(numbered(6), {.batch_size = 3, .drop_last = true}).size(), 2);
  DataLoader empty(numbered(0), {.batch_size = 4});
  EXPECT_EQ(empty.size(), 0);
  EXPECT_TRUE(epoch_labels(empty).empty());
  EXPECT_EQ(DataLoader(numbered(3), {.batch_size = 4, .drop_last = true}).size(), 0);
}

TEST(DataLoader, ShuffleIsSeededAndChangesPerEpoch) {
  DataLoader a(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 1});
  DataLoader b(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 1});
  const auto a0 = epoch_labels(a), a1 = epoch_labels(a);
  EXPECT_EQ(a.epochs_started(), 2);
  EXPECT_EQ(epoch_labels(b), a0);
  EXPECT_EQ(epoch_labels(b), a1);
  EXPECT_NE(a0, a1);
  std::vector<int64_t> seen;
  for (const auto& batch : a0) seen.insert(seen.end(), batch.begin(), batch.end());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, arange(40).to_vector<int64_t>());
  DataLoader other_seed(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 2});
  EXPECT_NE(epoch_labels(other_seed), a0);
}

TEST(DataLoader, SetEpochStartsThatEpochsShuffle) {
  DataLoader a(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 1});
  epoch_labels(a);
  epoch_labels(a);
  const auto third = epoch_labels(a);
  DataLoader resumed(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 1});
  resumed.set_epoch(2);
  EXPECT_EQ(epoch_labels(resumed), third);
  EXPECT_EQ(resumed.epochs_started(), 3);
  EXPECT_THROW(resumed.set_epoch(-1), Error);
}

// Random crop + flip on 1x4x4 images: the augmented pixels, not just the order, must not depend on
// the number of workers.
TEST(DataLoader, DeterministicForAnyNumberOfWorkers) {
  const Tensor images = arange(64 * 16, {.dtype = kFloat32}).view({64, 1, 4, 4});
  const data::MapDataset augmented(
      data::TensorDataset({images, arange(64)}),
      data::transforms::on_field(data::transforms::Compose(
          {data::transforms::RandomCrop(4, {.padding = 1}), data::transforms::RandomHorizontalFlip()})));
  std::vector<std::vector<Tensor>> runs;
  for (int64_t workers : {0, 2, 3}) {
    DataLoader loader(augmented, {.batch_size = 5, .shuffle = true, .num_workers = workers, .prefetch_factor = 1, .seed = 9});
    std::vector<Tensor> inputs;
    for (int epoch = 0; epoch < 2; ++epoch)
      for (const Batch& batch : loader) inputs.push_back(batch[0]);
    runs.push_back(inputs);
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    ASSERT_EQ(runs[r].size(), runs[0].size());
    for (size_t i = 0; i < runs[0].size(); ++i) EXPECT_TRUE(equal(runs[r][i], runs[0][i])) << "run " << r << " batch " << i;
  }
  // The augmentation is live: crops differ between the two epochs' copies of the same sample.
  EXPECT_FALSE(equal(runs[0][0], runs[0][13]));
}

// A dataset whose get throws for one index, counting calls.
class Faulty : public data::Dataset {
 public:
  explicit Faulty(int64_t bad) : bad_(bad) {}
  int64_t size() const override { return 20; }
  data::Example get(int64_t index) const override {
    ++calls;
    if (index == bad_) throw Error("faulty example " + std::to_string(index));
    return {tensor(index)};
  }
  mutable std::atomic<int> calls{0};

 private:
  int64_t bad_;
};

TEST(DataLoader, WorkerExceptionIsRethrownOnItsBatch) {
  for (int64_t workers : {0, 2}) {
    auto dataset = std::make_shared<Faulty>(13);
    DataLoader loader(dataset, {.batch_size = 4, .num_workers = workers});
    int64_t delivered = 0;
    try {
      for (const Batch& batch : loader) {
        EXPECT_EQ(batch[0][0].item<int64_t>(), delivered * 4);
        ++delivered;
      }
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "faulty example 13");
    }
    EXPECT_EQ(delivered, 3) << workers << " workers";  // batches 0-2; batch 3 holds index 13
  }
}

TEST(DataLoader, SkippingAFailedBatchWithoutReadingItDoesNotThrow) {
  DataLoader loader(std::make_shared<Faulty>(1), {.batch_size = 2, .num_workers = 2});
  auto it = loader.begin();
  ++it;  // batch 0 (holding the bad index) never dereferenced
  EXPECT_EQ((*it)[0][0].item<int64_t>(), 2);
}

// A slow dataset: leaving the loop after one batch must stop the workers well before they load the rest.
class Slow : public data::Dataset {
 public:
  int64_t size() const override { return 1000; }
  data::Example get(int64_t index) const override {
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {tensor(index)};
  }
  mutable std::atomic<int> calls{0};
};

TEST(DataLoader, EarlyBreakStopsAndJoinsTheWorkers) {
  auto dataset = std::make_shared<Slow>();
  {
    DataLoader loader(dataset, {.batch_size = 10, .num_workers = 3, .prefetch_factor = 2});
    for (const Batch& batch : loader) {
      EXPECT_EQ(batch[0].size(0), 10);
      break;
    }
  }  // returns only after the workers are joined
  const int calls = dataset->calls.load();
  // At most the current batch plus the prefetch window (3 workers x 2) of 10 examples each.
  EXPECT_LE(calls, 10 * (1 + 3 * 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(dataset->calls.load(), calls);  // nothing runs after the loop
}

TEST(DataLoader, CustomSamplerBatchSamplerAndCollate) {
  DataLoader sampled(numbered(10), {.batch_size = 2, .sampler = std::make_shared<data::SubsetRandomSampler>(
                                                          std::vector<int64_t>{9, 8}, 0)});
  const auto labels = epoch_labels(sampled);
  ASSERT_EQ(labels.size(), 1u);
  EXPECT_EQ(std::set<int64_t>(labels[0].begin(), labels[0].end()), (std::set<int64_t>{8, 9}));

  auto batches = std::make_shared<data::BatchSampler>(std::make_shared<data::SequentialSampler>(5), 3);
  DataLoader by_batch(numbered(5), {.batch_sampler = batches});
  EXPECT_EQ(epoch_labels(by_batch), (std::vector<std::vector<int64_t>>{{0, 1, 2}, {3, 4}}));

  DataLoader summed(numbered(4), {.batch_size = 4, .collate_fn = [](std::vector<data::Example> examples) {
                                    Tensor total = zeros({}, {.dtype = kInt64});
                                    for (const auto& e : examples) total = total + e[1];
                                    return Batch{total};
                                  }});
  for (const Batch& batch : summed) EXPECT_EQ(batch[0].item<int64_t>(), 6);
}

TEST(DataLoader, DistributedSamplerSharesTheDataset) {
  auto rank1 = std::make_shared<data::DistributedSampler>(
      7, data::DistributedSamplerOptions{.num_replicas = 2, .rank = 1, .shuffle = false});
  DataLoader loader(numbered(7), {.batch_size = 2, .sampler = rank1});
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epoch_labels(loader), (std::vector<std::vector<int64_t>>{{1, 3}, {5, 0}}));
}

TEST(DataLoader, UnseededFollowsManualSeed) {
  manual_seed(5);
  DataLoader a(numbered(30), {.batch_size = 30, .shuffle = true});
  manual_seed(5);
  DataLoader b(numbered(30), {.batch_size = 30, .shuffle = true});
  EXPECT_EQ(a.seed(), b.seed());
  EXPECT_EQ(epoch_labels(a), epoch_labels(b));
}

TEST(DataLoader, IteratorsAndOptionErrors) {
  DataLoader loader(numbered(2), {.batch_size = 2, .pin_memory = true});
  auto it = loader.begin();
  EXPECT_EQ(it->size(), 2u);
  ++it;
  EXPECT_TRUE(it == loader.end());
  EXPECT_THROW(*it, Error);
  EXPECT_THROW(++it, Error);
  EXPECT_THROW(*DataLoader::Iterator(), Error);
  EXPECT_THROW(DataLoader(numbered(2), {.batch_size = 0}), Error);
  EXPECT_THROW(DataLoader(numbered(2), {.num_workers = -1}), Error);
  EXPECT_THROW(DataLoader(numbered(2), {.prefetch_factor = 0}), Error);
  EXPECT_THROW(DataLoader(numbered(2), {.shuffle = true, .sampler = std::make_shared<data::SequentialSampler>(2)}), Error);
  auto batches = std::make_shared<data::BatchSampler>(std::make_shared<data::SequentialSampler>(2), 1);
  EXPECT_THROW(DataLoader(numbered(2), {.batch_size = 2, .batch_sampler = batches}), Error);
}

TEST(DefaultCollate, CopiesContiguousAndStridedExamplesAlike) {
  const Tensor a = arange(6, {.dtype = kFloat32}).view({2, 3});
  const Tensor b = a + 10;
  EXPECT_TRUE(equal(data::default_collate({{a}, {b}})[0], stack({a, b})));
  EXPECT_TRUE(equal(data::default_collate({{a.t()}, {b.t()}})[0], stack({a.t(), b.t()})));  // strided: stack
  const Tensor w = ones({2}, {.requires_grad = true});
  const Batch batch = data::default_collate({{w}, {w * 2}});
  EXPECT_TRUE(batch[0].requires_grad());  // autograd examples keep their graph
  batch[0].sum().backward();
  EXPECT_TRUE(equal(w.grad(), full({2}, 3.f)));
}

TEST(DefaultCollate, RejectsMismatchedExamples) {
  EXPECT_THROW(data::default_collate({}), Error);
  EXPECT_THROW(data::default_collate({{zeros({2})}, {zeros({3})}}), Error);
  EXPECT_THROW(data::default_collate({{zeros({2})}, {zeros({2}, {.dtype = kFloat64})}}), Error);
  EXPECT_THROW(data::default_collate({{zeros({2})}, {zeros({2}), zeros({2})}}), Error);
  EXPECT_EQ(data::default_collate({{tensor(1)}, {tensor(2)}})[0].sizes(), IntArrayRef({2}));
}

}  // namespace
