#include <accel/data/dataset.h>

#include <algorithm>
#include <cmath>

#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>

namespace accel::data {

void check_index(const char* who, int64_t index, int64_t size) {
  ACCEL_CHECK(index >= 0 && index < size, who, ": index ", index, " is out of range for a dataset of size ", size);
}

void DatasetPtr::check_not_null() const { ACCEL_CHECK(ptr_ != nullptr, "data: null dataset pointer"); }

TensorDataset::TensorDataset(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
  ACCEL_CHECK(!tensors_.empty(), "TensorDataset: expected at least one tensor");
  for (size_t i = 0; i < tensors_.size(); ++i) {
    ACCEL_CHECK(tensors_[i].defined() && tensors_[i].dim() >= 1, "TensorDataset: tensor ", i,
                " must be defined with at least one dimension");
    ACCEL_CHECK(tensors_[i].size(0) == tensors_[0].size(0), "TensorDataset: size mismatch in dim 0: tensor 0 has ",
                tensors_[0].size(0), " rows, tensor ", i, " has ", tensors_[i].size(0));
  }
  size_ = tensors_[0].size(0);
}

std::optional<Batch> Dataset::get_batch(const std::vector<int64_t>&) const { return std::nullopt; }

Batch gather_rows(const char* who, const std::vector<Tensor>& tensors, int64_t size,
                  const std::vector<int64_t>& indices) {
  for (int64_t i : indices) check_index(who, i, size);
  const Tensor rows = tensor(indices);
  Batch batch;
  batch.reserve(tensors.size());
  for (const Tensor& t : tensors) batch.push_back(t.index_select(0, rows));
  return batch;
}

std::optional<Batch> TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  return gather_rows("TensorDataset", tensors_, size_, indices);
}

Example TensorDataset::get(int64_t index) const {
  check_index("TensorDataset", index, size_);
  Example example;
  example.reserve(tensors_.size());
  for (const Tensor& t : tensors_) example.push_back(t.select(0, index));
  return example;
}

Subset::Subset(DatasetPtr dataset, std::vector<int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  const int64_t n = dataset_->size();
  for (int64_t i : indices_) check_index("Subset", i, n);
}

Example Subset::get(int64_t index) const {
  check_index("Subset", index, size());
  return dataset_->get(indices_[index]);
}

ConcatDataset::ConcatDataset(std::vector<DatasetPtr> datasets) : datasets_(std::move(datasets)) {
  int64_t end = 0;
  for (const DatasetPtr& d : datasets_) ends_.push_back(end += d->size());
}

Example ConcatDataset::get(int64_t index) const {
  check_index("ConcatDataset", index, size());
  const size_t which = std::upper_bound(ends_.begin(), ends_.end(), index) - ends_.begin();
  const int64_t start = which == 0 ? 0 : ends_[which - 1];
  return datasets_[which]->get(index - start);
}

MapDataset::MapDataset(DatasetPtr dataset, ExampleTransform transform)
    : dataset_(std::move(dataset)), transform_(std::move(transform)) {
  ACCEL_CHECK(static_cast<bool>(transform_), "MapDataset: empty transform");
}

Example MapDataset::get(int64_t index) const { return transform_(dataset_->get(index)); }

namespace {

// The subset sizes of random_split, as PyTorch derives them.
std::vector<int64_t> split_lengths(const std::vector<double>& lengths, int64_t n) {
  double total = 0;
  for (double l : lengths) total += l;
  std::vector<int64_t> sizes;
  const bool fractions = std::abs(total - 1.0) <= 1e-9 && total <= 1.0;
  if (fractions) {
    for (size_t i = 0; i < lengths.size(); ++i) {
      ACCEL_CHECK(lengths[i] >= 0 && lengths[i] <= 1, "random_split: fraction at index ", i, " is ", lengths[i],
                  ", expected a value in [0, 1]");
      sizes.push_back(static_cast<int64_t>(std::floor(n * lengths[i])));
    }
    int64_t assigned = 0;
    for (int64_t s : sizes) assigned += s;
    for (int64_t i = 0; i < n - assigned; ++i) ++sizes[i % sizes.size()];
    return sizes;
  }
  int64_t sum = 0;
  for (size_t i = 0; i < lengths.size(); ++i) {
    ACCEL_CHECK(lengths[i] >= 0 && lengths[i] == std::floor(lengths[i]), "random_split: length at index ", i, " is ",
                lengths[i], ", expected a non-negative integer (or fractions summing to 1)");
    sizes.push_back(static_cast<int64_t>(lengths[i]));
    sum += sizes.back();
  }
  ACCEL_CHECK(sum == n, "random_split: the lengths sum to ", sum, " but the dataset has ", n, " examples");
  return sizes;
}

}  // namespace

std::vector<Subset> random_split(DatasetPtr dataset, const std::vector<double>& lengths, uint64_t seed) {
  ACCEL_CHECK(!lengths.empty(), "random_split: expected at least one length");
  const int64_t n = dataset->size();
  const std::vector<int64_t> sizes = split_lengths(lengths, n);
  Generator generator(seed);
  const std::vector<int64_t> order = randperm(n, {}, &generator).to_vector<int64_t>();
  std::vector<Subset> subsets;
  auto begin = order.begin();
  for (int64_t s : sizes) {
    subsets.emplace_back(dataset, std::vector<int64_t>(begin, begin + s));
    begin += s;
  }
  return subsets;
}

}  // namespace accel::data
