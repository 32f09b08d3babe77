#include <accel/trainer/callbacks/default_callbacks.h>

#include <accel/trainer/callbacks/log_metrics.h>
#include <accel/trainer/callbacks/move_modules_to_device.h>
#include <accel/trainer/callbacks/print_progress.h>
#include <accel/trainer/callbacks/progress_bar_callback.h>
#include <accel/trainer/callbacks/terminate_on_nan.h>

namespace accel::trainer {

std::vector<std::shared_ptr<TrainerCallback>> default_callbacks(bool progress_bar) {
  std::vector<std::shared_ptr<TrainerCallback>> callbacks{std::make_shared<MoveModulesToDeviceCallback>(),
                                                          std::make_shared<TerminateOnNaNCallback>(),
                                                          std::make_shared<PrintProgressCallback>()};
  if (progress_bar) callbacks.push_back(std::make_shared<ProgressBarCallback>());
  callbacks.push_back(std::make_shared<LogMetricsCallback>());
  return callbacks;
}

}  // namespace accel::trainer
