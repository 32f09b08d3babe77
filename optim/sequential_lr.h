#pragma once
// PyTorch's SequentialLR: runs schedulers one after another, switching at milestones (counted in
// steps). At a milestone the next scheduler restarts from epoch 0 (its closed form, from the
// initial lrs).
//
//   auto warmup = std::make_shared<accel::optim::LinearLR>(optimizer, {.start_factor = 0.1, .total_iters = 5});
//   auto decay = std::make_shared<accel::optim::ExponentialLR>(optimizer, 0.9);
//   accel::optim::SequentialLR scheduler(optimizer, {warmup, decay}, /*milestones=*/{5});
//
// The schedulers must belong to the same optimizer; their construction steps are undone (the
// groups go back to their initial lr) and the first one starts again, as in PyTorch. A
// SequentialLR cannot hold another SequentialLR (in PyTorch that fails at the first milestone).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <accel/optim/scheduler.h>

namespace accel::optim {

class SequentialLR : public Scheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  void step() override;
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  Optimizer& optimizer() const { return optimizer_; }
  const char* name() const override { return "SequentialLR"; }

  // PyTorch's keys: "last_epoch", "_milestones", "_last_lr" and "_schedulers" (each scheduler's
  // state, nested).
  std::string state_dict() const override;
  void load_state_dict(const std::string& state) override;

 private:
  Optimizer& optimizer_;
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};

}  // namespace accel::optim
