#include <accel/trainer/loss_function.h>

#include <accel/tensor/error.h>

namespace accel::trainer {

Tensor LossFunction::operator()(const Tensor& input, const Tensor& target) const {
  ACCEL_CHECK(function_,
              "Trainer: no loss function was given; pass one to the Trainer or override "
              "calculate_train_batch_loss / calculate_eval_batch_loss");
  return function_(input, target);
}

}  // namespace accel::trainer
