#pragma once
// data::Dataset: a map-style dataset (PyTorch's torch.utils.data.Dataset) whose examples are small
// vectors of tensors, and the datasets built from tensors or from other datasets.
//
//   data::TensorDataset train({images, labels});      // example i = {images[i], labels[i]}
//   auto [fit, val] = data::random_split(train, {0.9, 0.1}, /*seed=*/0) ...
//
// get() is const and may be called from several DataLoader workers at once: implementations must
// be safe to call concurrently (the ones here only read).
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <accel/tensor/tensor.h>

namespace accel::data {

// One example: by convention example[0] is the input and example[1] the target.
using Example = std::vector<Tensor>;
// A collated batch: each example field stacked along a new dim 0 (batch[0] inputs, batch[1] targets).
using Batch = std::vector<Tensor>;

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Example `index` in [0, size()); out of range throws accel::Error.
  virtual Example get(int64_t index) const = 0;
  // The examples at `indices` already collated, equal to default_collate of their get(), for a
  // dataset that can gather a batch in one go (an index_select per field instead of a get() and a
  // copy per example); nullopt otherwise. The DataLoader asks for it when it collates by default.
  virtual std::optional<Batch> get_batch(const std::vector<int64_t>& indices) const;
};

// Throws unless 0 <= index < size, naming `who`.
void check_index(const char* who, int64_t index, int64_t size);

// The rows `indices` of each of `tensors` (which all have `size` rows), as a batch: get_batch for
// datasets whose examples are rows of tensors.
Batch gather_rows(const char* who, const std::vector<Tensor>& tensors, int64_t size,
                  const std::vector<int64_t>& indices);

// Shared ownership of a dataset. Composite datasets and the DataLoader hold their sources through
// it, so they accept a std::shared_ptr or a dataset value (moved or copied into shared storage; the
// datasets here hold tensor handles, so copies are cheap).
class DatasetPtr {
 public:
  template <std::derived_from<Dataset> D>
  DatasetPtr(std::shared_ptr<D> dataset) : ptr_(std::move(dataset)) {  // NOLINT(google-explicit-constructor)
    check_not_null();
  }
  template <typename D>
    requires std::derived_from<std::remove_cvref_t<D>, Dataset> && (!std::is_abstract_v<std::remove_cvref_t<D>>)
  DatasetPtr(D&& dataset)  // NOLINT(google-explicit-constructor)
      : ptr_(std::make_shared<std::remove_cvref_t<D>>(std::forward<D>(dataset))) {}

  const Dataset& operator*() const { return *ptr_; }
  const Dataset* operator->() const { return ptr_.get(); }
  const std::shared_ptr<const Dataset>& shared() const { return ptr_; }

 private:
  void check_not_null() const;
  std::shared_ptr<const Dataset> ptr_;
};

// Example i is {tensors[0][i], tensors[1][i], ...} (views into the tensors, dim 0 indexed).
class TensorDataset : public Dataset {
 public:
  explicit TensorDataset(std::vector<Tensor> tensors);
  int64_t size() const override { return size_; }
  Example get(int64_t index) const override;
  std::optional<Batch> get_batch(const std::vector<int64_t>& indices) const override;
  const std::vector<Tensor>& tensors() const { return tensors_; }

 private:
  std::vector<Tensor> tensors_;
  int64_t size_;
};

// The examples of `dataset` at `indices`, in that order.
class Subset : public Dataset {
 public:
  Subset(DatasetPtr dataset, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  Example get(int64_t index) const override;
  const std::vector<int64_t>& indices() const { return indices_; }

 private:
  DatasetPtr dataset_;
  std::vector<int64_t> indices_;
};

// The datasets one after another.
class ConcatDataset : public Dataset {
 public:
  explicit ConcatDataset(std::vector<DatasetPtr> datasets);
  int64_t size() const override { return ends_.empty() ? 0 : ends_.back(); }
  Example get(int64_t index) const override;

 private:
  std::vector<DatasetPtr> datasets_;
  std::vector<int64_t> ends_;  // cumulative sizes
};

using ExampleTransform = std::function<Example(Example)>;

// get(i) = transform(dataset.get(i)). The transform runs in the DataLoader's worker threads: it must
// be safe to call concurrently, and random ones draw from data::sample_generator() (sample_random.h)
// so that results do not depend on the number of workers.
class MapDataset : public Dataset {
 public:
  MapDataset(DatasetPtr dataset, ExampleTransform transform);
  int64_t size() const override { return dataset_->size(); }
  Example get(int64_t index) const override;

 private:
  DatasetPtr dataset_;
  ExampleTransform transform_;
};

// Splits a random permutation of the dataset into consecutive subsets, as torch.utils.data.random_split.
// `lengths` are either subset sizes summing to dataset.size(), or fractions summing to 1: each subset
// then gets floor(fraction * size) examples and the remainder is dealt one by one from the first.
// The permutation comes from accel's generator seeded with `seed`, so it differs from PyTorch's.
std::vector<Subset> random_split(DatasetPtr dataset, const std::vector<double>& lengths, uint64_t seed);

}  // namespace accel::data
