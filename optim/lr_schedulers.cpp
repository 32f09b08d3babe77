#include <accel/optim/lr_schedulers.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <accel/tensor/error.h>

#include <accel/optim/detail/no_fp_contract.h>  // last: it applies to what follows

namespace accel::optim {

// The expressions below keep PyTorch's operation order, so that the values agree to the last bit.

LambdaLR::LambdaLR(Optimizer& optimizer, Lambda lr_lambda)
    : LambdaLR(optimizer, std::vector<Lambda>(optimizer.param_groups().size(), std::move(lr_lambda))) {}

LambdaLR::LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas)
    : LRScheduler(optimizer), lr_lambdas_(std::move(lr_lambdas)) {
  ACCEL_CHECK(lr_lambdas_.size() == optimizer.param_groups().size(), "LambdaLR: expected ",
              optimizer.param_groups().size(), " lr_lambdas (one per parameter group), got ", lr_lambdas_.size());
  for (const Lambda& lambda : lr_lambdas_) ACCEL_CHECK(lambda, "LambdaLR: an lr_lambda is empty");
  initialize();
}

std::vector<double> LambdaLR::get_lr() {
  std::vector<double> lrs;
  for (size_t i = 0; i < lr_lambdas_.size(); ++i) lrs.push_back(base_lrs()[i] * lr_lambdas_[i](last_epoch()));
  return lrs;
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  ACCEL_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initialize();
}

std::vector<double> StepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (last_epoch() == 0 || last_epoch() % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::vector<double> StepLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double base_lr : base_lrs())
    lrs.push_back(base_lr * std::pow(gamma_, static_cast<double>(last_epoch() / step_size_)));
  return lrs;
}

void StepLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("step_size", step_size_);
  state.write("gamma", gamma_);
}

void StepLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  int64_t step_size = step_size_;
  state.read_if_present("step_size", step_size);
  ACCEL_CHECK(step_size > 0, "StepLR::load_state_dict: step_size must be positive, got ", step_size);
  step_size_ = step_size;
  state.read_if_present("gamma", gamma_);
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initialize();
}

std::vector<double> MultiStepLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  const auto count = std::count(milestones_.begin(), milestones_.end(), last_epoch());
  if (count == 0) return lrs;
  for (double& lr : lrs) lr = lr * std::pow(gamma_, static_cast<double>(count));
  return lrs;
}

std::vector<double> MultiStepLR::closed_form_lr() {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch()) - milestones_.begin();
  std::vector<double> lrs;
  for (double base_lr : base_lrs()) lrs.push_back(base_lr * std::pow(gamma_, static_cast<double>(passed)));
  return lrs;
}

void MultiStepLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("milestones", milestones_);
  state.write("gamma", gamma_);
}

void MultiStepLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  if (state.read_if_present("milestones", milestones_)) std::sort(milestones_.begin(), milestones_.end());
  state.read_if_present("gamma", gamma_);
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma) : LRScheduler(optimizer), gamma_(gamma) {
  initialize();
}

std::vector<double> ExponentialLR::get_lr() {
  std::vector<double> lrs = group_lrs();
  if (is_initial()) return lrs;
  for (double& lr : lrs) lr = lr * gamma_;
  return lrs;
}

std::vector<double> ExponentialLR::closed_form_lr() {
  std::vector<double> lrs;
  for (double base_lr : base_lrs()) lrs.push_back(base_lr * std::pow(gamma_, static_cast<double>(last_epoch())));
  return lrs;
}

void ExponentialLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("gamma", gamma_);
}

void ExponentialLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  state.read_if_present("gamma", gamma_);
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  ACCEL_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initialize();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs = group_lrs();
  if (is_initial()) return lrs;
  const auto epoch = static_cast<double>(last_epoch());
  const auto T_max = static_cast<double>(T_max_);
  if ((last_epoch() - 1 - T_max_) % (2 * T_max_) == 0) {
    // The trough of the cosine, where the ratio below would divide by zero.
    for (size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = lrs[i] + (base_lrs()[i] - eta_min_) * (1 - std::cos(pi / T_max)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(pi * epoch / T_max)) / (1 + std::cos(pi * (epoch - 1) / T_max)) * (lr - eta_min_) +
         eta_min_;
  return lrs;
}

std::vector<double> CosineAnnealingLR::closed_form_lr() {
  constexpr double pi = std::numbers::pi;
  std::vector<double> lrs;
  for (double base_lr : base_lrs())
    lrs.push_back(eta_min_ + (base_lr - eta_min_) *
                                 (1 + std::cos(pi * static_cast<double>(last_epoch()) / static_cast<double>(T_max_))) /
                                 2);
  return lrs;
}

void CosineAnnealingLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("T_max", T_max_);
  state.write("eta_min", eta_min_);
}

void CosineAnnealingLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  int64_t T_max = T_max_;
  state.read_if_present("T_max", T_max);
  ACCEL_CHECK(T_max > 0, "CosineAnnealingLR::load_state_dict: T_max must be positive, got ", T_max);
  T_max_ = T_max;
  state.read_if_present("eta_min", eta_min_);
}

LinearLR::LinearLR(Optimizer& optimizer, LinearLROptions options) : LRScheduler(optimizer), options_(options) {
  ACCEL_CHECK(options.start_factor > 0 && options.start_factor <= 1.0,
              "LinearLR: start_factor must be in (0, 1], got ", options.start_factor);
  ACCEL_CHECK(options.end_factor >= 0 && options.end_factor <= 1.0, "LinearLR: end_factor must be in [0, 1], got ",
              options.end_factor);
  ACCEL_CHECK(options.total_iters > 0, "LinearLR: total_iters must be positive, got ", options.total_iters);
  initialize();
}

std::vector<double> LinearLR::get_lr() {
  const auto& [start, end, total_iters] = options_;
  std::vector<double> lrs = group_lrs();
  if (last_epoch() == 0) {
    for (double& lr : lrs) lr = lr * start;
    return lrs;
  }
  if (is_initial() || last_epoch() > total_iters) return lrs;
  for (double& lr : lrs)
    lr = lr * (1.0 + (end - start) / (static_cast<double>(total_iters) * start +
                                      static_cast<double>(last_epoch() - 1) * (end - start)));
  return lrs;
}

std::vector<double> LinearLR::closed_form_lr() {
  const auto& [start, end, total_iters] = options_;
  std::vector<double> lrs;
  for (double base_lr : base_lrs())
    lrs.push_back(base_lr * (start + (end - start) * static_cast<double>(std::min(total_iters, last_epoch())) /
                                         static_cast<double>(total_iters)));
  return lrs;
}

void LinearLR::save_state(SchedulerState& state) const {
  LRScheduler::save_state(state);
  state.write("start_factor", options_.start_factor);
  state.write("end_factor", options_.end_factor);
  state.write("total_iters", options_.total_iters);
}

void LinearLR::load_state(const SchedulerState& state) {
  LRScheduler::load_state(state);
  state.read_if_present("start_factor", options_.start_factor);
  state.read_if_present("end_factor", options_.end_factor);
  int64_t total_iters = options_.total_iters;
  state.read_if_present("total_iters", total_iters);
  ACCEL_CHECK(total_iters > 0, "LinearLR::load_state_dict: total_iters must be positive, got ", total_iters);
  options_.total_iters = total_iters;
}

}  // namespace accel::optim
