// The examples of docs/trainer.md, compiled and run: the quick start with the default callbacks,
// a Trainer subclass computing accuracy in its hooks, and a custom callback that stops training.
#include <gtest/gtest.h>

#include "trainer_testing.h"

namespace nn = accel::nn;
namespace data = accel::data;
using accel::Tensor;

namespace {

struct MNISTModel : nn::Module {
  MNISTModel() {
    fc1 = register_module("fc1", nn::Linear(4, 16));
    fc2 = register_module("fc2", nn::Linear(16, 3));
  }
  Tensor forward(const Tensor& x) override { return fc2->forward(accel::relu(fc1->forward(x))); }
  std::shared_ptr<nn::Linear> fc1, fc2;
};

// Three separable classes: the label is the index of the largest of the first three features.
data::TensorDataset classification_dataset(int64_t n, uint64_t seed) {
  accel::Generator generator(seed);
  Tensor x = accel::randn({n, 4}, {}, &generator);
  Tensor y = x.index({accel::indexing::Slice(), accel::indexing::Slice(0, 3)}).argmax(1);
  return data::TensorDataset({x, y});
}

class MyTrainer : public accel::Trainer {
 public:
  using Trainer::Trainer;
  accel::trainer::BatchOutput calculate_eval_batch_loss(const data::Batch& batch) override {
    auto output = Trainer::calculate_eval_batch_loss(batch);
    correct_ += output.model_outputs.argmax(1).eq(batch[1]).sum().item<int64_t>();
    total_ += output.batch_size;
    return output;
  }
  void eval_epoch_end() override {
    run_history->update_metric("accuracy", double(correct_) / double(total_));
    correct_ = total_ = 0;
  }

 private:
  int64_t correct_ = 0, total_ = 0;
};

class AccuracyCallback : public accel::TrainerCallback {
 public:
  explicit AccuracyCallback(double target) : target_(target) {}
  void on_eval_epoch_start(accel::Trainer&, bool) override { correct_ = total_ = 0; }
  void on_eval_step_end(accel::Trainer&, const data::Batch& batch, const accel::trainer::BatchOutput& output) override {
    correct_ += output.model_outputs.argmax(1).eq(batch[1]).sum().item<int64_t>();
    total_ += output.batch_size;
  }
  void on_eval_epoch_end(accel::Trainer& trainer, bool is_intermediate) override {
    if (is_intermediate) return;
    const double accuracy = double(correct_) / double(total_);
    trainer.run_history->update_metric("accuracy", accuracy);
    if (accuracy >= target_) throw accel::StopTrainingError("reached the target accuracy");
  }

 private:
  double target_;
  int64_t correct_ = 0, total_ = 0;
};

}  // namespace

TEST(TrainerQuickStart, TrainsAndEvaluatesWithTheDefaultCallbacks) {
  accel::manual_seed(0);
  const auto train = classification_dataset(512, 1), validation = classification_dataset(128, 2),
             test = classification_dataset(128, 3);
  auto model = std::make_shared<MNISTModel>();
  accel::optim::SGD optimizer(model->parameters(), {.lr = 0.05, .momentum = 0.9});
  accel::Trainer trainer(model, accel::nn::CrossEntropyLoss(), optimizer);
  EXPECT_EQ(trainer.callback_handler->callback_list(),
            (std::vector<std::string>{"MoveModulesToDeviceCallback", "TerminateOnNaNCallback", "PrintProgressCallback",
                                      "ProgressBarCallback", "LogMetricsCallback"}));
  trainer.train({.train_dataset = train, .eval_dataset = validation, .num_epochs = 8, .per_device_batch_size = 32});
  trainer.evaluate({.dataset = test, .per_device_batch_size = 64});
  const std::vector<double> losses = trainer.run_history->get_metric_values("evaluation_loss");
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_LT(losses[0], 0.3);  // a random guess scores ln 3 = 1.1
}

TEST(TrainerQuickStart, SubclassComputesAccuracyInItsHooks) {
  accel::manual_seed(0);
  auto model = std::make_shared<MNISTModel>();
  accel::optim::SGD optimizer(model->parameters(), {.lr = 0.05, .momentum = 0.9});
  MyTrainer trainer(model, accel::nn::CrossEntropyLoss(), optimizer, {});
  trainer.train({.train_dataset = classification_dataset(512, 1),
                 .eval_dataset = classification_dataset(128, 2),
                 .num_epochs = 8,
                 .per_device_batch_size = 32});
  const std::vector<double> accuracy = trainer.run_history->get_metric_values("accuracy");
  ASSERT_EQ(accuracy.size(), 8u);
  EXPECT_GT(accuracy.back(), 0.9);
}

TEST(TrainerQuickStart, CustomCallbackStopsAtItsTarget) {
  accel::manual_seed(0);
  auto model = std::make_shared<MNISTModel>();
  accel::optim::SGD optimizer(model->parameters(), {.lr = 0.05, .momentum = 0.9});
  accel::Trainer trainer(model, accel::nn::CrossEntropyLoss(), optimizer, {std::make_shared<AccuracyCallback>(0.8)});
  trainer.train({.train_dataset = classification_dataset(512, 1),
                 .eval_dataset = classification_dataset(128, 2),
                 .num_epochs = 50,
                 .per_device_batch_size = 32});
  const std::vector<double> accuracy = trainer.run_history->get_metric_values("accuracy");
  ASSERT_FALSE(accuracy.empty());
  EXPECT_LT(accuracy.size(), 50u);
  EXPECT_GE(accuracy.back(), 0.8);
  for (size_t i = 0; i + 1 < accuracy.size(); ++i) EXPECT_LT(accuracy[i], 0.8);
}
