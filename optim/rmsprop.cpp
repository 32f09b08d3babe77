#include <accel/optim/rmsprop.h>

#include <accel/autograd/grad_mode.h>
#include <accel/optim/detail/step_helpers.h>
#include <accel/tensor/error.h>

namespace accel::optim {
namespace {

OrderedDict<double> as_dict(const RMSpropOptions& o) {
  return {{"lr", o.lr},
          {"alpha", o.alpha},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay},
          {"momentum", o.momentum},
          {"centered", o.centered ? 1.0 : 0.0},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}

// Negated comparisons so that NaN fails too.
void check(const OrderedDict<double>& h) {
  ACCEL_CHECK(h["lr"] >= 0, "RMSprop: invalid learning rate ", h["lr"]);
  ACCEL_CHECK(h["eps"] >= 0, "RMSprop: invalid eps ", h["eps"]);
  ACCEL_CHECK(h["momentum"] >= 0, "RMSprop: invalid momentum ", h["momentum"]);
  ACCEL_CHECK(h["weight_decay"] >= 0, "RMSprop: invalid weight_decay ", h["weight_decay"]);
  ACCEL_CHECK(h["alpha"] >= 0, "RMSprop: invalid alpha ", h["alpha"]);
}

}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(std::vector<ParamGroup>{{.params = std::move(params)}}, options) {}

RMSprop::RMSprop(std::vector<ParamGroup> groups, RMSpropOptions options)
    : Optimizer(std::move(groups), as_dict(options), check) {}

void RMSprop::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr;
    const double alpha = group.options["alpha"];
    const double eps = group.options["eps"];
    const double weight_decay = group.options["weight_decay"];
    const double momentum = group.options["momentum"];
    const bool centered = group.options["centered"] != 0;
    const bool maximize = group.options["maximize"] != 0;
    for (const Tensor& param : group.params) {
      if (!param.grad().defined()) continue;
      ParamState& state = this->state(param);
      const Tensor square_avg = detail::state_buffer(state, "square_avg", param);
      ++state.step;

      const Tensor grad = detail::effective_gradient(param, maximize, weight_decay);
      square_avg.mul_(alpha).addcmul_(grad, grad, 1 - alpha);
      Tensor avg;
      if (centered) {
        const Tensor grad_avg = detail::state_buffer(state, "grad_avg", param);
        grad_avg.lerp_(grad, 1 - alpha);
        avg = square_avg.addcmul(grad_avg, grad_avg, -1).sqrt_();
      } else {
        avg = square_avg.sqrt();
      }
      avg.add_(eps);
      if (momentum > 0) {
        const Tensor buffer = detail::state_buffer(state, "momentum_buffer", param);
        buffer.mul_(momentum).addcdiv_(grad, avg);
        param.add_(buffer, -lr);
      } else {
        param.addcdiv_(grad, avg, -lr);
      }
    }
  }
}

}  // namespace accel::optim
