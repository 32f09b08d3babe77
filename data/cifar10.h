#pragma once
// CIFAR-10 in its binary version (cifar-10-binary.tar.gz, extracted): data_batch_1.bin ...
// data_batch_5.bin and test_batch.bin, each a sequence of records of 1 label byte + 3072 image
// bytes (3 channels of 32x32, row-major, red first).
#include <string>
#include <vector>

#include <accel/data/dataset.h>
#include <accel/tensor/dtype.h>

namespace accel::data {

// The records of one CIFAR-10 binary file (raw or gzip): images uint8 [N, 3, 32, 32], labels int64 [N].
// A size that is not a whole number of records, or a label above 9, throws accel::Error naming the file.
struct CIFAR10Records {
  Tensor images;
  Tensor labels;
};
CIFAR10Records read_cifar10_batch(const std::string& path);

// CIFAR-10 from `root` (the folder holding the .bin files, e.g. cifar-10-batches-bin). Images are
// [3, 32, 32]: uint8 as stored, or for a floating `dtype` scaled to [0, 1]; labels are int64 scalars.
class CIFAR10 : public Dataset {
 public:
  explicit CIFAR10(const std::string& root, bool train = true, DType dtype = kUInt8);
  int64_t size() const override { return labels_.size(0); }
  Example get(int64_t index) const override;

  const Tensor& images() const { return images_; }  // [N, 3, 32, 32]
  const Tensor& labels() const { return labels_; }  // [N] int64

  static constexpr const char* kClasses[10] = {"airplane", "automobile", "bird",  "cat",  "deer",
                                               "dog",      "frog",       "horse", "ship", "truck"};

 private:
  Tensor images_;
  Tensor labels_;
};

}  // namespace accel::data
