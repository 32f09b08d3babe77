#include <accel/nn/init.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>

namespace accel::nn::init {

namespace {

double normal_cdf(double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); }

// erf^-1 on (-1, 1): Giles' single-precision approximation, then Newton steps on erf to double accuracy.
double erfinv(double y) {
  const double w0 = -std::log((1 - y) * (1 + y));
  double x;
  if (w0 < 5) {
    const double w = w0 - 2.5;
    double p = 2.81022636e-08;
    for (double c : {3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                     -0.00417768164, 0.246640727, 1.50140941})
      p = c + p * w;
    x = p * y;
  } else {
    const double w = std::sqrt(w0) - 3;
    double p = -0.000200214257;
    for (double c : {0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047,
                     1.00167406, 2.83297682})
      p = c + p * w;
    x = p * y;
  }
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) / (2 / std::sqrt(M_PI) * std::exp(-x * x));
  return x;
}

int64_t fan(const Tensor& tensor, const std::string& mode) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  ACCEL_CHECK(mode == "fan_in" || mode == "fan_out", "kaiming init: mode must be 'fan_in' or 'fan_out', got '",
              mode, "'");
  return mode == "fan_in" ? fan_in : fan_out;
}

}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  for (const char* linear : {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                             "conv_transpose3d", "sigmoid"})
    if (nonlinearity == linear) return 1;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  ACCEL_FAIL("calculate_gain: unsupported nonlinearity '", nonlinearity, "'");
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  ACCEL_CHECK(tensor.dim() >= 2, "calculate_fan_in_and_fan_out: fan in and fan out cannot be computed for a tensor "
              "with fewer than 2 dimensions, got ", tensor.dim());
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

const Tensor& uniform_(const Tensor& tensor, double a, double b) {
  NoGradGuard no_grad;
  return tensor.uniform_(a, b);
}

const Tensor& normal_(const Tensor& tensor, double mean, double std) {
  NoGradGuard no_grad;
  return tensor.normal_(mean, std);
}

const Tensor& trunc_normal_(const Tensor& tensor, double mean, double std, double a, double b) {
  ACCEL_CHECK(std > 0 && a < b, "trunc_normal_: needs std > 0 and a < b, got std=", std, ", a=", a, ", b=", b);
  NoGradGuard no_grad;
  // Uniform draws between the CDF values of the bounds, mapped back through the inverse CDF.
  const double lo = 2 * normal_cdf((a - mean) / std) - 1, hi = 2 * normal_cdf((b - mean) / std) - 1;
  std::vector<double> values = accel::rand({tensor.numel()}, {.dtype = kFloat64}).to_vector<double>();
  for (double& v : values) {
    const double y = std::clamp(lo + (hi - lo) * v, std::nextafter(-1.0, 0.0), std::nextafter(1.0, 0.0));
    v = std::clamp(mean + std * std::sqrt(2.0) * erfinv(y), a, b);
  }
  return tensor.copy_(accel::tensor(values, {.dtype = kFloat64}).view(tensor.sizes()));
}

const Tensor& constant_(const Tensor& tensor, double value) {
  NoGradGuard no_grad;
  return tensor.fill_(value);
}

const Tensor& zeros_(const Tensor& tensor) { return constant_(tensor, 0); }
const Tensor& ones_(const Tensor& tensor) { return constant_(tensor, 1); }

const Tensor& kaiming_uniform_(const Tensor& tensor, double a, const std::string& mode,
                               const std::string& nonlinearity) {
  if (tensor.numel() == 0) return tensor;  // PyTorch warns and leaves it
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(tensor, mode)));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(tensor, -bound, bound);
}

const Tensor& kaiming_normal_(const Tensor& tensor, double a, const std::string& mode,
                              const std::string& nonlinearity) {
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, 0, calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan(tensor, mode))));
}

const Tensor& xavier_uniform_(const Tensor& tensor, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  const double bound = std::sqrt(3.0) * gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(tensor, -bound, bound);
}

const Tensor& xavier_normal_(const Tensor& tensor, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return normal_(tensor, 0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

}  // namespace accel::nn::init
