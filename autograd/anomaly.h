#pragma once
// Anomaly mode's checks (see DetectAnomalyGuard).
#include <accel/autograd/node.h>

namespace accel::autograd {

// Throws when an op's output, recorded by `node`, holds NaN or Inf.
void check_forward_output(const Tensor& output, const Node& node);
// Throws when `node` returned a gradient with NaN or Inf for its input `index`.
void check_backward_output(const Tensor& grad, const Node& node, size_t index);

}  // namespace accel::autograd
