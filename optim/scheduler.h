#pragma once
// Learning-rate schedulers. Every scheduler is stepped once per optimizer update:
//
//   accel::optim::SGD optimizer(model->parameters(), {.lr = 0.1, .momentum = 0.9});
//   accel::optim::StepLR scheduler(optimizer, /*step_size=*/30, /*gamma=*/0.1);
//   for (...) { ...; optimizer.step(); scheduler.step(); }
//
// Scheduler is what a training loop (the Trainer) steps and checkpoints; both families derive
// from it: PyTorch's (LRScheduler and its subclasses, here and in lr_schedulers.h, one_cycle_lr.h,
// sequential_lr.h) and pytorch-accelerated's (scheduler_base.h, cosine_lr_scheduler.h,
// wsd_lr_scheduler.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <accel/optim/optimizer.h>
#include <accel/optim/scheduler_state.h>

namespace accel::optim {

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // Call after optimizer.step().
  virtual void step() = 0;
  // The scheduler's state as a JSON object (the optimizer's state is saved separately).
  virtual std::string state_dict() const = 0;
  virtual void load_state_dict(const std::string& state) = 0;
  virtual const char* name() const = 0;
};

// PyTorch's torch.optim.lr_scheduler.LRScheduler. On construction a scheduler records each group's
// starting lr as group.initial_lr (unless an earlier scheduler already did: PyTorch's setdefault)
// and takes its first step, which sets last_epoch to 0 and the groups' lr to the schedule's first
// value. Subclasses implement get_lr() in PyTorch's recursive ("chainable") form, which may read
// the groups' current lr, so that the values match PyTorch's to the last bit.
class LRScheduler : public Scheduler {
 public:
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  void step() override;
  // The lr of each group after the latest step.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  // Steps taken since construction, minus one: 0 right after construction.
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  Optimizer& optimizer() const { return optimizer_; }

  // PyTorch's keys: "last_epoch", "_step_count", "base_lrs", "_last_lr" and the subclass's
  // hyper-parameters. Loading replaces the values of the keys present (Python's __dict__.update)
  // and does not touch the optimizer: restore the optimizer's own state for its lr.
  std::string state_dict() const override;
  void load_state_dict(const std::string& state) override;

 protected:
  explicit LRScheduler(Optimizer& optimizer);

  // Records the initial lrs and takes the first step. Every concrete subclass calls it at the end
  // of its constructor, once its own members are set (PyTorch's base __init__ runs at that point).
  void initialize();

  // The next lr of every group, at last_epoch (already advanced).
  virtual std::vector<double> get_lr() = 0;
  // The lr at last_epoch from base_lrs alone, used when SequentialLR restarts a scheduler at
  // epoch 0 (PyTorch's _get_closed_form_lr); schedulers without one use get_lr().
  virtual std::vector<double> closed_form_lr() { return get_lr(); }

  virtual void save_state(SchedulerState& state) const;
  virtual void load_state(const SchedulerState& state);

  // The groups' current lr.
  std::vector<double> group_lrs() const;
  // True during the first step taken by initialize() (PyTorch's _is_initial).
  bool is_initial() const { return is_initial_; }

 private:
  friend class SequentialLR;
  // PyTorch's _initial_step: resets the step count and steps once.
  void initial_step();
  // Advances last_epoch by one and applies get_lr(), or, given an epoch, jumps there and applies
  // closed_form_lr() (PyTorch's _update_lr).
  void update_lr(std::optional<int64_t> epoch);

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
  bool is_initial_ = false;
};

namespace detail {
// A value given per parameter group: one value for every group, or one for each (PyTorch's
// _format_param); another count is an Error.
std::vector<double> per_group(const char* function, const char* what, const std::vector<double>& values,
                              size_t num_groups);
}  // namespace detail

}  // namespace accel::optim
