#include <accel/optim/adamw.h>

namespace accel::optim {
namespace {

AdamOptions as_adam(const AdamWOptions& o) {
  return {.lr = o.lr, .beta1 = o.beta1, .beta2 = o.beta2, .eps = o.eps, .weight_decay = o.weight_decay,
          .amsgrad = o.amsgrad, .maximize = o.maximize};
}

}  // namespace

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : Adam(std::vector<ParamGroup>{{.params = std::move(params)}}, as_adam(options), true) {}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions options)
    : Adam(std::move(groups), as_adam(options), true) {}

}  // namespace accel::optim
