#pragma once
// PyTorch's basic learning-rate schedules, with PyTorch's arguments, defaults and values (each
// computed in PyTorch's recursive form, from the groups' current lr). last_epoch counts the
// scheduler's steps; with the scheduler stepped once per optimizer update, "epoch" means update.
//
//   accel::optim::MultiStepLR scheduler(optimizer, {30, 80}, /*gamma=*/0.1);
//   accel::optim::LinearLR warmup(optimizer, {.start_factor = 0.1, .total_iters = 100});
#include <cstdint>
#include <functional>
#include <vector>

#include <accel/optim/scheduler.h>

namespace accel::optim {

// lr = initial_lr * lr_lambda(last_epoch). One function for every group, or one per group.
// The functions are not part of state_dict().
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda);
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas);
  const char* name() const override { return "LambdaLR"; }

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lr_lambdas_;
};

// Multiplies the lr by gamma every step_size steps.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  const char* name() const override { return "StepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  int64_t step_size_;
  double gamma_;
};

// Multiplies the lr by gamma at each milestone (by gamma^k at a milestone listed k times).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);
  const char* name() const override { return "MultiStepLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  std::vector<int64_t> milestones_;  // sorted, repeats kept
  double gamma_;
};

// Multiplies the lr by gamma every step.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);
  const char* name() const override { return "ExponentialLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  double gamma_;
};

// Cosine annealing from initial_lr to eta_min over T_max steps; past T_max the recursion carries
// on along the cosine (back up again), as PyTorch's does.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);
  const char* name() const override { return "CosineAnnealingLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  int64_t T_max_;
  double eta_min_;
};

struct LinearLROptions {
  double start_factor = 1.0 / 3;  // in (0, 1]
  double end_factor = 1.0;        // in [0, 1]
  int64_t total_iters = 5;        // > 0
};

// Scales initial_lr by a factor going linearly from start_factor to end_factor over total_iters
// steps, then holds it.
class LinearLR : public LRScheduler {
 public:
  explicit LinearLR(Optimizer& optimizer, LinearLROptions options = {});
  const char* name() const override { return "LinearLR"; }

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  LinearLROptions options_;
};

}  // namespace accel::optim
