#include <accel/nn/activation.h>

#include <ostream>

#include <accel/nn/repr.h>
#include <accel/tensor/error.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

Tensor ReLU::forward(const Tensor& input) { return relu(input); }

GELU::GELU(GELUOptions options) : options(std::move(options)) {
  ACCEL_CHECK(this->options.approximate == "none" || this->options.approximate == "tanh",
              "GELU: approximate must be 'none' or 'tanh', got '", this->options.approximate, "'");
}
Tensor GELU::forward(const Tensor& input) { return gelu(input, options.approximate); }
void GELU::pretty_print(std::ostream& os) const { os << "GELU(approximate='" << options.approximate << "')"; }

Tensor SiLU::forward(const Tensor& input) { return silu(input); }
Tensor Tanh::forward(const Tensor& input) { return tanh(input); }
Tensor Sigmoid::forward(const Tensor& input) { return sigmoid(input); }

Tensor LeakyReLU::forward(const Tensor& input) { return leaky_relu(input, options.negative_slope); }
void LeakyReLU::pretty_print(std::ostream& os) const {
  os << "LeakyReLU(negative_slope=" << python_repr(options.negative_slope) << ")";
}

Tensor Softmax::forward(const Tensor& input) { return softmax(input, dim); }
void Softmax::pretty_print(std::ostream& os) const { os << "Softmax(dim=" << dim << ")"; }

Tensor LogSoftmax::forward(const Tensor& input) { return log_softmax(input, dim); }
void LogSoftmax::pretty_print(std::ostream& os) const { os << "LogSoftmax(dim=" << dim << ")"; }

}  // namespace accel::nn
