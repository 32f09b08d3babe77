#include <accel/data/cifar10.h>

#include <cstring>
#include <filesystem>

#include <accel/data/file_bytes.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::data {
namespace {

constexpr int64_t kImageBytes = 3 * 32 * 32;
constexpr int64_t kRecordBytes = 1 + kImageBytes;

}  // namespace

CIFAR10Records read_cifar10_batch(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const auto size = static_cast<int64_t>(bytes.size());
  ACCEL_CHECK(size % kRecordBytes == 0, path, ": ", size, " bytes is not a whole number of ", kRecordBytes,
              "-byte CIFAR-10 records (truncated?)");
  const int64_t n = size / kRecordBytes;
  CIFAR10Records records{empty({n, 3, 32, 32}, {.dtype = kUInt8}), empty({n}, {.dtype = kInt64})};
  auto* images = records.images.data_ptr<uint8_t>();
  auto* labels = records.labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* record = bytes.data() + i * kRecordBytes;
    ACCEL_CHECK(record[0] <= 9, path, ": record ", i, " has label ", int{record[0]}, ", expected 0..9");
    labels[i] = record[0];
    std::memcpy(images + i * kImageBytes, record + 1, kImageBytes);
  }
  return records;
}

CIFAR10::CIFAR10(const std::string& root, bool train, DType dtype) {
  ACCEL_CHECK(dtype == kUInt8 || is_floating_point(dtype), "CIFAR10: image dtype must be uint8 or floating, got ",
              name(dtype));
  std::vector<std::string> files;
  if (train) {
    for (int i = 1; i <= 5; ++i) files.push_back("data_batch_" + std::to_string(i) + ".bin");
  } else {
    files.push_back("test_batch.bin");
  }
  std::vector<Tensor> images, labels;
  for (const std::string& file : files) {
    const std::filesystem::path path = std::filesystem::path(root) / file;
    ACCEL_CHECK(std::filesystem::exists(path), "CIFAR10: ", path.string(), " not found");
    CIFAR10Records records = read_cifar10_batch(path.string());
    images.push_back(std::move(records.images));
    labels.push_back(std::move(records.labels));
  }
  images_ = images.size() == 1 ? images[0] : cat(images);
  labels_ = labels.size() == 1 ? labels[0] : cat(labels);
  if (dtype != kUInt8) images_ = images_.to(dtype).div(255);
}

Example CIFAR10::get(int64_t index) const {
  check_index("CIFAR10", index, size());
  return {images_.select(0, index), labels_.select(0, index)};
}

}  // namespace accel::data
