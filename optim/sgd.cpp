#include <accel/optim/sgd.h>

#include <accel/autograd/grad_mode.h>
#include <accel/optim/detail/step_helpers.h>
#include <accel/tensor/backend.h>
#include <accel/tensor/error.h>

namespace accel::optim {
namespace {

OrderedDict<double> as_dict(const SGDOptions& o) {
  return {{"lr", o.lr},           {"momentum", o.momentum},          {"dampening", o.dampening},
          {"weight_decay", o.weight_decay}, {"nesterov", o.nesterov ? 1.0 : 0.0}, {"maximize", o.maximize ? 1.0 : 0.0}};
}

// Negated comparisons so that NaN fails too.
void check(const OrderedDict<double>& h) {
  ACCEL_CHECK(h["lr"] >= 0, "SGD: invalid learning rate ", h["lr"]);
  ACCEL_CHECK(h["momentum"] >= 0, "SGD: invalid momentum ", h["momentum"]);
  ACCEL_CHECK(h["weight_decay"] >= 0, "SGD: invalid weight_decay ", h["weight_decay"]);
  ACCEL_CHECK(!h["nesterov"] || (h["momentum"] > 0 && h["dampening"] == 0),
              "SGD: Nesterov momentum requires a momentum and zero dampening (momentum ", h["momentum"],
              ", dampening ", h["dampening"], ")");
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD(std::vector<ParamGroup>{{.params = std::move(params)}}, options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions options) : Optimizer(std::move(groups), as_dict(options), check) {}

void SGD::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr;
    const double momentum = group.options["momentum"];
    const double dampening = group.options["dampening"];
    const double weight_decay = group.options["weight_decay"];
    const bool nesterov = group.options["nesterov"] != 0;
    const bool maximize = group.options["maximize"] != 0;
    for (const Tensor& param : group.params) {
      if (!param.grad().defined()) continue;
      Tensor buffer;
      bool first = false;  // the buffer starts as the first step's direction
      if (momentum != 0) {
        StateDict& buffers = state(param).tensors;
        if (const Tensor* existing = buffers.find("momentum_buffer")) {
          buffer = *existing;
        } else {
          buffer = buffers.insert("momentum_buffer", zeros_like(param));
          first = true;
        }
      }
      if (detail::fused_update_applies(param, {buffer})) {
        backend(param.device())
            .sgd_step(param, param.grad(), buffer,
                      {.lr = lr, .momentum = momentum, .dampening = dampening, .weight_decay = weight_decay,
                       .nesterov = nesterov, .maximize = maximize, .first = first});
        param.bump_version();
        if (buffer.defined()) buffer.bump_version();
        continue;
      }
      Tensor direction = detail::effective_gradient(param, maximize, weight_decay);
      if (buffer.defined()) {
        if (first) buffer.copy_(direction);
        else buffer.mul_(momentum).add_(direction, 1 - dampening);
        direction = nesterov ? direction.add(buffer, momentum) : buffer;
      }
      param.add_(direction, -lr);
    }
  }
}

}  // namespace accel::optim
