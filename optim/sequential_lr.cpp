#include <accel/optim/sequential_lr.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include <accel/tensor/error.h>

namespace accel::optim {

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : optimizer_(optimizer), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  ACCEL_CHECK(!schedulers_.empty(), "SequentialLR: expects at least one scheduler, got none");
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    ACCEL_CHECK(schedulers_[i], "SequentialLR: scheduler ", i, " is null");
    ACCEL_CHECK(&schedulers_[i]->optimizer() == &optimizer, "SequentialLR: scheduler ", i, " (",
                schedulers_[i]->name(), ") belongs to a different optimizer");
  }
  ACCEL_CHECK(milestones_.size() + 1 == schedulers_.size(), "SequentialLR: expects one milestone fewer than ",
              "schedulers, got ", schedulers_.size(), " schedulers and ", milestones_.size(), " milestones");
  ACCEL_CHECK(std::is_sorted(milestones_.begin(), milestones_.end()),
              "SequentialLR: the milestones must be in increasing order");

  for (ParamGroup& group : optimizer.param_groups()) group.lr = group.initial_lr;
  for (const auto& scheduler : schedulers_) --scheduler->last_epoch_;
  const size_t first = std::upper_bound(milestones_.begin(), milestones_.end(), 0) - milestones_.begin();
  schedulers_[first]->initial_step();
  last_lr_ = schedulers_[first]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t index = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  LRScheduler& scheduler = *schedulers_[index];
  if (index > 0 && milestones_[index - 1] == last_epoch_) {
    scheduler.update_lr(0);
  } else {
    scheduler.step();
  }
  last_lr_ = scheduler.get_last_lr();
}

std::string SequentialLR::state_dict() const {
  nlohmann::json state = {{"last_epoch", last_epoch_}, {"_milestones", milestones_}, {"_last_lr", last_lr_}};
  nlohmann::json& children = state["_schedulers"] = nlohmann::json::array();
  for (const auto& scheduler : schedulers_) children.push_back(nlohmann::json::parse(scheduler->state_dict()));
  return state.dump();
}

void SequentialLR::load_state_dict(const std::string& text) {
  SchedulerState state = SchedulerState::parse(text);
  std::vector<std::string> children;
  if (state.contains("_schedulers")) {
    const nlohmann::json nested = nlohmann::json::parse(state.read_json("_schedulers"));
    ACCEL_CHECK(nested.is_array() && nested.size() == schedulers_.size(), "SequentialLR::load_state_dict: expected ",
                schedulers_.size(), " scheduler states in '_schedulers'");
    for (const nlohmann::json& child : nested) children.push_back(child.dump());
  }
  std::vector<int64_t> milestones = milestones_;
  state.read_if_present("_milestones", milestones);
  ACCEL_CHECK(milestones.size() + 1 == schedulers_.size() && std::is_sorted(milestones.begin(), milestones.end()),
              "SequentialLR::load_state_dict: '_milestones' must be ", schedulers_.size() - 1,
              " milestones in increasing order");
  milestones_ = std::move(milestones);
  state.read_if_present("last_epoch", last_epoch_);
  state.read_if_present("_last_lr", last_lr_);
  for (size_t i = 0; i < children.size(); ++i) schedulers_[i]->load_state_dict(children[i]);
}

}  // namespace accel::optim
