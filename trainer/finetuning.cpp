#include <accel/trainer/finetuning.h>

#include <accel/nn/normalization.h>
#include <accel/tensor/error.h>

namespace accel::trainer {

namespace {

bool is_batch_norm(const nn::Module& module) {
  return dynamic_cast<const nn::BatchNorm1d*>(&module) != nullptr ||
         dynamic_cast<const nn::BatchNorm2d*>(&module) != nullptr;
}

void collect_leaves(const std::shared_ptr<nn::Module>& module, int64_t group,
                    std::vector<std::pair<int64_t, std::shared_ptr<nn::Module>>>& leaves) {
  const auto children = module->children();
  if (children.empty()) {
    leaves.emplace_back(group, module);
    return;
  }
  for (const auto& child : children) collect_leaves(child, group, leaves);
}

}  // namespace

ModelFreezer::ModelFreezer(std::shared_ptr<nn::Module> model, bool freeze_batch_norms)
    : model_(std::move(model)), freeze_batch_norms_(freeze_batch_norms) {
  ACCEL_CHECK(model_ != nullptr, "ModelFreezer: the model is null");
  for (const Tensor& parameter : model_->parameters()) parameter.requires_grad_(true);
  for (const auto& child : model_->children()) {
    collect_leaves(child, num_groups(), leaves_);
    groups_.push_back(child);
  }
}

std::vector<LayerGroup> ModelFreezer::get_layer_groups() const {
  std::vector<LayerGroup> result;
  for (int64_t i = 0; i < num_groups(); ++i) {
    const auto& module = groups_[static_cast<size_t>(i)];
    bool any_frozen = false;
    for (const Tensor& parameter : module->parameters()) any_frozen = any_frozen || !parameter.requires_grad();
    result.push_back({index_of_group(i), module, any_frozen});
  }
  return result;
}

std::vector<Layer> ModelFreezer::get_layers() const {
  std::vector<Layer> result;
  for (const auto& [group, leaf] : leaves_) {
    const auto parameters = leaf->parameters();
    bool is_frozen = !leaf->is_training();
    if (!parameters.empty()) {
      is_frozen = !parameters.front().requires_grad();
      for (const Tensor& parameter : parameters) {
        ACCEL_CHECK(parameter.requires_grad() != is_frozen, "ModelFreezer: a ", leaf->type_name(),
                    " layer in group ", group,
                    " has both frozen and trainable parameters; freeze and unfreeze through the ModelFreezer");
      }
    }
    result.push_back({index_of_group(group), leaf, is_frozen});
  }
  return result;
}

std::vector<Tensor> ModelFreezer::get_trainable_parameters() const {
  std::vector<Tensor> trainable;
  for (const Tensor& parameter : model_->parameters()) {
    if (parameter.requires_grad()) trainable.push_back(parameter);
  }
  return trainable;
}

void ModelFreezer::freeze(int64_t from_index, int64_t to_index, bool set_modules_as_eval) {
  change_state(from_index, to_index, /*freeze=*/true, set_modules_as_eval);
}

std::map<int64_t, optim::ParamGroup> ModelFreezer::unfreeze(int64_t from_index, int64_t to_index,
                                                            bool set_modules_as_training) {
  return change_state(from_index, to_index, /*freeze=*/false, set_modules_as_training);
}

std::pair<int64_t, int64_t> ModelFreezer::group_range(int64_t from_index, int64_t to_index) const {
  const int64_t groups = num_groups();
  const auto resolve = [&](int64_t index) {
    ACCEL_CHECK(index >= -groups && index < groups, "ModelFreezer: layer group index ", index,
                " is out of range for a model with ", groups, " layer groups (valid: ", -groups, "..", groups - 1,
                ")");
    return index < 0 ? index + groups : index;
  };
  int64_t first = resolve(from_index);
  int64_t last = resolve(to_index);
  if (first > last) std::swap(first, last);
  return {first, last};
}

// The original passes its two flags to the leaf update in swapped order, so that only the default
// flags work (docs/trainer.md); here `freeze` decides requires_grad and `set_mode` the mode.
std::map<int64_t, optim::ParamGroup> ModelFreezer::change_state(int64_t from_index, int64_t to_index, bool freeze,
                                                                bool set_mode) {
  const auto [first, last] = group_range(from_index, to_index);
  std::map<int64_t, optim::ParamGroup> changed;
  for (const Layer& layer : get_layers()) {
    const int64_t group = layer.layer_group_idx.from_start;
    if (group < first || group > last || layer.is_frozen == freeze) continue;
    // Batch norm stays trainable (and in its mode) unless asked: its statistics adapt to the new data.
    if (!freeze_batch_norms_ && is_batch_norm(*layer.module)) continue;
    const auto parameters = layer.module->parameters();
    for (const Tensor& parameter : parameters) parameter.requires_grad_(!freeze);
    if (set_mode) layer.module->train(!freeze);
    if (!parameters.empty()) {
      auto& params = changed[group].params;
      params.insert(params.end(), parameters.begin(), parameters.end());
    }
  }
  return changed;
}

}  // namespace accel::trainer
