#pragma once
// ModelFreezer: freezes and unfreezes parts of a model for fine-tuning (gradual unfreezing in
// transfer learning), a port of pytorch-accelerated's finetuning.py.
//
//   trainer::ModelFreezer freezer(model);
//   freezer.freeze();                                  // all layer groups but the last
//   accel::optim::SGD optimizer(freezer.get_trainable_parameters(), {.lr = 0.01});
//   trainer.train({...});
//   for (auto& [group_index, group] : freezer.unfreeze(-3)) optimizer.add_param_group(group);
//   trainer.train({..., .reset_run_history = false});
//
// Two views of the model:
// - layer groups: the model's direct children, in registration order, indexed 0..G-1 (and -G..-1
//   from the end);
// - layers: the leaf modules (no children) below each group, depth first, tagged with their group.
// Freezing works leaf by leaf, so that batch-norm layers can be left trainable inside a frozen group.
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include <accel/nn/module.h>
#include <accel/optim/optimizer.h>
#include <accel/tensor/tensor.h>

namespace accel::trainer {

// A layer group's position counted from the start (0..G-1) and from the end (-G..-1), as the
// original's (i, i - G) tuple.
struct LayerGroupIndex {
  int64_t from_start = 0;
  int64_t from_end = 0;
  bool operator==(const LayerGroupIndex&) const = default;
};

// A direct child of the model. Frozen when any of its parameters does not require grad.
struct LayerGroup {
  LayerGroupIndex layer_group_idx;
  std::shared_ptr<nn::Module> module;
  bool is_frozen = false;
};

// A leaf module. With parameters: frozen when they do not require grad. Without (ReLU, Dropout):
// frozen when in eval mode, so that freezing with set_modules_as_eval has a visible state to undo.
struct Layer {
  LayerGroupIndex layer_group_idx;
  std::shared_ptr<nn::Module> module;
  bool is_frozen = false;
};

class ModelFreezer {
 public:
  // Makes every parameter of the model trainable, whatever its previous state; later freezing and
  // unfreezing should go through this object. freeze_batch_norms: also freeze BatchNorm layers
  // (by default they stay trainable, which usually fine-tunes better).
  explicit ModelFreezer(std::shared_ptr<nn::Module> model, bool freeze_batch_norms = false);

  int64_t num_groups() const { return static_cast<int64_t>(groups_.size()); }
  std::vector<LayerGroup> get_layer_groups() const;
  // Throws when a leaf has both frozen and trainable parameters (changed outside this object).
  std::vector<Layer> get_layers() const;
  // The parameters that require grad, in module order: what an optimizer should get.
  std::vector<Tensor> get_trainable_parameters() const;

  // Freezes the layer groups from_index..to_index (inclusive; negative counts from the end; the two
  // may come in either order); by default all groups but the last. set_modules_as_eval also puts
  // the frozen leaves in eval mode (e.g. dropout off).
  void freeze(int64_t from_index = 0, int64_t to_index = -2, bool set_modules_as_eval = false);
  // Unfreezes the layer groups from_index..to_index; by default all of them. set_modules_as_training
  // also puts the unfrozen leaves in training mode. Returns, for each group that changed, the
  // parameters that became trainable (in module order) as a group for Optimizer::add_param_group.
  std::map<int64_t, optim::ParamGroup> unfreeze(int64_t from_index = -1, int64_t to_index = 0,
                                                bool set_modules_as_training = true);

  // The inclusive range of group indices [first, last] that from_index..to_index selects (the
  // original's _convert_idxs). Throws when an index is outside -G..G-1.
  std::pair<int64_t, int64_t> group_range(int64_t from_index, int64_t to_index) const;

 private:
  // Sets requires_grad (and, with set_mode, the training mode) of the selected leaves that are not
  // already in the target state; returns the parameters it changed, by group.
  std::map<int64_t, optim::ParamGroup> change_state(int64_t from_index, int64_t to_index, bool freeze, bool set_mode);
  LayerGroupIndex index_of_group(int64_t group) const { return {group, group - num_groups()}; }

  std::shared_ptr<nn::Module> model_;
  bool freeze_batch_norms_;
  std::vector<std::shared_ptr<nn::Module>> groups_;
  // (group index, leaf) in depth-first order.
  std::vector<std::pair<int64_t, std::shared_ptr<nn::Module>>> leaves_;
};

}  // namespace accel::trainer
