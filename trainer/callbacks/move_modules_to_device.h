#pragma once
// MoveModulesToDeviceCallback: at the start of every training and evaluation run, moves the
// Trainer's other modules (the loss module, e.g. CrossEntropyLoss with class-weight buffers, and
// any module added with add_module, e.g. a metric) to trainer.device(). The model itself is placed
// by the Trainer. The original found every nn.Module attribute by reflection; C++ has none, so
// modules a Trainer subclass holds are registered explicitly:
//   trainer.callback_handler->get_callback<MoveModulesToDeviceCallback>()->add_module(metric);
#include <memory>
#include <vector>

#include <accel/nn/module.h>
#include <accel/trainer/callback.h>

namespace accel::trainer {

class MoveModulesToDeviceCallback : public TrainerCallback {
 public:
  explicit MoveModulesToDeviceCallback(std::vector<std::shared_ptr<nn::Module>> modules = {});

  void add_module(std::shared_ptr<nn::Module> module);
  const std::vector<std::shared_ptr<nn::Module>>& modules() const { return modules_; }

  void on_training_run_start(Trainer& trainer) override { move_modules_to_device(trainer); }
  void on_evaluation_run_start(Trainer& trainer) override { move_modules_to_device(trainer); }

 private:
  void move_modules_to_device(Trainer& trainer);
  std::vector<std::shared_ptr<nn::Module>> modules_;
};

}  // namespace accel::trainer
