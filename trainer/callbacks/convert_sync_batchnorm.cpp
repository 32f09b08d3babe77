#include <accel/trainer/callbacks/convert_sync_batchnorm.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

void ConvertSyncBatchNormCallback::on_training_run_start(Trainer& trainer) {
  if (trainer.run_config && trainer.run_config->is_distributed) {
    trainer.print("ConvertSyncBatchNormCallback: accel has no SyncBatchNorm yet; batch norm layers keep "
                  "per-process statistics");
  }
}

}  // namespace accel::trainer
