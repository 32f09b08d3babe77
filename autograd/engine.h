#pragma once
// Runs the backward graph from a set of roots.
#include <vector>

#include <accel/autograd/node.h>

namespace accel::autograd {

struct BackwardOptions {
  bool keep_graph = false;    // retain_graph
  bool create_graph = false;  // record the backward computation itself
  bool allow_unused = false;  // with inputs: an input the outputs do not depend on gets an undefined gradient
};

// Propagates root_grads (one per root edge) backwards. With no `inputs`, gradients accumulate into
// the leaves' .grad. With inputs, nothing accumulates: the gradients arriving at those edges are
// returned (one per input) and only the part of the graph that leads to them runs.
TensorList run_backward(const std::vector<Edge>& roots, TensorList root_grads, const BackwardOptions& options,
                        const std::vector<Edge>& inputs = {});

}  // namespace accel::autograd
