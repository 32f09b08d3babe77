#include <accel/trainer/batch_loader.h>

#include <algorithm>

#include <accel/tensor/error.h>

namespace accel::trainer {

namespace {
class DataLoaderStream : public BatchStream {
 public:
  explicit DataLoaderStream(std::shared_ptr<data::DataLoader> loader)
      : loader_(std::move(loader)), position_(loader_->begin()) {}
  std::optional<data::Batch> next() override {
    if (position_ == std::default_sentinel) return std::nullopt;
    // The first call yields the batch begin() points at; later ones advance first.
    if (started_) {
      ++position_;
      if (position_ == std::default_sentinel) return std::nullopt;
    }
    started_ = true;
    return std::move(*position_);
  }

 private:
  std::shared_ptr<data::DataLoader> loader_;  // keeps the loader alive while its epoch runs
  data::DataLoader::Iterator position_;
  bool started_ = false;
};

class SliceStream : public BatchStream {
 public:
  SliceStream(std::unique_ptr<BatchStream> source, int64_t remaining)
      : source_(std::move(source)), remaining_(remaining) {}
  std::optional<data::Batch> next() override {
    if (remaining_ == 0) return std::nullopt;
    --remaining_;
    return source_->next();
  }

 private:
  std::unique_ptr<BatchStream> source_;
  int64_t remaining_;
};
}  // namespace

DataLoaderBatches::DataLoaderBatches(std::shared_ptr<data::DataLoader> loader) : loader_(std::move(loader)) {
  ACCEL_CHECK(loader_, "DataLoaderBatches: the data loader is null");
}

std::unique_ptr<BatchStream> DataLoaderBatches::start_epoch() { return std::make_unique<DataLoaderStream>(loader_); }

BatchLoaderSlice::BatchLoaderSlice(std::shared_ptr<BatchLoader> source, int64_t num_batches)
    : source_(std::move(source)), num_batches_(num_batches) {
  ACCEL_CHECK(source_, "BatchLoaderSlice: the source loader is null");
  ACCEL_CHECK(num_batches_ >= 0, "BatchLoaderSlice: num_batches must be >= 0, got ", num_batches_);
}

int64_t BatchLoaderSlice::size() const { return std::min(num_batches_, source_->size()); }

std::unique_ptr<BatchStream> BatchLoaderSlice::start_epoch() {
  return std::make_unique<SliceStream>(source_->start_epoch(), num_batches_);
}

}  // namespace accel::trainer
