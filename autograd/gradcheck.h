#pragma once
// Checks analytical gradients against finite differences (use float64 inputs).
#include <functional>
#include <vector>

#include <accel/tensor/tensor.h>

namespace accel::autograd {

using TensorFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;
  double rtol = 1e-3;
  bool raise = true;   // throw an Error describing the first mismatch (else return false)
};

// Compares, for every input that requires grad and every output element, the gradient computed
// by backward with central differences of fn. Inputs may be non-contiguous but not overlapping
// (expanded). Returns true when all match.
bool gradcheck(const TensorFunction& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});
bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
               const GradcheckOptions& options = {});

// gradcheck of the gradient itself: checks the second derivatives computed with create_graph=true
// (grad_outputs: random when empty).
bool gradgradcheck(const TensorFunction& fn, const std::vector<Tensor>& inputs,
                   const std::vector<Tensor>& grad_outputs = {}, const GradcheckOptions& options = {});
bool gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
                   const std::vector<Tensor>& grad_outputs = {}, const GradcheckOptions& options = {});

}  // namespace accel::autograd
