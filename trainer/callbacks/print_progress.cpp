#include <accel/trainer/callbacks/print_progress.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

void PrintProgressCallback::on_training_run_start(Trainer& trainer) { trainer.print("\nStarting training run"); }

void PrintProgressCallback::on_train_epoch_start(Trainer& trainer) {
  trainer.print("\nStarting epoch ", trainer.run_history->current_epoch());
}

void PrintProgressCallback::on_eval_epoch_start(Trainer& trainer, bool) { trainer.print("\nStarting eval epoch"); }

void PrintProgressCallback::on_training_run_end(Trainer& trainer) { trainer.print("Finishing training run"); }

void PrintProgressCallback::on_evaluation_run_start(Trainer& trainer) { trainer.print("\nStarting evaluation run"); }

void PrintProgressCallback::on_evaluation_run_end(Trainer& trainer) { trainer.print("Finishing evaluation run"); }

}  // namespace accel::trainer
