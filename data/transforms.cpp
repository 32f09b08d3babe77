#include <accel/data/transforms.h>

#include <algorithm>

#include <accel/data/sample_random.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::data::transforms {
namespace {

// Uniform integer in [0, n) from one draw of the example's generator.
int64_t random_below(int64_t n, const PhiloxDraw& draw, int64_t i) {
  return std::min(n - 1, static_cast<int64_t>(draw.uniform(i) * static_cast<double>(n)));
}

}  // namespace

ExampleTransform on_field(Transform transform, size_t field) {
  ACCEL_CHECK(static_cast<bool>(transform), "transforms::on_field: empty transform");
  return [transform = std::move(transform), field](Example example) {
    ACCEL_CHECK(field < example.size(), "transforms::on_field: field ", field, " of an example with ", example.size(),
                " fields");
    example[field] = transform(example[field]);
    return example;
  };
}

Compose::Compose(std::vector<Transform> transforms) : transforms_(std::move(transforms)) {
  for (size_t i = 0; i < transforms_.size(); ++i)
    ACCEL_CHECK(static_cast<bool>(transforms_[i]), "transforms::Compose: transform ", i, " is empty");
}

Tensor Compose::operator()(const Tensor& x) const {
  Tensor y = x;
  for (const Transform& t : transforms_) y = t(y);
  return y;
}

Tensor ToFloat::operator()(const Tensor& x) const {
  if (x.is_floating_point()) return x;
  ACCEL_CHECK(x.dtype() == kUInt8, "transforms::ToFloat: expected a uint8 or floating tensor, got ", name(x.dtype()));
  return x.to(kFloat32).div(255);
}

Normalize::Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {
  ACCEL_CHECK(!mean_.empty() && mean_.size() == std_.size(), "transforms::Normalize: ", mean_.size(), " means and ",
              std_.size(), " stds, expected the same positive number");
  for (double s : std_) ACCEL_CHECK(s != 0, "transforms::Normalize: std of 0 divides by zero");
}

Tensor Normalize::operator()(const Tensor& x) const {
  ACCEL_CHECK(x.is_floating_point(), "transforms::Normalize: expected a floating tensor, got ", name(x.dtype()),
              " (apply ToFloat first)");
  ACCEL_CHECK(x.dim() >= 3, "transforms::Normalize: expected a [..., C, H, W] tensor, got shape ", x.sizes());
  const int64_t channels = x.size(-3);
  const auto n = static_cast<int64_t>(mean_.size());
  ACCEL_CHECK(n == 1 || n == channels, "transforms::Normalize: ", n, " means for an image with ", channels,
              " channels");
  const auto options = TensorOptions{.dtype = x.dtype(), .device = x.device()};
  const Tensor mean = tensor(mean_, options).view({n, 1, 1});
  const Tensor std = tensor(std_, options).view({n, 1, 1});
  return x.sub(mean).div(std);
}

RandomCrop::RandomCrop(std::array<int64_t, 2> size, RandomCropOptions options) : size_(size), options_(options) {
  ACCEL_CHECK(size_[0] > 0 && size_[1] > 0, "transforms::RandomCrop: size must be positive, got ", size_[0], "x",
              size_[1]);
  ACCEL_CHECK(options_.padding >= 0, "transforms::RandomCrop: negative padding ", options_.padding);
}

Tensor RandomCrop::operator()(const Tensor& x) const {
  ACCEL_CHECK(x.dim() >= 2, "transforms::RandomCrop: expected a [..., H, W] tensor, got shape ", x.sizes());
  Tensor image = options_.padding > 0 ? pad(x, {options_.padding, options_.padding, options_.padding, options_.padding},
                                            options_.fill)
                                      : x;
  if (options_.pad_if_needed) {
    const int64_t extra_h = std::max<int64_t>(0, size_[0] - image.size(-2));
    const int64_t extra_w = std::max<int64_t>(0, size_[1] - image.size(-1));
    if (extra_h > 0 || extra_w > 0) image = pad(image, {extra_w, extra_w, extra_h, extra_h}, options_.fill);
  }
  const int64_t h = image.size(-2), w = image.size(-1);
  ACCEL_CHECK(h >= size_[0] && w >= size_[1], "transforms::RandomCrop: crop ", size_[0], "x", size_[1],
              " is larger than the padded image ", h, "x", w);
  const PhiloxDraw draw = sample_generator().draw(2);
  const int64_t top = random_below(h - size_[0] + 1, draw, 0);
  const int64_t left = random_below(w - size_[1] + 1, draw, 1);
  return image.narrow(-2, top, size_[0]).narrow(-1, left, size_[1]).contiguous();
}

RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) {
  ACCEL_CHECK(p >= 0 && p <= 1, "transforms::RandomHorizontalFlip: probability ", p, " is not in [0, 1]");
}

Tensor RandomHorizontalFlip::operator()(const Tensor& x) const {
  ACCEL_CHECK(x.dim() >= 2, "transforms::RandomHorizontalFlip: expected a [..., H, W] tensor, got shape ", x.sizes());
  return sample_generator().draw(1).uniform(0) < p_ ? flip(x, {-1}) : x;
}

}  // namespace accel::data::transforms
