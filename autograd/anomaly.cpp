#include <accel/autograd/anomaly.h>

#include <string>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/ops.h>

namespace accel::autograd {
namespace {

bool all_finite(const Tensor& t) {
  NoGradGuard no_grad;
  return t.numel() == 0 || isfinite(t).all().item<bool>();
}

std::string in_module(const Node& node) {
  return node.module_name().empty() ? "" : " in module '" + node.module_name() + "'";
}

// "MulBackward" -> "Mul": the forward op that recorded the node.
std::string forward_name(const Node& node) {
  std::string name = node.name();
  const auto pos = name.rfind("Backward");
  return pos == std::string::npos ? name : name.substr(0, pos);
}

}  // namespace

void check_forward_output(const Tensor& output, const Node& node) {
  ACCEL_CHECK(all_finite(output), "anomaly detected: the forward of ", forward_name(node), in_module(node),
              " produced NaN or Inf in an output of shape ", output.sizes(), "; its inputs were ",
              node.describe_inputs());
}

void check_backward_output(const Tensor& grad, const Node& node, size_t index) {
  ACCEL_CHECK(all_finite(grad), "anomaly detected: ", node.name(), in_module(node),
              " returned NaN or Inf in its gradient for input ", index, " (inputs ", node.describe_inputs(), ")");
}

}  // namespace accel::autograd
