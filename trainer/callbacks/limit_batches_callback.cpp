#include <accel/trainer/callbacks/limit_batches_callback.h>

#include <accel/trainer/callbacks/default_callbacks.h>
#include <accel/trainer/trainer.h>

namespace accel::trainer {

namespace {
void limit(std::shared_ptr<BatchLoader>& loader, int64_t num_batches) {
  if (loader) loader = std::make_shared<BatchLoaderSlice>(loader, num_batches);
}
}  // namespace

LimitBatchesCallback::LimitBatchesCallback(int64_t num_batches) : num_batches_(num_batches) {
  ACCEL_CHECK(num_batches > 0, "LimitBatchesCallback: num_batches must be positive, got ", num_batches);
}

void LimitBatchesCallback::on_training_run_start(Trainer& trainer) {
  limit(trainer.train_dataloader, num_batches_);
  limit(trainer.eval_dataloader, num_batches_);
}

void LimitBatchesCallback::on_evaluation_run_start(Trainer& trainer) { limit(trainer.eval_dataloader, num_batches_); }

std::shared_ptr<TrainerCallback> limit_batches_callback(int64_t num_batches) {
  return std::make_shared<LimitBatchesCallback>(num_batches);
}

}  // namespace accel::trainer
