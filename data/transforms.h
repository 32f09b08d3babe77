#pragma once
// Image transforms, as torchvision.transforms, on tensors of shape [..., C, H, W] (RandomCrop and
// RandomHorizontalFlip accept [..., H, W]). Random ones draw from data::sample_generator(), which the
// DataLoader seeds per example: an epoch's augmentations are reproducible and independent of the
// number of workers (they differ from torchvision's, whose generator differs).
//
//   data::MapDataset train(data::FashionMNIST(root, true),
//                          transforms::on_field(transforms::Compose({transforms::ToFloat(),
//                                                                    transforms::RandomCrop(28, {.padding = 4}),
//                                                                    transforms::RandomHorizontalFlip(),
//                                                                    transforms::Normalize({0.286}, {0.353})})));
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <accel/data/dataset.h>
#include <accel/tensor/tensor.h>

namespace accel::data::transforms {

using Transform = std::function<Tensor(const Tensor&)>;

// Applies `transform` to field `field` of each example (field 0: the input), for MapDataset.
ExampleTransform on_field(Transform transform, size_t field = 0);

// The transforms in order.
class Compose {
 public:
  explicit Compose(std::vector<Transform> transforms);
  Tensor operator()(const Tensor& x) const;

 private:
  std::vector<Transform> transforms_;
};

// uint8 images to float32 in [0, 1] (x / 255), as ToTensor's scaling; floating tensors pass unchanged.
struct ToFloat {
  Tensor operator()(const Tensor& x) const;
};

// (x[c] - mean[c]) / std[c] for each channel c of a floating [..., C, H, W] tensor; one mean and one
// std apply to every channel.
class Normalize {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  Tensor operator()(const Tensor& x) const;

 private:
  std::vector<double> mean_, std_;
};

struct RandomCropOptions {
  int64_t padding = 0;  // added on every side before cropping
  double fill = 0;      // value of the padding
  bool pad_if_needed = false;  // pad an image smaller than the crop up to the crop size
};

// A crop of `size` (height, width) at a uniformly random position of the padded image.
class RandomCrop {
 public:
  RandomCrop(int64_t size, RandomCropOptions options = {}) : RandomCrop({size, size}, options) {}
  RandomCrop(std::array<int64_t, 2> size, RandomCropOptions options = {});
  Tensor operator()(const Tensor& x) const;

 private:
  std::array<int64_t, 2> size_;
  RandomCropOptions options_;
};

// Mirrors the last dim with probability p.
class RandomHorizontalFlip {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  Tensor operator()(const Tensor& x) const;

 private:
  double p_;
};

}  // namespace accel::data::transforms
