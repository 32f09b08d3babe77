#pragma once
// The public autograd API: backward, grad, guards, and (included) custom functions and gradcheck.
#include <optional>
#include <vector>

#include <accel/autograd/function.h>
#include <accel/autograd/grad_mode.h>
#include <accel/autograd/gradcheck.h>
#include <accel/autograd/node.h>
#include <accel/tensor/tensor.h>

namespace accel::autograd {

// Accumulates into the leaves' .grad the gradients of `outputs` weighted by `grad_outputs`
// (undefined entries: ones, for one-element outputs). retain_graph defaults to create_graph.
void backward(const std::vector<Tensor>& outputs, const std::vector<Tensor>& grad_outputs = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false);

// The gradients of `outputs` with respect to `inputs`, returned rather than accumulated. An input
// the outputs do not depend on is an error unless allow_unused (then its gradient is undefined).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

}  // namespace accel::autograd
