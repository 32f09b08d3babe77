#pragma once
// BatchLoader: what the Trainer iterates each epoch. The Trainer's default loaders wrap a
// data::DataLoader; callbacks may replace trainer.train_dataloader / trainer.eval_dataloader with
// any other BatchLoader, e.g. a BatchLoaderSlice that yields only the first n batches (the
// original's DataLoaderSlice, used by LimitBatchesCallback and LimitEvalStepsCallback).
#include <cstdint>
#include <memory>
#include <optional>

#include <accel/data/dataloader.h>

namespace accel::trainer {

// One epoch's batches, pulled one at a time.
class BatchStream {
 public:
  virtual ~BatchStream() = default;
  // The next batch, or nothing at the end of the epoch.
  virtual std::optional<data::Batch> next() = 0;
};

class BatchLoader {
 public:
  virtual ~BatchLoader() = default;
  // Batches per epoch (Python's len(dataloader)).
  virtual int64_t size() const = 0;
  // Starts a new epoch.
  virtual std::unique_ptr<BatchStream> start_epoch() = 0;
};

// The batches of a data::DataLoader (a new, reshuffled epoch per start_epoch()).
class DataLoaderBatches : public BatchLoader {
 public:
  explicit DataLoaderBatches(std::shared_ptr<data::DataLoader> loader);
  int64_t size() const override { return loader_->size(); }
  std::unique_ptr<BatchStream> start_epoch() override;
  data::DataLoader& data_loader() const { return *loader_; }

 private:
  std::shared_ptr<data::DataLoader> loader_;
};

// The first num_batches batches of each epoch of `source`. size() is min(num_batches,
// source->size()) (the original reports num_batches even when the source is shorter).
class BatchLoaderSlice : public BatchLoader {
 public:
  BatchLoaderSlice(std::shared_ptr<BatchLoader> source, int64_t num_batches);
  int64_t size() const override;
  std::unique_ptr<BatchStream> start_epoch() override;
  const std::shared_ptr<BatchLoader>& source() const { return source_; }
  int64_t num_batches() const { return num_batches_; }

 private:
  std::shared_ptr<BatchLoader> source_;
  int64_t num_batches_;
};

}  // namespace accel::trainer
