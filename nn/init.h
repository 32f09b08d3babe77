#pragma once
// Weight initialisation, as torch.nn.init: each function fills the tensor in place without
// recording gradients and returns it. Random ones draw from the default generator
// (accel::manual_seed), so the values are reproducible but differ from PyTorch's (another RNG).
//
//   nn::init::kaiming_normal_(conv->weight, 0, "fan_out", "relu");
//   nn::init::trunc_normal_(embedding->weight, 0, 0.02);
#include <optional>
#include <string>
#include <utility>

#include <accel/tensor/tensor.h>

namespace accel::nn::init {

// The recommended gain for a nonlinearity: "linear", "conv1d", "conv2d", "conv3d",
// "conv_transpose1d/2d/3d", "sigmoid" (1), "tanh" (5/3), "relu" (sqrt 2), "leaky_relu"
// (sqrt(2 / (1 + slope^2)), param = slope, default 0.01), "selu" (3/4).
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);
// {fan_in, fan_out} of a weight of at least 2 dims: [out, in, *kernel] -> in * k, out * k.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);

const Tensor& uniform_(const Tensor& tensor, double a = 0, double b = 1);
const Tensor& normal_(const Tensor& tensor, double mean = 0, double std = 1);
// Normal(mean, std) restricted to [a, b] (inverse-CDF sampling, as PyTorch).
const Tensor& trunc_normal_(const Tensor& tensor, double mean = 0, double std = 1, double a = -2, double b = 2);
const Tensor& constant_(const Tensor& tensor, double value);
const Tensor& zeros_(const Tensor& tensor);
const Tensor& ones_(const Tensor& tensor);

// mode: "fan_in" (preserves the forward variance) or "fan_out" (the backward's); a: the negative
// slope of the rectifier after this layer (for "leaky_relu").
const Tensor& kaiming_uniform_(const Tensor& tensor, double a = 0, const std::string& mode = "fan_in",
                               const std::string& nonlinearity = "leaky_relu");
const Tensor& kaiming_normal_(const Tensor& tensor, double a = 0, const std::string& mode = "fan_in",
                              const std::string& nonlinearity = "leaky_relu");
const Tensor& xavier_uniform_(const Tensor& tensor, double gain = 1);
const Tensor& xavier_normal_(const Tensor& tensor, double gain = 1);

}  // namespace accel::nn::init
