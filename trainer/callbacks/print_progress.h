#pragma once
// PrintProgressCallback: prints where the run is, on the local main process:
//   "\nStarting training run", "\nStarting epoch <n>", "\nStarting eval epoch",
//   "Finishing training run", "\nStarting evaluation run", "Finishing evaluation run".
#include <accel/trainer/callback.h>

namespace accel::trainer {

class PrintProgressCallback : public TrainerCallback {
 public:
  void on_training_run_start(Trainer& trainer) override;
  void on_train_epoch_start(Trainer& trainer) override;
  void on_eval_epoch_start(Trainer& trainer, bool is_intermediate) override;
  void on_training_run_end(Trainer& trainer) override;
  void on_evaluation_run_start(Trainer& trainer) override;
  void on_evaluation_run_end(Trainer& trainer) override;
};

}  // namespace accel::trainer
