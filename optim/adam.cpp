#include <accel/optim/adam.h>

#include <cmath>

#include <accel/autograd/grad_mode.h>
#include <accel/optim/detail/step_helpers.h>
#include <accel/tensor/backend.h>
#include <accel/tensor/error.h>

namespace accel::optim {
namespace {

OrderedDict<double> as_dict(const AdamOptions& o) {
  return {{"lr", o.lr},   {"beta1", o.beta1},   {"beta2", o.beta2},
          {"eps", o.eps}, {"weight_decay", o.weight_decay}, {"amsgrad", o.amsgrad ? 1.0 : 0.0},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}

// Negated comparisons so that NaN fails too. `optimizer` names Adam or AdamW in the messages.
void check(const OrderedDict<double>& h, const char* optimizer) {
  ACCEL_CHECK(h["lr"] >= 0, optimizer, ": invalid learning rate ", h["lr"]);
  ACCEL_CHECK(h["eps"] >= 0, optimizer, ": invalid eps ", h["eps"]);
  ACCEL_CHECK(h["beta1"] >= 0 && h["beta1"] < 1, optimizer, ": invalid beta1 ", h["beta1"], " (must be in [0, 1))");
  ACCEL_CHECK(h["beta2"] >= 0 && h["beta2"] < 1, optimizer, ": invalid beta2 ", h["beta2"], " (must be in [0, 1))");
  ACCEL_CHECK(h["weight_decay"] >= 0, optimizer, ": invalid weight_decay ", h["weight_decay"]);
}

}  // namespace

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::vector<ParamGroup>{{.params = std::move(params)}}, options, false) {}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions options) : Adam(std::move(groups), options, false) {}

Adam::Adam(std::vector<ParamGroup> groups, const AdamOptions& options, bool decoupled_weight_decay)
    : Optimizer(std::move(groups), as_dict(options),
                [decoupled_weight_decay](const OrderedDict<double>& h) { check(h, decoupled_weight_decay ? "AdamW" : "Adam"); }),
      decoupled_weight_decay_(decoupled_weight_decay) {}

void Adam::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr;
    const double beta1 = group.options["beta1"];
    const double beta2 = group.options["beta2"];
    const double eps = group.options["eps"];
    const double weight_decay = group.options["weight_decay"];
    const bool amsgrad = group.options["amsgrad"] != 0;
    const bool maximize = group.options["maximize"] != 0;
    for (const Tensor& param : group.params) {
      if (!param.grad().defined()) continue;
      ParamState& state = this->state(param);
      const Tensor exp_avg = detail::state_buffer(state, "exp_avg", param);
      const Tensor exp_avg_sq = detail::state_buffer(state, "exp_avg_sq", param);
      const int64_t step = ++state.step;
      const Tensor max_exp_avg_sq = amsgrad ? detail::state_buffer(state, "max_exp_avg_sq", param) : Tensor();
      if (detail::fused_update_applies(param, {exp_avg, exp_avg_sq, max_exp_avg_sq})) {
        backend(param.device())
            .adam_step(param, param.grad(), exp_avg, exp_avg_sq, max_exp_avg_sq,
                       {.lr = lr, .beta1 = beta1, .beta2 = beta2, .eps = eps, .weight_decay = weight_decay,
                        .step = step, .decoupled_weight_decay = decoupled_weight_decay_, .amsgrad = amsgrad,
                        .maximize = maximize});
        for (const Tensor& t : {param, exp_avg, exp_avg_sq, max_exp_avg_sq})
          if (t.defined()) t.bump_version();
        continue;
      }
      if (decoupled_weight_decay_) param.mul_(1 - lr * weight_decay);
      const Tensor grad = detail::effective_gradient(param, maximize, decoupled_weight_decay_ ? 0 : weight_decay);
      exp_avg.lerp_(grad, 1 - beta1);
      exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);

      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
      const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, static_cast<double>(step)));
      Tensor second_moment = exp_avg_sq;
      if (amsgrad) {
        second_moment = max_exp_avg_sq;
        second_moment.copy_(second_moment.maximum(exp_avg_sq));
      }
      const Tensor denom = second_moment.sqrt().div_(bias_correction2_sqrt).add_(eps);
      param.addcdiv_(exp_avg, denom, -lr / bias_correction1);
    }
  }
}

}  // namespace accel::optim
