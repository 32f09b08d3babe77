#include <accel/optim/adagrad.h>

#include <accel/autograd/grad_mode.h>
#include <accel/optim/detail/step_helpers.h>
#include <accel/tensor/error.h>

namespace accel::optim {
namespace {

OrderedDict<double> as_dict(const AdagradOptions& o) {
  return {{"lr", o.lr},
          {"lr_decay", o.lr_decay},
          {"weight_decay", o.weight_decay},
          {"initial_accumulator_value", o.initial_accumulator_value},
          {"eps", o.eps},
          {"maximize", o.maximize ? 1.0 : 0.0}};
}

// Negated comparisons so that NaN fails too.
void check(const OrderedDict<double>& h) {
  ACCEL_CHECK(h["lr"] >= 0, "Adagrad: invalid learning rate ", h["lr"]);
  ACCEL_CHECK(h["lr_decay"] >= 0, "Adagrad: invalid lr_decay ", h["lr_decay"]);
  ACCEL_CHECK(h["weight_decay"] >= 0, "Adagrad: invalid weight_decay ", h["weight_decay"]);
  ACCEL_CHECK(h["initial_accumulator_value"] >= 0, "Adagrad: invalid initial_accumulator_value ",
              h["initial_accumulator_value"]);
  ACCEL_CHECK(h["eps"] >= 0, "Adagrad: invalid eps ", h["eps"]);
}

}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(std::vector<ParamGroup>{{.params = std::move(params)}}, options) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions options)
    : Optimizer(std::move(groups), as_dict(options), check) {}

void Adagrad::step() {
  NoGradGuard no_grad;
  for (ParamGroup& group : param_groups()) {
    const double lr = group.lr;
    const double lr_decay = group.options["lr_decay"];
    const double weight_decay = group.options["weight_decay"];
    const double initial_accumulator_value = group.options["initial_accumulator_value"];
    const double eps = group.options["eps"];
    const bool maximize = group.options["maximize"] != 0;
    for (const Tensor& param : group.params) {
      if (!param.grad().defined()) continue;
      ParamState& state = this->state(param);
      const Tensor sum = detail::state_buffer(state, "sum", param, initial_accumulator_value);
      const int64_t step = ++state.step;

      const Tensor grad = detail::effective_gradient(param, maximize, weight_decay);
      const double clr = lr / (1 + static_cast<double>(step - 1) * lr_decay);
      sum.addcmul_(grad, grad, 1);
      param.addcdiv_(grad, sum.sqrt().add_(eps), -clr);
    }
  }
}

}  // namespace accel::optim
