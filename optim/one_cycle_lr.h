#pragma once
// PyTorch's OneCycleLR (Smith & Topin, "super-convergence"): the lr rises from max_lr / div_factor
// to max_lr over the first pct_start of total_steps, then anneals to
// max_lr / (div_factor * final_div_factor); momentum (or Adam's beta1) moves the opposite way.
//
//   accel::optim::OneCycleLR scheduler(optimizer, /*max_lr=*/0.1, {.total_steps = 1000});
//   accel::optim::OneCycleLR scheduler(optimizer, {0.1, 0.01}, {.epochs = 10, .steps_per_epoch = 100});
//
// Stepping more than total_steps times is an Error, as in PyTorch. Unlike PyTorch, max_lr, the
// minimum lr and the momentum bounds live in the scheduler (and its state_dict), not in the
// optimizer's parameter groups, whose option names the optimizer checks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <accel/optim/scheduler.h>

namespace accel::optim {

struct OneCycleLROptions {
  // Either total_steps, or epochs and steps_per_epoch (total_steps = their product).
  std::optional<int64_t> total_steps = std::nullopt;
  std::optional<int64_t> epochs = std::nullopt;
  std::optional<int64_t> steps_per_epoch = std::nullopt;
  double pct_start = 0.3;               // fraction of the steps spent raising the lr, in [0, 1]
  std::string anneal_strategy = "cos";  // "cos" or "linear"
  // Cycle the optimizer's "momentum" option, or "beta1" for optimizers that have betas.
  bool cycle_momentum = true;
  std::vector<double> base_momentum = {0.85};  // one value for every group, or one per group
  std::vector<double> max_momentum = {0.95};
  double div_factor = 25.0;         // initial_lr = max_lr / div_factor
  double final_div_factor = 1e4;    // min_lr = initial_lr / final_div_factor
  bool three_phase = false;         // up, back down to initial_lr, then to min_lr
};

class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, OneCycleLROptions options = {});
  // One max_lr per parameter group (or one for all).
  OneCycleLR(Optimizer& optimizer, std::vector<double> max_lr, OneCycleLROptions options = {});
  const char* name() const override { return "OneCycleLR"; }

  int64_t total_steps() const { return total_steps_; }

 protected:
  std::vector<double> get_lr() override;
  void save_state(SchedulerState& state) const override;
  void load_state(const SchedulerState& state) override;

 private:
  // What a phase anneals between: PyTorch's group keys "initial_lr", "max_lr", "min_lr" and
  // "max_momentum", "base_momentum".
  enum class Lr { kInitial, kMax, kMin };
  enum class Momentum { kMax, kBase };
  struct Phase {
    double end_step;
    Lr start_lr, end_lr;
    Momentum start_momentum, end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  double lr_of(size_t group, Lr which) const;
  double momentum_of(size_t group, Momentum which) const;
  void build_phases();

  int64_t total_steps_ = 0;
  OneCycleLROptions options_;
  std::vector<Phase> phases_;
  std::vector<double> max_lrs_, min_lrs_;
  std::vector<double> max_momentums_, base_momentums_;
  std::string momentum_option_;  // "momentum" or "beta1"
};

}  // namespace accel::optim
