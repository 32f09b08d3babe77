#pragma once
// data::DataLoader: batches of a dataset in the order of a sampler, as torch.utils.data.DataLoader.
//
//   data::DataLoader loader(train, {.batch_size = 32, .shuffle = true, .num_workers = 2, .seed = 0});
//   for (int epoch = 0; epoch < 8; ++epoch)
//     for (const data::Batch& batch : loader)   // a new epoch, reshuffled, per range-for
//       step(batch[0], batch[1]);
//
// With num_workers > 0, worker threads fetch and collate batches ahead of the consumer (at most
// num_workers * prefetch_factor beyond the current one) and the batches still arrive in sampler order.
// Everything random (the shuffle and, through data::sample_generator(), random transforms) is a
// function of (seed, epoch, batch, position), so an epoch's batches are the same for any num_workers.
// An exception thrown while loading a batch is rethrown by operator* of that batch. Leaving the loop
// early stops the workers (after the batches they are loading) and joins them.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include <accel/data/dataset.h>
#include <accel/data/samplers.h>

namespace accel::data {

using CollateFn = std::function<Batch(std::vector<Example>)>;

// Stacks field f of every example into batch[f] (a new dim 0). The examples must have the same number
// of fields, and each field the same shape and dtype across examples.
Batch default_collate(std::vector<Example> examples);

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;    // a RandomSampler seeded with `seed`, reshuffled every epoch
  bool drop_last = false;  // drop the last batch when it is smaller than batch_size
  std::shared_ptr<Sampler> sampler = nullptr;  // instead of shuffle
  // Yields whole batches; excludes batch_size (other than 1), shuffle, sampler and drop_last.
  std::shared_ptr<BatchSampler> batch_sampler = nullptr;
  CollateFn collate_fn = nullptr;  // default: default_collate, or Dataset::get_batch where a dataset has it
  int64_t num_workers = 0;  // 0: batches are loaded on the consumer's thread when dereferenced
  int64_t prefetch_factor = 2;  // batches in flight per worker
  // Accepted for PyTorch compatibility and ignored: accel has no page-locked host allocator yet, so
  // batches stay in ordinary CPU memory (copies to a GPU are synchronous either way).
  bool pin_memory = false;
  // Unset: drawn from accel's default generator (accel::manual_seed) when the loader is made.
  std::optional<uint64_t> seed = std::nullopt;
};

namespace detail {
class EpochRun;
}

class DataLoader {
 public:
  class Iterator;

  explicit DataLoader(DatasetPtr dataset, DataLoaderOptions options = {});

  // The number of batches per epoch.
  int64_t size() const { return batch_sampler_->size(); }
  // Starts the next epoch (0, 1, ...): each call reshuffles, from seed and the epoch number.
  Iterator begin();
  std::default_sentinel_t end() const { return {}; }

  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  uint64_t seed() const { return seed_; }
  // Epochs started so far (calls of begin()).
  int64_t epochs_started() const { return epochs_started_; }
  // Makes the next begin() start epoch `epoch` (0-based), with that epoch's shuffle: a resumed
  // run then sees the batches the uninterrupted run would have.
  void set_epoch(int64_t epoch);

 private:
  DatasetPtr dataset_;
  DataLoaderOptions options_;
  uint64_t seed_;
  std::shared_ptr<BatchSampler> batch_sampler_;
  int64_t epochs_started_ = 0;
};

// An input iterator over one epoch; copies share the epoch's position and workers.
class DataLoader::Iterator {
 public:
  using value_type = Batch;
  using difference_type = std::ptrdiff_t;
  using iterator_concept = std::input_iterator_tag;

  Iterator() = default;
  // The current batch: waits for it, or rethrows the exception raised while loading it.
  Batch& operator*() const;
  Batch* operator->() const { return &**this; }
  Iterator& operator++();
  void operator++(int) { ++*this; }
  friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.at_end(); }

 private:
  friend class DataLoader;
  explicit Iterator(std::shared_ptr<detail::EpochRun> run) : run_(std::move(run)) {}
  bool at_end() const;
  std::shared_ptr<detail::EpochRun> run_;
};

}  // namespace accel::data
