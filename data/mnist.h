#pragma once
// The IDX format of MNIST and Fashion-MNIST, and the two datasets.
//
//   data::FashionMNIST train(data::FashionMNIST::kDebianRoot, /*train=*/true, kFloat32);
//   train.get(0)  // {image [1, 28, 28] float32 in [0, 1], label int64 scalar}
#include <string>

#include <accel/data/dataset.h>
#include <accel/tensor/dtype.h>

namespace accel::data {

// Reads an IDX file (raw or gzip): a tensor of its shape and element type (ubyte -> uint8, byte and
// short -> int32, int -> int32, float -> float32, double -> float64). A wrong magic number, unknown
// type, or dimensions that disagree with the file's size throw accel::Error naming the file.
Tensor read_idx(const std::string& path);

// MNIST from `root`, holding {train,t10k}-images-idx3-ubyte and {train,t10k}-labels-idx1-ubyte, each
// raw or with a .gz suffix. Images are [1, 28, 28]: uint8 as stored, or for a floating `dtype` scaled
// to [0, 1] (as torchvision's ToTensor); labels are int64 scalars. Everything is read at construction.
class MNIST : public Dataset {
 public:
  explicit MNIST(const std::string& root, bool train = true, DType dtype = kUInt8);
  int64_t size() const override { return labels_.size(0); }
  Example get(int64_t index) const override;
  std::optional<Batch> get_batch(const std::vector<int64_t>& indices) const override;

  // [N, 1, 28, 28] in the dataset's dtype (for a floating one, a conversion of every image).
  Tensor images() const { return scaled(pixels_); }
  const Tensor& labels() const { return labels_; }  // [N] int64

 protected:
  MNIST(const char* name, const std::string& root, bool train, DType dtype);

 private:
  // Pixels in the dataset's dtype: as they are for uint8, else divided by 255.
  Tensor scaled(const Tensor& pixels) const;

  // The images stay uint8 in memory and each batch is converted when it is taken: a random batch
  // then pulls a quarter of the bytes from DRAM (for 32 images, 6 us instead of 15).
  Tensor pixels_;  // uint8 [N, 1, 28, 28]
  Tensor labels_;
  DType dtype_;
};

// Fashion-MNIST: the same files and format, ten classes of clothing.
class FashionMNIST : public MNIST {
 public:
  // Where Debian's dataset-fashion-mnist package installs the files.
  static constexpr const char* kDebianRoot = "/usr/share/datasets/fashion-mnist";
  explicit FashionMNIST(const std::string& root = kDebianRoot, bool train = true, DType dtype = kUInt8);
  static constexpr const char* kClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                               "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
};

}  // namespace accel::data
