#include <accel/trainer/callbacks/move_modules_to_device.h>

#include <accel/trainer/trainer.h>

namespace accel::trainer {

MoveModulesToDeviceCallback::MoveModulesToDeviceCallback(std::vector<std::shared_ptr<nn::Module>> modules) {
  for (auto& module : modules) add_module(std::move(module));
}

void MoveModulesToDeviceCallback::add_module(std::shared_ptr<nn::Module> module) {
  ACCEL_CHECK(module, "MoveModulesToDeviceCallback: the module is null");
  modules_.push_back(std::move(module));
}

void MoveModulesToDeviceCallback::move_modules_to_device(Trainer& trainer) {
  const Device device = trainer.device();
  if (const auto& loss_module = trainer.loss_func.module()) loss_module->to(device);
  for (const auto& module : modules_) module->to(device);
}

}  // namespace accel::trainer
