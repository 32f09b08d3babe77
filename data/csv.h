#pragma once
// A dataset read from a CSV file of numbers: one example per row, {features [F], target} with the
// target taken from one column (or {features} alone).
//
//   data::CSVDataset iris("iris.csv", {.header = true, .target_column = -1, .target_dtype = kInt64});
#include <cstdint>
#include <optional>
#include <string>

#include <accel/data/dataset.h>
#include <accel/tensor/dtype.h>

namespace accel::data {

struct CSVOptions {
  bool header = false;                        // the first line names the columns: skipped
  std::optional<int64_t> target_column = -1;  // negative counts from the end; nullopt: no target
  char delimiter = ',';
  DType dtype = kFloat32;         // of the features
  DType target_dtype = kFloat32;  // kInt64 for class labels (the values must then be integers)
};

// The whole file is parsed at construction. Blank lines are skipped; a cell that is not a number or a
// row with a different number of columns throws accel::Error naming the file, line and column.
class CSVDataset : public Dataset {
 public:
  explicit CSVDataset(const std::string& path, CSVOptions options = {});
  int64_t size() const override { return features_.size(0); }
  Example get(int64_t index) const override;

  const Tensor& features() const { return features_; }  // [N, F]
  const Tensor& targets() const { return targets_; }    // [N]; undefined without a target column

 private:
  Tensor features_;
  Tensor targets_;
};

}  // namespace accel::data
