#include <accel/data/dataloader.h>

#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include <accel/data/sample_random.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::data {
namespace {

// stack(column) along a new dim 0. Contiguous CPU tensors outside autograd are copied straight into
// the batch: stack's general path costs several times more for the small examples of a dataset.
Tensor stack_examples(const std::vector<Tensor>& column) {
  const Tensor& first = column[0];
  for (const Tensor& t : column)
    if (!t.is_cpu() || !t.is_contiguous() || t.requires_grad()) return stack(column);
  DimVector sizes{static_cast<int64_t>(column.size())};
  for (int64_t s : first.sizes()) sizes.push_back(s);
  Tensor batch = empty(sizes, first.options());
  const auto bytes = static_cast<size_t>(first.nbytes());
  auto* out = static_cast<char*>(batch.data_ptr());
  for (const Tensor& t : column) {
    std::memcpy(out, t.data_ptr(), bytes);
    out += bytes;
  }
  return batch;
}

}  // namespace

Batch default_collate(std::vector<Example> examples) {
  ACCEL_CHECK(!examples.empty(), "default_collate: no examples");
  const Example& first = examples[0];
  Batch batch;
  for (size_t field = 0; field < first.size(); ++field) {
    std::vector<Tensor> column;
    column.reserve(examples.size());
    for (size_t i = 0; i < examples.size(); ++i) {
      const Example& example = examples[i];
      ACCEL_CHECK(example.size() == first.size(), "default_collate: example ", i, " has ", example.size(),
                  " fields, example 0 has ", first.size());
      const Tensor& t = example[field];
      ACCEL_CHECK(t.defined() && first[field].defined(), "default_collate: field ", field, " of example ", i,
                  " or 0 is undefined");
      ACCEL_CHECK(t.sizes() == first[field].sizes() && t.dtype() == first[field].dtype(), "default_collate: field ",
                  field, " of example ", i, " is ", t.dtype(), " ", t.sizes(), ", of example 0 ", first[field].dtype(),
                  " ", first[field].sizes());
      column.push_back(t);
    }
    batch.push_back(stack_examples(column));
  }
  return batch;
}

namespace detail {

// One epoch: its batches of indices and, with workers, the threads loading them ahead.
class EpochRun {
 public:
  EpochRun(DatasetPtr dataset, CollateFn collate, std::vector<std::vector<int64_t>> batches, uint64_t seed,
           int64_t epoch, int64_t num_workers, int64_t prefetch_factor)
      : dataset_(std::move(dataset)),
        collate_(std::move(collate)),
        batches_(std::move(batches)),
        seed_(seed),
        epoch_(epoch),
        window_(num_workers * prefetch_factor),
        slots_(num_workers > 0 ? batches_.size() : 0) {
    for (int64_t w = 0; w < num_workers; ++w) workers_.emplace_back([this] { work(); });
  }

  ~EpochRun() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_available_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  EpochRun(const EpochRun&) = delete;
  EpochRun& operator=(const EpochRun&) = delete;

  bool at_end() const { return position_ >= batches_.size(); }

  Batch& current() {
    ACCEL_CHECK(!at_end(), "DataLoader: dereferencing the end of an epoch");
    if (!current_) current_ = workers_.empty() ? load(position_) : take(position_);
    return *current_;
  }

  void advance() {
    ACCEL_CHECK(!at_end(), "DataLoader: incrementing past the end of an epoch");
    if (!workers_.empty() && !current_) wait_for(position_);  // a skipped batch frees its slot, errors unraised
    current_.reset();
    {
      std::lock_guard lock(mutex_);
      ++position_;
    }
    work_available_.notify_all();
  }

 private:
  struct Slot {
    bool ready = false;
    std::optional<Batch> batch;
    std::exception_ptr error;
  };

  Batch load(size_t b) const {
    if (!collate_) {  // the default collation, which a dataset may do in one go
      if (std::optional<Batch> batch = dataset_->get_batch(batches_[b])) return std::move(*batch);
    }
    std::vector<Example> examples;
    examples.reserve(batches_[b].size());
    for (size_t j = 0; j < batches_[b].size(); ++j) {
      const SampleGeneratorScope random(mix_seed(seed_, static_cast<uint64_t>(epoch_), b, j));
      examples.push_back(dataset_->get(batches_[b][j]));
    }
    return collate_ ? collate_(std::move(examples)) : default_collate(std::move(examples));
  }

  // Waits for batch b from the workers and takes it out of its slot (its error stays).
  Slot wait_for(size_t b) {
    std::unique_lock lock(mutex_);
    batch_ready_.wait(lock, [&] { return slots_[b].ready; });
    Slot slot = std::move(slots_[b]);
    slots_[b] = Slot{.ready = true, .batch = std::nullopt, .error = slot.error};
    return slot;
  }

  // Batch b from the workers; rethrows what loading it threw.
  Batch take(size_t b) {
    Slot slot = wait_for(b);
    if (slot.error) std::rethrow_exception(slot.error);
    return std::move(*slot.batch);
  }

  void work() {
    for (;;) {
      size_t b;
      {
        std::unique_lock lock(mutex_);
        work_available_.wait(lock, [&] {
          return stopping_ || next_claim_ >= batches_.size() || next_claim_ < position_ + 1 + window_;
        });
        if (stopping_ || next_claim_ >= batches_.size()) return;
        b = next_claim_++;
      }
      Slot slot{.ready = true, .batch = std::nullopt, .error = nullptr};
      try {
        slot.batch = load(b);
      } catch (...) {
        slot.error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        slots_[b] = std::move(slot);
      }
      batch_ready_.notify_all();
    }
  }

  const DatasetPtr dataset_;
  const CollateFn collate_;  // null: default_collate
  const std::vector<std::vector<int64_t>> batches_;
  const uint64_t seed_;
  const int64_t epoch_;
  const size_t window_;  // batches loaded or loading beyond the current one

  std::optional<Batch> current_;
  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable batch_ready_;
  std::vector<Slot> slots_;  // by batch; guarded by mutex_
  size_t position_ = 0;      // the consumer's batch; written under mutex_
  size_t next_claim_ = 0;    // the next batch a worker takes
  bool stopping_ = false;
  std::vector<std::thread> workers_;  // last: started after everything they use exists
};

}  // namespace detail

DataLoader::DataLoader(DatasetPtr dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  ACCEL_CHECK(options_.batch_size >= 1, "DataLoader: batch_size must be at least 1, got ", options_.batch_size);
  ACCEL_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be non-negative, got ", options_.num_workers);
  ACCEL_CHECK(options_.prefetch_factor >= 1, "DataLoader: prefetch_factor must be at least 1, got ",
              options_.prefetch_factor);
  ACCEL_CHECK(!(options_.sampler && options_.shuffle), "DataLoader: sampler is mutually exclusive with shuffle");
  seed_ = options_.seed ? *options_.seed : default_generator().draw(1).bits64(0);
  if (options_.batch_sampler) {
    ACCEL_CHECK(options_.batch_size == 1 && !options_.shuffle && !options_.sampler && !options_.drop_last,
                "DataLoader: batch_sampler is mutually exclusive with batch_size, shuffle, sampler and drop_last");
    batch_sampler_ = options_.batch_sampler;
    return;
  }
  std::shared_ptr<Sampler> sampler = options_.sampler;
  if (!sampler && options_.shuffle) sampler = std::make_shared<RandomSampler>(dataset_->size(), RandomSamplerOptions{.seed = seed_});
  if (!sampler) sampler = std::make_shared<SequentialSampler>(dataset_->size());
  batch_sampler_ = std::make_shared<BatchSampler>(std::move(sampler), options_.batch_size, options_.drop_last);
}

void DataLoader::set_epoch(int64_t epoch) {
  ACCEL_CHECK(epoch >= 0, "DataLoader::set_epoch: the epoch must be non-negative, got ", epoch);
  epochs_started_ = epoch;
}

DataLoader::Iterator DataLoader::begin() {
  const int64_t epoch = epochs_started_++;
  return Iterator(std::make_shared<detail::EpochRun>(dataset_, options_.collate_fn, batch_sampler_->batches(epoch),
                                                     seed_, epoch, options_.num_workers, options_.prefetch_factor));
}

Batch& DataLoader::Iterator::operator*() const {
  ACCEL_CHECK(run_ != nullptr, "DataLoader::Iterator: not an iterator of a loader");
  return run_->current();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ACCEL_CHECK(run_ != nullptr, "DataLoader::Iterator: not an iterator of a loader");
  run_->advance();
  return *this;
}

bool DataLoader::Iterator::at_end() const { return !run_ || run_->at_end(); }

}  // namespace accel::data
