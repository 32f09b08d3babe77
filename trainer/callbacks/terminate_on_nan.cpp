#include <accel/trainer/callbacks/terminate_on_nan.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include <accel/tensor/ops.h>

namespace accel::trainer {

void TerminateOnNaNCallback::check_for_nan_after_batch(const BatchOutput& batch_output, const char* step) {
  if (!batch_output.loss.defined()) return;
  if (!accel::isfinite(batch_output.loss.detach()).all().item<bool>()) {
    triggered_ = true;
    throw StopTrainingError(std::string("Stopping training due to NaN loss in ") + step + " step");
  }
}

void TerminateOnNaNCallback::on_train_step_end(Trainer&, const data::Batch&, const BatchOutput& batch_output,
                                               int64_t) {
  check_for_nan_after_batch(batch_output, "training");
}

void TerminateOnNaNCallback::on_eval_step_end(Trainer&, const data::Batch&, const BatchOutput& batch_output) {
  check_for_nan_after_batch(batch_output, "validation");
}

void TerminateOnNaNCallback::on_training_run_end(Trainer&) {
  if (!triggered_) return;
  std::cout << std::flush;
  std::cerr << "Exiting due to NaN loss" << std::endl;
  std::exit(1);
}

}  // namespace accel::trainer
