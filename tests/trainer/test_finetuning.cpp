// ModelFreezer: the original's test/test_finetuning.py (same model, same names) plus the
// non-default flags, which the original gets wrong (docs/trainer.md).
#include <memory>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <accel/accel.h>
#include <accel/trainer/finetuning.h>

namespace {

using accel::Tensor;
using accel::trainer::Layer;
using accel::trainer::ModelFreezer;
namespace nn = accel::nn;

// The original's model: 5 layer groups; block_2 nests a Sequential, so leaves sit at two depths.
struct FinetuneModel : nn::Module {
  FinetuneModel() {
    input = register_module("input", nn::Linear(8, 8));
    block_1 = register_module("block_1", nn::Sequential(nn::Linear(8, 8), nn::BatchNorm1d(8), nn::ReLU()));
    block_2 = register_module(
        "block_2", nn::Sequential(nn::Linear(8, 8), nn::BatchNorm1d(8),
                                  nn::Sequential(nn::Linear(8, 8), nn::BatchNorm1d(8), nn::ReLU())));
    output_1 = register_module("output_1", nn::Linear(8, 8));
    output_2 = register_module("output_2", nn::Linear(8, 2));
  }
  Tensor forward(const Tensor& x) override {
    return (*output_2)((*output_1)((*block_2)((*block_1)((*input)(x)))));
  }
  std::shared_ptr<nn::Linear> input, output_1, output_2;
  std::shared_ptr<nn::Sequential> block_1, block_2;
};

const std::vector<std::pair<int64_t, int64_t>> kRanges = {{0, 2}, {0, 4}, {1, 3}};

bool in_range(const Layer& layer, std::pair<int64_t, int64_t> range) {
  const int64_t group = layer.layer_group_idx.from_start;
  return range.first <= group && group <= range.second;
}

bool is_batch_norm(const Layer& layer) {
  return std::dynamic_pointer_cast<nn::BatchNorm1d>(layer.module) != nullptr;
}

bool all_require_grad(const std::shared_ptr<nn::Module>& module, bool value) {
  for (const Tensor& parameter : module->parameters()) {
    if (parameter.requires_grad() != value) return false;
  }
  return true;
}

void expect_same_tensors(const std::vector<Tensor>& actual, const std::vector<Tensor>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) EXPECT_TRUE(actual[i].is_same(expected[i])) << "parameter " << i;
}

TEST(ModelFreezer, test_can_convert_idxs) {
  ModelFreezer freezer(std::make_shared<FinetuneModel>());
  ASSERT_EQ(freezer.num_groups(), 5);
  EXPECT_EQ(freezer.group_range(0, 4), std::make_pair(int64_t{0}, int64_t{4}));
  EXPECT_EQ(freezer.group_range(4, 0), std::make_pair(int64_t{0}, int64_t{4}));
  EXPECT_EQ(freezer.group_range(-2, -1), std::make_pair(int64_t{3}, int64_t{4}));
  EXPECT_EQ(freezer.group_range(-1, -2), std::make_pair(int64_t{3}, int64_t{4}));
  EXPECT_EQ(freezer.group_range(0, -1), std::make_pair(int64_t{0}, int64_t{4}));
}

TEST(ModelFreezer, test_can_freeze_model) {
  for (const auto& range : kRanges) {
    SCOPED_TRACE(testing::Message() << "freeze " << range.first << ".." << range.second);
    auto model = std::make_shared<FinetuneModel>();
    ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
    freezer.freeze(range.first, range.second);
    for (const Layer& layer : freezer.get_layers()) {
      if (layer.module->parameters().empty()) continue;
      const bool frozen = in_range(layer, range);
      EXPECT_TRUE(all_require_grad(layer.module, !frozen)) << layer.module->type_name();
      EXPECT_EQ(layer.is_frozen, frozen) << layer.module->type_name();
    }
  }
}

TEST(ModelFreezer, test_can_freeze_model_except_batch_norm) {
  for (const auto& range : kRanges) {
    SCOPED_TRACE(testing::Message() << "freeze " << range.first << ".." << range.second);
    auto model = std::make_shared<FinetuneModel>();
    ModelFreezer freezer(model, /*freeze_batch_norms=*/false);
    freezer.freeze(range.first, range.second);
    int64_t batch_norms_in_range = 0;
    for (const Layer& layer : freezer.get_layers()) {
      if (layer.module->parameters().empty()) continue;
      const bool frozen = in_range(layer, range) && !is_batch_norm(layer);
      if (in_range(layer, range) && is_batch_norm(layer)) ++batch_norms_in_range;
      EXPECT_TRUE(all_require_grad(layer.module, !frozen)) << layer.module->type_name();
      EXPECT_EQ(layer.is_frozen, frozen) << layer.module->type_name();
    }
    EXPECT_GT(batch_norms_in_range, 0);
  }
}

TEST(ModelFreezer, test_can_unfreeze_model) {
  for (const auto& range : kRanges) {
    SCOPED_TRACE(testing::Message() << "unfreeze " << range.first << ".." << range.second);
    auto model = std::make_shared<FinetuneModel>();
    ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
    freezer.freeze(0, -1);
    freezer.unfreeze(range.first, range.second);
    for (const Layer& layer : freezer.get_layers()) {
      if (layer.module->parameters().empty()) continue;
      const bool frozen = !in_range(layer, range);
      EXPECT_TRUE(all_require_grad(layer.module, !frozen)) << layer.module->type_name();
      EXPECT_EQ(layer.is_frozen, frozen) << layer.module->type_name();
    }
  }
}

TEST(ModelFreezer, test_unfreeze_model_returns_correct_parameters_for_frozen_model) {
  for (const auto& range : kRanges) {
    SCOPED_TRACE(testing::Message() << "unfreeze " << range.first << ".." << range.second);
    auto model = std::make_shared<FinetuneModel>();
    ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
    freezer.freeze(0, -1);
    const auto unfrozen = freezer.unfreeze(range.first, range.second);
    const auto groups = freezer.get_layer_groups();
    ASSERT_EQ(unfrozen.size(), static_cast<size_t>(range.second - range.first + 1));
    for (int64_t group = range.first; group <= range.second; ++group) {
      ASSERT_TRUE(unfrozen.contains(group)) << "group " << group;
      expect_same_tensors(unfrozen.at(group).params, groups[static_cast<size_t>(group)].module->parameters());
    }
  }
}

TEST(ModelFreezer, test_unfreeze_model_returns_correct_parameters_for_partially_frozen_model) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
  freezer.freeze(0, -2);
  const auto unfrozen = freezer.unfreeze(0, 4);
  const auto groups = freezer.get_layer_groups();
  ASSERT_EQ(unfrozen.size(), 4u);
  for (int64_t group = 0; group < 4; ++group) {
    ASSERT_TRUE(unfrozen.contains(group)) << "group " << group;
    expect_same_tensors(unfrozen.at(group).params, groups[static_cast<size_t>(group)].module->parameters());
  }
  EXPECT_FALSE(unfrozen.contains(4));
}

TEST(ModelFreezer, LayerGroupsAreTheDirectChildrenIndexedFromBothEnds) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model);
  const auto groups = freezer.get_layer_groups();
  ASSERT_EQ(groups.size(), 5u);
  const std::vector<std::shared_ptr<nn::Module>> children = {model->input, model->block_1, model->block_2,
                                                             model->output_1, model->output_2};
  for (int64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(groups[static_cast<size_t>(i)].layer_group_idx.from_start, i);
    EXPECT_EQ(groups[static_cast<size_t>(i)].layer_group_idx.from_end, i - 5);
    EXPECT_EQ(groups[static_cast<size_t>(i)].module, children[static_cast<size_t>(i)]);
    EXPECT_FALSE(groups[static_cast<size_t>(i)].is_frozen);
  }
  // One frozen parameter freezes its group.
  model->block_2->parameters()[0].requires_grad_(false);
  EXPECT_TRUE(freezer.get_layer_groups()[2].is_frozen);
  EXPECT_FALSE(freezer.get_layer_groups()[1].is_frozen);
}

TEST(ModelFreezer, LayersAreTheLeavesDepthFirstWithTheirGroup) {
  ModelFreezer freezer(std::make_shared<FinetuneModel>());
  const auto layers = freezer.get_layers();
  const std::vector<std::pair<int64_t, std::string>> expected = {
      {0, "Linear"}, {1, "Linear"}, {1, "BatchNorm1d"}, {1, "ReLU"},   {2, "Linear"}, {2, "BatchNorm1d"},
      {2, "Linear"}, {2, "BatchNorm1d"}, {2, "ReLU"}, {3, "Linear"}, {4, "Linear"}};
  ASSERT_EQ(layers.size(), expected.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    EXPECT_EQ(layers[i].layer_group_idx.from_start, expected[i].first) << "layer " << i;
    EXPECT_EQ(layers[i].layer_group_idx.from_end, expected[i].first - 5) << "layer " << i;
    EXPECT_EQ(layers[i].module->type_name(), expected[i].second) << "layer " << i;
  }
}

TEST(ModelFreezer, ConstructorMakesEveryParameterTrainable) {
  auto model = std::make_shared<FinetuneModel>();
  for (const Tensor& parameter : model->parameters()) parameter.requires_grad_(false);
  ModelFreezer freezer(model);
  EXPECT_TRUE(all_require_grad(model, true));
  expect_same_tensors(freezer.get_trainable_parameters(), model->parameters());
}

TEST(ModelFreezer, DefaultFreezeKeepsTheLastGroupAndBatchNormsTrainable) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model);
  freezer.freeze();
  std::vector<Tensor> expected;
  for (const Layer& layer : freezer.get_layers()) {
    if (layer.layer_group_idx.from_start == 4 || is_batch_norm(layer)) {
      for (const Tensor& parameter : layer.module->parameters()) expected.push_back(parameter);
    }
  }
  EXPECT_EQ(expected.size(), 2u + 3u * 2u);  // output_2's weight and bias, three batch norms' weight and bias
  expect_same_tensors(freezer.get_trainable_parameters(), expected);
  // The default freeze leaves the modes alone.
  for (const auto& module : model->modules()) EXPECT_TRUE(module->is_training());
}

TEST(ModelFreezer, FreezeWithSetModulesAsEvalFreezesAndPutsLeavesInEvalMode) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
  freezer.freeze(1, 2, /*set_modules_as_eval=*/true);
  for (const Layer& layer : freezer.get_layers()) {
    const bool frozen = in_range(layer, {1, 2});
    EXPECT_TRUE(all_require_grad(layer.module, !frozen)) << layer.module->type_name();
    EXPECT_EQ(layer.module->is_training(), !frozen) << layer.module->type_name();
    EXPECT_EQ(layer.is_frozen, frozen) << layer.module->type_name();  // ReLU: frozen means eval
  }
}

TEST(ModelFreezer, FreezeWithSetModulesAsEvalLeavesBatchNormsAloneUnlessAsked) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/false);
  freezer.freeze(0, -1, /*set_modules_as_eval=*/true);
  for (const Layer& layer : freezer.get_layers()) {
    EXPECT_EQ(layer.module->is_training(), is_batch_norm(layer)) << layer.module->type_name();
    EXPECT_TRUE(all_require_grad(layer.module, is_batch_norm(layer))) << layer.module->type_name();
  }
}

TEST(ModelFreezer, DefaultUnfreezePutsFrozenLeavesBackInTraining) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
  freezer.freeze(0, -1, /*set_modules_as_eval=*/true);
  const auto unfrozen = freezer.unfreeze();
  EXPECT_EQ(unfrozen.size(), 5u);
  for (const Layer& layer : freezer.get_layers()) {
    EXPECT_TRUE(layer.module->is_training()) << layer.module->type_name();
    EXPECT_FALSE(layer.is_frozen) << layer.module->type_name();
  }
  EXPECT_TRUE(all_require_grad(model, true));
}

TEST(ModelFreezer, UnfreezeWithoutSetModulesAsTrainingKeepsTheModes) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
  freezer.freeze(0, -1, /*set_modules_as_eval=*/true);
  const auto unfrozen = freezer.unfreeze(0, -1, /*set_modules_as_training=*/false);
  EXPECT_EQ(unfrozen.size(), 5u);
  EXPECT_TRUE(all_require_grad(model, true));
  for (const Layer& layer : freezer.get_layers()) {
    EXPECT_FALSE(layer.module->is_training()) << layer.module->type_name();
  }
}

TEST(ModelFreezer, UnfreezeOfTrainableGroupsChangesNothing) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model, /*freeze_batch_norms=*/true);
  EXPECT_TRUE(freezer.unfreeze().empty());
  freezer.freeze(0, 1);
  const auto unfrozen = freezer.unfreeze();
  EXPECT_EQ(unfrozen.size(), 2u);
  EXPECT_TRUE(unfrozen.contains(0));
  EXPECT_TRUE(unfrozen.contains(1));
}

TEST(ModelFreezer, BatchNorm2dIsABatchNorm) {
  auto model = std::make_shared<nn::Sequential>(nn::Conv2d(1, 2, 3), nn::BatchNorm2d(2), nn::Linear(2, 2));
  ModelFreezer freezer(model);
  freezer.freeze(0, -1);
  EXPECT_TRUE(all_require_grad(model->at<nn::BatchNorm2d>(1), true));
  EXPECT_TRUE(all_require_grad(model->at<nn::Conv2d>(0), false));
  EXPECT_TRUE(all_require_grad(model->at<nn::Linear>(2), false));
}

TEST(ModelFreezer, UnfrozenGroupsGoStraightIntoAnOptimizer) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model);
  freezer.freeze();
  accel::optim::SGD optimizer(freezer.get_trainable_parameters(), {.lr = 0.1});
  for (auto& [group, params] : freezer.unfreeze(-2, -3)) optimizer.add_param_group(params);
  ASSERT_EQ(optimizer.param_groups().size(), 3u);  // the trainable ones, then groups 2 and 3
  EXPECT_DOUBLE_EQ(optimizer.param_groups()[1].lr, 0.1);
  expect_same_tensors(optimizer.param_groups()[2].params, model->output_1->parameters());

  const Tensor before = model->output_1->weight.clone();
  const Tensor frozen_before = model->input->weight.clone();
  const Tensor loss = (*model)(accel::randn({4, 8})).pow(2).sum();
  loss.backward();
  optimizer.step();
  EXPECT_FALSE(accel::equal(model->output_1->weight, before));
  EXPECT_TRUE(accel::equal(model->input->weight, frozen_before));
}

TEST(ModelFreezer, BadInputIsAnError) {
  auto model = std::make_shared<FinetuneModel>();
  ModelFreezer freezer(model);
  EXPECT_THROW(freezer.freeze(0, 5), accel::Error);
  EXPECT_THROW(freezer.unfreeze(-6, 0), accel::Error);
  EXPECT_THROW(ModelFreezer(nullptr), accel::Error);
  // A leaf half frozen behind the freezer's back.
  model->input->weight.requires_grad_(false);
  EXPECT_THROW(freezer.get_layers(), accel::Error);
}

}  // namespace
