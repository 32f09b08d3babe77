#pragma once
// In-place ops on views (PyTorch's CopySlices): modifying a view modifies its base, so the base's
// history must learn about it.
#include <accel/autograd/node.h>

namespace accel::autograd {

// `fn` has just modified the view `self` in place (fn's edge 0 is the view's previous history).
// Afterwards the base's grad_fn is a CopySlices node wrapping fn, and the view's grad_fn reads its
// gradient out of the base's. Other views of the same base made before keep their old history.
void rebase_view_history(const Tensor& self, Node& fn);

}  // namespace accel::autograd
