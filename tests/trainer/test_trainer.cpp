// Port of pytorch-accelerated's test/test_trainer.py (§2.1, items 1-21), with real tests where the
// original's are empty (model mode, accumulation cadence, scheduler factory, run-history reset),
// and the fixes accel makes to the original's ⚠ items.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include <accel/trainer/limit_batches.h>

#include "trainer_testing.h"

namespace nn = accel::nn;
namespace optim = accel::optim;
namespace data = accel::data;
using accel::Tensor;
using namespace accel::trainer;
using namespace accel::trainer::testing;

namespace {

// A Trainer that counts what the loop calls.
class CountingTrainer : public Trainer {
 public:
  using Trainer::Trainer;
  void run_train_epoch() override {
    ++train_epochs;
    Trainer::run_train_epoch();
  }
  void run_eval_epoch(bool is_intermediate) override {
    ++eval_epochs;
    Trainer::run_eval_epoch(is_intermediate);
  }
  bool optimizer_step() override {
    ++optimizer_steps;
    return Trainer::optimizer_step();
  }
  void scheduler_step() override {
    ++scheduler_steps;
    Trainer::scheduler_step();
  }
  void optimizer_zero_grad() override {
    ++zero_grads;
    Trainer::optimizer_zero_grad();
  }
  void clip_gradients() override {
    ++clips;
    Trainer::clip_gradients();
  }
  Metadata load_training_state(const std::string& input_dir) override {
    loaded_states.push_back(input_dir);
    return Trainer::load_training_state(input_dir);
  }
  int train_epochs = 0, eval_epochs = 0, optimizer_steps = 0, scheduler_steps = 0, zero_grads = 0, clips = 0;
  std::vector<std::string> loaded_states;
};

// Calls a function on the train-step-end event (the micro-batch index, the scaled loss).
class StepCallback : public TrainerCallback {
 public:
  explicit StepCallback(std::function<void(Trainer&, const BatchOutput&, int64_t)> on_step)
      : on_step_(std::move(on_step)) {}
  void on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput& output, int64_t step) override {
    on_step_(trainer, output, step);
  }

 private:
  std::function<void(Trainer&, const BatchOutput&, int64_t)> on_step_;
};

struct TrainerFixture : ::testing::Test {
  RegressionProblem problem;
  CountingTrainer make_trainer(std::vector<std::shared_ptr<TrainerCallback>> callbacks = {}) {
    return CountingTrainer(problem.model, nn::MSELoss(), *problem.optimizer, std::move(callbacks));
  }
};

std::vector<float> weights(const nn::Module& model) {
  std::vector<float> values;
  for (const Tensor& p : model.parameters())
    for (int64_t i = 0; i < p.numel(); ++i) values.push_back(p.view({-1})[i].item<float>());
  return values;
}

}  // namespace

// 1
TEST_F(TrainerFixture, SkipEvalIfNotPresent) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(8), .num_epochs = 2, .per_device_batch_size = 4});
  EXPECT_EQ(trainer.train_epochs, 2);
  EXPECT_EQ(trainer.eval_epochs, 0);
}

// 2
TEST_F(TrainerFixture, SkipSchedulerStepIfNotPresent) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(8), .num_epochs = 1, .per_device_batch_size = 4});
  EXPECT_EQ(trainer.optimizer_steps, 2);
  EXPECT_EQ(trainer.scheduler_steps, 0);
  EXPECT_EQ(trainer.scheduler, nullptr);
}

// 3
TEST_F(TrainerFixture, CanOverrideTrainDataloaderKwargs) {
  auto trainer = make_trainer();
  const data::TensorDataset dataset = regression_dataset(200);
  trainer.train_dataset = dataset;
  trainer.collate_fn = data::default_collate;
  const auto loader = trainer.create_train_dataloader(10, {.batch_size = 100, .num_workers = 0, .pin_memory = false});
  const data::DataLoader& built = dynamic_cast<DataLoaderBatches&>(*loader).data_loader();
  EXPECT_EQ(&built.dataset(), &**trainer.train_dataset);
  EXPECT_TRUE(built.options().collate_fn);
  EXPECT_TRUE(built.options().shuffle);
  EXPECT_EQ(built.options().batch_size, 100);
  EXPECT_FALSE(built.options().pin_memory);
  EXPECT_EQ(built.options().num_workers, 0);
  EXPECT_EQ(built.options().seed, 42u);
  EXPECT_EQ(loader->size(), 2);
  EXPECT_EQ(trainer.train_dl_kwargs->batch_size, 100);
}

// 4
TEST_F(TrainerFixture, CanOverrideEvalDataloaderKwargs) {
  auto trainer = make_trainer();
  trainer.eval_dataset = regression_dataset(200);
  const auto loader = trainer.create_eval_dataloader(10, {.batch_size = 100, .num_workers = 0, .pin_memory = false});
  const data::DataLoader& built = dynamic_cast<DataLoaderBatches&>(*loader).data_loader();
  EXPECT_FALSE(built.options().shuffle);
  EXPECT_EQ(built.options().batch_size, 100);
  EXPECT_EQ(built.options().num_workers, 0);
  EXPECT_EQ(trainer.eval_dl_kwargs->batch_size, 100);
}

TEST_F(TrainerFixture, DefaultLoaderKwargs) {
  auto trainer = make_trainer();
  const data::DataLoaderOptions options = trainer.get_default_train_dl_kwargs(16);
  EXPECT_EQ(options.batch_size, 16);
  EXPECT_TRUE(options.shuffle);
  EXPECT_GE(options.num_workers, 1);
  EXPECT_FALSE(options.pin_memory);  // on the CPU
  EXPECT_FALSE(trainer.get_default_eval_dl_kwargs(16).shuffle);
}

TEST_F(TrainerFixture, ASamplerTurnsShufflingOff) {
  auto trainer = make_trainer();
  trainer.train_dataset = regression_dataset(4);
  auto sampler = std::make_shared<data::SequentialSampler>(4);
  trainer.create_train_dataloader(2, {.sampler = sampler});
  EXPECT_FALSE(trainer.train_dl_kwargs->shuffle);
  EXPECT_EQ(trainer.train_dl_kwargs->sampler, sampler);
}

// 5 (empty in the original): train() puts the model in training mode, evaluation in eval mode.
TEST_F(TrainerFixture, ModelIsInCorrectMode) {
  struct ModeCallback : TrainerCallback {
    void on_train_step_start(Trainer& trainer) override { train_modes.push_back(trainer.model->is_training()); }
    void on_eval_step_start(Trainer& trainer) override { eval_modes.push_back(trainer.model->is_training()); }
    std::vector<bool> train_modes, eval_modes;
  };
  auto modes = std::make_shared<ModeCallback>();
  auto trainer = make_trainer({modes});
  problem.model->eval();
  trainer.train({.train_dataset = regression_dataset(4),
                 .eval_dataset = regression_dataset(4),
                 .num_epochs = 2,
                 .per_device_batch_size = 2});
  EXPECT_EQ(modes->train_modes, std::vector<bool>(4, true));
  EXPECT_EQ(modes->eval_modes, std::vector<bool>(4, false));
  trainer.evaluate({.dataset = regression_dataset(2), .per_device_batch_size = 1});
  EXPECT_EQ(modes->eval_modes, std::vector<bool>(6, false));
}

// 5 (empty in the original): an update every GA micro-batches and at the last one; the loss seen by
// callbacks and backward is divided by GA (also in the short last window).
TEST_F(TrainerFixture, GradientAccumulation) {
  std::vector<int64_t> steps;
  std::vector<double> scaled_losses;
  auto record = std::make_shared<StepCallback>([&](Trainer& trainer, const BatchOutput& output, int64_t step) {
    steps.push_back(step);
    scaled_losses.push_back(output.loss.item<double>());
    EXPECT_DOUBLE_EQ(trainer.loss_tracker.loss_value, output.loss.item<double>());
  });
  struct UpdateLog : CountingTrainer {
    using CountingTrainer::CountingTrainer;
    bool optimizer_step() override {
      update_after_micro_batches.push_back(micro_batches);
      return CountingTrainer::optimizer_step();
    }
    BatchOutput calculate_train_batch_loss(const data::Batch& batch) override {
      ++micro_batches;
      BatchOutput output = CountingTrainer::calculate_train_batch_loss(batch);
      raw_losses.push_back(output.loss.item<double>());
      return output;
    }
    int micro_batches = 0;
    std::vector<int> update_after_micro_batches;
    std::vector<double> raw_losses;
  };
  UpdateLog trainer(problem.model, nn::MSELoss(), *problem.optimizer, {record});
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 2,
                 .per_device_batch_size = 1,
                 .gradient_accumulation_steps = 3,
                 .train_dataloader_kwargs = sequential_loader()});
  EXPECT_EQ(trainer.update_after_micro_batches, (std::vector<int>{3, 6, 9, 10, 13, 16, 19, 20}));
  EXPECT_EQ(trainer.zero_grads, 8);
  EXPECT_EQ(trainer.run_config->num_update_steps_per_epoch, 4);
  ASSERT_EQ(scaled_losses.size(), 20u);
  for (size_t i = 0; i < scaled_losses.size(); ++i)
    EXPECT_NEAR(scaled_losses[i], trainer.raw_losses[i] / 3, 1e-7 * std::abs(trainer.raw_losses[i]));
  EXPECT_EQ(steps.front(), 0);
  EXPECT_EQ(steps[9], 9);
  EXPECT_EQ(steps[10], 0);
}

// Accumulated gradients over a window equal the gradient of the window's mean loss, so GA=2 with
// batch 2 takes the same steps as GA=1 with batch 4 (sequential order, plain SGD).
TEST(TrainerAccumulation, AccumulatedUpdatesMatchALargerBatch) {
  const auto train = [](int64_t batch_size, int64_t accumulation_steps) {
    accel::manual_seed(0);
    auto model = std::make_shared<nn::Linear>(1, 1);
    optim::SGD optimizer(model->parameters(), {.lr = 0.1});
    Trainer trainer(model, nn::MSELoss(), optimizer, {});
    trainer.train({.train_dataset = regression_dataset(8),
                   .num_epochs = 3,
                   .per_device_batch_size = batch_size,
                   .gradient_accumulation_steps = accumulation_steps,
                   .train_dataloader_kwargs = sequential_loader()});
    return weights(*model);
  };
  const std::vector<float> accumulated = train(2, 2), large_batch = train(4, 1);
  ASSERT_EQ(accumulated.size(), large_batch.size());
  for (size_t i = 0; i < accumulated.size(); ++i) EXPECT_NEAR(accumulated[i], large_batch[i], 1e-6);
}

namespace {
// Returns a constant loss of 1 and records what backward receives.
class ConstantLossTrainer : public Trainer {
 public:
  ConstantLossTrainer(RegressionProblem& problem, bool with_num_items)
      : Trainer(problem.model, nullptr, *problem.optimizer, {}), with_num_items_(with_num_items) {}
  BatchOutput calculate_train_batch_loss(const data::Batch&) override {
    BatchOutput output{.loss = accel::ones({}), .batch_size = 1};
    if (with_num_items_) output.num_items_in_batch = 7;
    return output;
  }
  void backward_step(const Tensor& loss) override { backward_losses.push_back(loss.item<double>()); }
  std::vector<double> backward_losses;

 private:
  bool with_num_items_;
};

double backward_loss(RegressionProblem& problem, bool with_num_items, bool distributed) {
  ConstantLossTrainer trainer(problem, with_num_items);
  trainer.run_config =
      create_run_config({.gradient_accumulation_steps = 2, .train_dataloader_len = 4},
                        Accelerator{.num_processes = distributed ? 4 : 1, .num_local_processes = distributed ? 4 : 1});
  trainer.perform_forward_and_backward_passes({}, 0);
  return trainer.backward_losses.at(0);
}
}  // namespace

// 6
TEST_F(TrainerFixture, GradientAccumulationWithNumItemsInBatch) {
  EXPECT_EQ(backward_loss(problem, /*with_num_items=*/false, /*distributed=*/true), 0.5);
  EXPECT_EQ(backward_loss(problem, /*with_num_items=*/true, /*distributed=*/true), 2.0);
}

// 7
TEST_F(TrainerFixture, GradientAccumulationNoScalingWithoutDistributed) {
  EXPECT_EQ(backward_loss(problem, /*with_num_items=*/true, /*distributed=*/false), 0.5);
}

namespace {
RunConfig eval_config(int64_t per_device_batch_size, int64_t num_processes) {
  return create_run_config({.per_device_batch_size = per_device_batch_size},
                           Accelerator{.num_processes = num_processes, .num_local_processes = num_processes});
}
}  // namespace

// 8
TEST(TrainerEvalBatchSize, IsTransparentOnSingleProcess) {
  EXPECT_EQ(eval_batch_size_warning(eval_config(8, 1), 7), std::nullopt);
}

// 9
TEST(TrainerEvalBatchSize, IsTransparentWithFullBatchesForAllProcesses) {
  EXPECT_EQ(eval_batch_size_warning(eval_config(8, 4), 64), std::nullopt);
}

// 10
TEST(TrainerEvalBatchSize, RaisesBatchSizeBiggerThanDataset) {
  EXPECT_THROW(eval_batch_size_warning(eval_config(4, 2), 7), accel::Error);
}

// 11
TEST(TrainerEvalBatchSize, WarnsEmptyProcessOnLastBatch) {
  const auto warning = eval_batch_size_warning(eval_config(8, 4), 64 + 23);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("gets none"), std::string::npos) << *warning;
}

// 12
TEST(TrainerEvalBatchSize, WarnsPaddingIsNeeded) {
  const auto warning = eval_batch_size_warning(eval_config(8, 4), 64 + 25);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("padding_value"), std::string::npos) << *warning;
}

// 13
TEST(TrainerRunConfig, RunConfigPerProcess) {
  const RunConfig config =
      create_run_config({.num_epochs = 300, .per_device_batch_size = 64, .train_dataloader_len = 20},
                        Accelerator{.num_processes = 4, .num_local_processes = 4});
  EXPECT_EQ(config.num_update_steps_per_epoch, 80);
  EXPECT_EQ(config.num_local_update_steps_per_epoch, 20);
  EXPECT_EQ(config.max_num_train_steps, 24001);
  EXPECT_EQ(config.num_epochs, 300);
  EXPECT_EQ(config.train_total_batch_size, 256);
  EXPECT_TRUE(config.is_distributed);
}

TEST(TrainerRunConfig, BatchSizesComeFromTheLoaders) {
  const RunConfig config = create_run_config({.num_epochs = 1,
                                              .per_device_batch_size = 8,
                                              .train_dl_kwargs = data::DataLoaderOptions{.batch_size = 16},
                                              .eval_dl_kwargs = data::DataLoaderOptions{.batch_size = 32},
                                              .gradient_accumulation_steps = 2,
                                              .train_dataloader_len = 5},
                                             Accelerator{});
  EXPECT_EQ(config.train_per_device_batch_size, 16);
  EXPECT_EQ(config.eval_per_device_batch_size, 32);
  EXPECT_EQ(config.train_total_batch_size, 32);
  EXPECT_EQ(config.eval_total_batch_size, 32);
  EXPECT_EQ(config.num_update_steps_per_epoch, 3);
}

TEST(TrainerRunConfig, RejectsBadArguments) {
  EXPECT_THROW(create_run_config({.num_epochs = 0, .train_dataloader_len = 5}, Accelerator{}), accel::Error);
  EXPECT_THROW(create_run_config({.gradient_accumulation_steps = 0, .train_dataloader_len = 5}, Accelerator{}),
               accel::Error);
  EXPECT_THROW(create_run_config({.max_num_train_steps = 0, .train_dataloader_len = 5}, Accelerator{}), accel::Error);
  EXPECT_THROW(create_run_config({.gradient_clip_value = -1.0, .train_dataloader_len = 5}, Accelerator{}),
               accel::Error);
}

// 14
TEST_F(TrainerFixture, MaxStepsStopsTrainingCorrectly) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(40),
                 .num_epochs = 10,
                 .per_device_batch_size = 1,
                 .max_num_train_steps = 15,
                 .gradient_accumulation_steps = 2});
  EXPECT_EQ(trainer.optimizer_steps, 15);
  EXPECT_EQ(trainer.train_epochs, 1);
}

// 15
TEST_F(TrainerFixture, MaxStepsOverridesNumEpochs) {
  auto trainer = make_trainer();
  trainer.train(
      {.train_dataset = regression_dataset(10), .num_epochs = 2, .per_device_batch_size = 1, .max_num_train_steps = 7});
  EXPECT_EQ(trainer.optimizer_steps, 7);
  EXPECT_EQ(trainer.run_config->num_epochs, 1);
}

TEST_F(TrainerFixture, MaxStepsCanRaiseNumEpochs) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 1,
                 .per_device_batch_size = 1,
                 .max_num_train_steps = 25});
  EXPECT_EQ(trainer.optimizer_steps, 25);
  EXPECT_EQ(trainer.run_config->num_epochs, 3);
  EXPECT_EQ(trainer.train_epochs, 3);
}

// 16
TEST_F(TrainerFixture, NoMaxStepsCompletesAllEpochs) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(6), .num_epochs = 2, .per_device_batch_size = 1});
  EXPECT_EQ(trainer.optimizer_steps, 12);
}

// ⚠ §1.19: max steps count the updates of the current run, also when the history continues.
TEST_F(TrainerFixture, MaxStepsCountRelativeToTheCurrentRun) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(10), .num_epochs = 2, .per_device_batch_size = 1});
  EXPECT_EQ(trainer.run_history->current_epoch(), 3);
  trainer.optimizer_steps = 0;
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 6,
                 .per_device_batch_size = 1,
                 .reset_run_history = false});
  EXPECT_EQ(trainer.optimizer_steps, 60);  // the original stops after 41
  EXPECT_EQ(trainer.run_history->current_epoch(), 9);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch").size(), 8u);
}

// 5 (empty in the original): the factory gets the optimizer and the run config; the scheduler
// is stepped once per update.
TEST_F(TrainerFixture, CanCreateScheduler) {
  auto trainer = make_trainer();
  std::optional<RunConfig> seen;
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 2,
                 .per_device_batch_size = 2,
                 .gradient_accumulation_steps = 2,
                 .create_scheduler_fn = [&](optim::Optimizer& optimizer, const RunConfig& config) {
                   EXPECT_EQ(&optimizer, problem.optimizer.get());
                   seen = config;
                   return scheduler_factory<optim::StepLR>(TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH, 0.5)(
                       optimizer, config);
                 }});
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->num_epochs, 2);
  EXPECT_EQ(seen->num_update_steps_per_epoch, 3);
  EXPECT_EQ(trainer.scheduler_steps, 6);
  ASSERT_NE(dynamic_cast<optim::StepLR*>(trainer.scheduler.get()), nullptr);
  EXPECT_DOUBLE_EQ(problem.optimizer->param_groups()[0].lr, 0.1 * 0.25);  // halved after each epoch
}

TEST_F(TrainerFixture, LibrarySchedulerFactoriesConvert) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 2,
                 .per_device_batch_size = 2,
                 .create_scheduler_fn = optim::CosineLrScheduler::create_scheduler_fn()});
  ASSERT_NE(dynamic_cast<optim::CosineLrScheduler*>(trainer.scheduler.get()), nullptr);
  EXPECT_EQ(trainer.scheduler_steps, 10);
}

// ⚠ §1.5 step 8: a run without a factory does not keep the previous run's scheduler.
TEST_F(TrainerFixture, RunWithoutFactoryHasNoScheduler) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(4),
                 .num_epochs = 1,
                 .per_device_batch_size = 2,
                 .create_scheduler_fn = scheduler_factory<optim::StepLR>(int64_t{1}, 0.5)});
  ASSERT_NE(trainer.scheduler, nullptr);
  trainer.train({.train_dataset = regression_dataset(4), .num_epochs = 1, .per_device_batch_size = 2});
  EXPECT_EQ(trainer.scheduler, nullptr);
}

// 5 (empty in the original)
TEST_F(TrainerFixture, CanResetRunHistory) {
  auto trainer = make_trainer();
  const TrainOptions options{.train_dataset = regression_dataset(4), .num_epochs = 2, .per_device_batch_size = 2};
  trainer.train(options);
  trainer.train(options);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch").size(), 2u);
  EXPECT_EQ(trainer.run_history->current_epoch(), 3);
  TrainOptions continued = options;
  continued.reset_run_history = false;
  trainer.train(continued);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch").size(), 4u);
  EXPECT_EQ(trainer.run_history->current_epoch(), 5);
  trainer.evaluate({.dataset = regression_dataset(4)});  // evaluate always resets
  EXPECT_EQ(trainer.run_history->get_metric_names(), std::vector<std::string>{"evaluation_loss"});
  EXPECT_EQ(trainer.run_history->current_epoch(), 1);
}

TEST_F(TrainerFixture, EpochLossesAreSampleWeightedMeans) {
  // Batches of 3, 3 and 1 samples: the epoch's loss weights each batch by its size.
  struct BatchLosses : TrainerCallback {
    void on_eval_step_end(Trainer&, const data::Batch&, const BatchOutput& output) override {
      weighted_sum += output.loss.item<double>() * static_cast<double>(output.batch_size);
      count += output.batch_size;
    }
    double weighted_sum = 0;
    int64_t count = 0;
  };
  auto losses = std::make_shared<BatchLosses>();
  auto trainer = make_trainer({losses});
  trainer.evaluate({.dataset = regression_dataset(7), .per_device_batch_size = 3});
  EXPECT_EQ(losses->count, 7);
  EXPECT_NEAR(trainer.run_history->get_latest_metric("evaluation_loss"), losses->weighted_sum / 7, 1e-12);
}

TEST_F(TrainerFixture, TrainingReducesTheLoss) {
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(32),
                 .eval_dataset = regression_dataset(16),
                 .num_epochs = 20,
                 .per_device_batch_size = 4});
  const std::vector<double> eval_losses = trainer.run_history->get_metric_values("eval_loss_epoch");
  ASSERT_EQ(eval_losses.size(), 20u);
  EXPECT_LT(eval_losses.back(), eval_losses.front() / 100);
  EXPECT_EQ(trainer.run_history->get_metric_names(), (std::vector<std::string>{"train_loss_epoch", "eval_loss_epoch"}));
}

TEST_F(TrainerFixture, EveryRunIsSeededWith42) {
  const auto run = [&]() {
    RegressionProblem fresh;
    Trainer trainer(fresh.model, nn::MSELoss(), *fresh.optimizer, {});
    accel::manual_seed(1234);  // overridden by the run's seeding
    trainer.train({.train_dataset = regression_dataset(16),
                   .num_epochs = 2,
                   .per_device_batch_size = 4,
                   .train_dataloader_kwargs = {.num_workers = 2}});
    EXPECT_EQ(accel::default_generator().seed(), 42u);
    return weights(*fresh.model);
  };
  EXPECT_EQ(run(), run());
}

// Clipping happens once per update (⚠ §1.16: the original clipped every micro-batch).
TEST_F(TrainerFixture, ClipsGradientValuesOncePerUpdate) {
  struct CheckClipped : CountingTrainer {
    using CountingTrainer::CountingTrainer;
    bool optimizer_step() override {
      for (const Tensor& p : model->parameters())
        max_abs_grad = std::max(max_abs_grad, p.grad().abs().max().item<double>());
      return CountingTrainer::optimizer_step();
    }
    double max_abs_grad = 0;
  };
  CheckClipped trainer(problem.model, nn::MSELoss(), *problem.optimizer, {});
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 1,
                 .per_device_batch_size = 1,
                 .gradient_accumulation_steps = 4,
                 .gradient_clip_value = 0.01});
  EXPECT_EQ(trainer.clips, 3);
  EXPECT_EQ(trainer.optimizer_steps, 3);
  EXPECT_GT(trainer.max_abs_grad, 0.0);
  EXPECT_LE(trainer.max_abs_grad, 0.01);
}

TEST_F(TrainerFixture, ClipsGradientNorm) {
  struct CheckNorm : Trainer {
    using Trainer::Trainer;
    bool optimizer_step() override {
      double squares = 0;
      for (const Tensor& p : model->parameters()) squares += (p.grad() * p.grad()).sum().item<double>();
      max_norm = std::max(max_norm, std::sqrt(squares));
      return Trainer::optimizer_step();
    }
    double max_norm = 0;
  };
  CheckNorm trainer(problem.model, nn::MSELoss(), *problem.optimizer, {});
  trainer.train({.train_dataset = regression_dataset(10),
                 .num_epochs = 1,
                 .per_device_batch_size = 2,
                 .gradient_clip_norm = 0.05});
  EXPECT_GT(trainer.max_norm, 0.04);
  EXPECT_LE(trainer.max_norm, 0.05 + 1e-6);
}

// 17: the checkpoint holds the model's own (PyTorch) names, nothing else at the top level.
TEST_F(TrainerFixture, SaveCheckpointUsesTheModelsNames) {
  TemporaryDirectory dir("accel_trainer_names");
  auto trainer = make_trainer();
  trainer.save_checkpoint(dir.file("model.safetensors"), {.save_optimizer = false});
  const Checkpoint checkpoint = read_checkpoint(dir.file("model.safetensors"));
  EXPECT_EQ(checkpoint.model_state_dict.keys(), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(accel::load(dir.file("model.safetensors")).keys(), (std::vector<std::string>{"weight", "bias"}));
}

// 18
TEST_F(TrainerFixture, LoadCheckpointReturnsTheModelState) {
  TemporaryDirectory dir("accel_trainer_load");
  auto trainer = make_trainer();
  trainer.save_checkpoint(dir.file("c.safetensors"));
  const Checkpoint checkpoint =
      trainer.load_checkpoint(dir.file("c.safetensors"), {.load_optimizer = true, .load_scheduler = false});
  EXPECT_TRUE(checkpoint.contains("model_state_dict"));
  EXPECT_EQ(checkpoint.model_state_dict.size(), 2u);
}

// 19
TEST_F(TrainerFixture, GetModelReturnsTheModel) {
  auto trainer = make_trainer();
  EXPECT_EQ(trainer.get_model().get(), problem.model.get());
}

// 20 is RunHistory.SetEpochOnRunHistory (test_run_history.cpp).

// 21: resume_from restores the state and the epoch, and runs the epochs left of that run.
TEST_F(TrainerFixture, TrainResumeFromSetsEpoch) {
  TemporaryDirectory dir("accel_trainer_resume");
  {
    auto first = make_trainer();
    first.run_history->set_epoch(3);
    first.save_training_state(dir.path());
  }
  auto trainer = make_trainer();
  trainer.train(
      {.train_dataset = regression_dataset(4), .num_epochs = 5, .per_device_batch_size = 2, .resume_from = dir.path()});
  EXPECT_EQ(trainer.loaded_states, std::vector<std::string>{dir.path()});
  EXPECT_EQ(trainer.train_epochs, 3);  // epochs 3, 4 and 5
  EXPECT_EQ(trainer.run_history->current_epoch(), 6);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch").size(), 3u);
}

TEST_F(TrainerFixture, StopTrainingErrorEndsTheRun) {
  auto stop = std::make_shared<StepCallback>([](Trainer&, const BatchOutput&, int64_t step) {
    if (step == 1) throw StopTrainingError("stop at step 1");
  });
  struct Ended : TrainerCallback {
    void on_stop_training_error(Trainer&) override { ++stops; }
    void on_training_run_end(Trainer&) override { ++ends; }
    void on_train_epoch_end(Trainer&) override { ++epoch_ends; }
    int stops = 0, ends = 0, epoch_ends = 0;
  };
  auto ended = std::make_shared<Ended>();
  auto trainer = make_trainer({stop, ended});
  trainer.train({.train_dataset = regression_dataset(8), .num_epochs = 3, .per_device_batch_size = 2});
  EXPECT_EQ(ended->stops, 1);
  EXPECT_EQ(ended->ends, 1);
  EXPECT_EQ(ended->epoch_ends, 0);
  EXPECT_EQ(trainer.train_epochs, 1);
  EXPECT_EQ(trainer.run_history->current_epoch(), 1);
}

TEST_F(TrainerFixture, GatherWithOneProcessRemovesPadding) {
  auto trainer = make_trainer();
  const Tensor t = accel::tensor({0.0, 1.0, 2.0, 3.0, -1.0, -1.0});
  EXPECT_TRUE(accel::equal(trainer.gather(t), t));
  EXPECT_TRUE(accel::equal(trainer.gather(t, -1.0), accel::tensor({0.0, 1.0, 2.0, 3.0})));
  const Tensor ints = accel::tensor({{1, 2}, {-1, -1}}, {.dtype = accel::kInt64});
  EXPECT_TRUE(accel::equal(trainer.gather(ints, -1.2), accel::tensor({{1, 2}}, {.dtype = accel::kInt64})));
}

TEST_F(TrainerFixture, CallbacksAreCalledInOrderAndDuplicatesAreRejected) {
  struct A : TrainerCallback {};
  struct B : TrainerCallback {};
  auto trainer = make_trainer({std::make_shared<B>(), std::make_shared<A>()});
  EXPECT_EQ(trainer.callback_handler->callback_list(), (std::vector<std::string>{"B", "A"}));
  EXPECT_THROW(trainer.callback_handler->add_callback(std::make_shared<A>()), accel::Error);
  EXPECT_THROW(make_trainer({std::make_shared<A>(), std::make_shared<A>()}), accel::Error);
  trainer.callback_handler->clear_callbacks();
  EXPECT_EQ(trainer.callback_handler->size(), 0u);
}

TEST_F(TrainerFixture, CustomEventsReachTheCallbacksByName) {
  struct Listener : TrainerCallback {
    void on_event(const std::string& name, Trainer&, const EventArgs& args) override {
      if (name == "on_custom") values.push_back(args.get<int>("value"));
    }
    std::vector<int> values;
  };
  struct Other : TrainerCallback {};
  auto listener = std::make_shared<Listener>();
  auto trainer = make_trainer({std::make_shared<Other>(), listener});
  trainer.callback_handler->call_event("on_custom", trainer, {{"value", 42}});
  trainer.callback_handler->call_event("on_something_else", trainer);
  EXPECT_EQ(listener->values, std::vector<int>{42});
  EXPECT_THROW(EventArgs({{"value", 1}}).get<std::string>("value"), accel::Error);
  EXPECT_THROW(EventArgs().get<int>("value"), accel::Error);
}

TEST_F(TrainerFixture, LossFunctionAcceptsModulesCallablesOrNothing) {
  auto loss_module = std::make_shared<nn::L1Loss>();
  Trainer with_module(problem.model, loss_module, *problem.optimizer, {});
  EXPECT_EQ(with_module.loss_func.module(), loss_module);
  Trainer with_callable(problem.model, [](const Tensor& out, const Tensor& y) { return (out - y).abs().sum(); },
                        *problem.optimizer, {});
  EXPECT_EQ(with_callable.loss_func.module(), nullptr);
  EXPECT_EQ(with_callable.loss_func(accel::ones({2}), accel::zeros({2})).item<float>(), 2.0f);
  Trainer without(problem.model, nullptr, *problem.optimizer, {});
  EXPECT_FALSE(without.loss_func);
  EXPECT_THROW(without.train({.train_dataset = regression_dataset(2), .per_device_batch_size = 2}), accel::Error);
}

TEST_F(TrainerFixture, LimitBatchesEnvironmentVariable) {
  {
    LimitBatches limit(4);
    EXPECT_EQ(limit_batches_from_environment(), 4);
  }
  EXPECT_EQ(limit_batches_from_environment(), std::nullopt);
  setenv(kLimitBatchesEnvVar, "None", 1);
  EXPECT_EQ(limit_batches_from_environment(), std::nullopt);
  setenv(kLimitBatchesEnvVar, "two", 1);
  EXPECT_THROW(limit_batches_from_environment(), accel::Error);
  EXPECT_THROW(make_trainer(), accel::Error);
  unsetenv(kLimitBatchesEnvVar);
}

TEST(TrainerAccelerator, ReadsTheEnvironment) {
  setenv("WORLD_SIZE", "4", 1);
  setenv("RANK", "2", 1);
  setenv("LOCAL_WORLD_SIZE", "2", 1);
  setenv("LOCAL_RANK", "0", 1);
  setenv("ACCEL_MIXED_PRECISION", "bf16", 1);
  setenv("ACCEL_DEVICE", "cpu", 1);
  const Accelerator accelerator = Accelerator::from_environment();
  EXPECT_EQ(accelerator.num_processes, 4);
  EXPECT_EQ(accelerator.process_index, 2);
  EXPECT_EQ(accelerator.num_local_processes, 2);
  EXPECT_TRUE(accelerator.is_local_main_process());
  EXPECT_FALSE(accelerator.is_main_process());
  EXPECT_EQ(accelerator.mixed_precision, "bf16");
  EXPECT_EQ(accelerator.device, accel::kCPU);
  setenv("ACCEL_MIXED_PRECISION", "fp8", 1);
  EXPECT_THROW(Accelerator::from_environment(), accel::Error);
  setenv("RANK", "4", 1);
  setenv("ACCEL_MIXED_PRECISION", "no", 1);
  EXPECT_THROW(Accelerator::from_environment(), accel::Error);
  for (const char* name :
       {"WORLD_SIZE", "RANK", "LOCAL_WORLD_SIZE", "LOCAL_RANK", "ACCEL_MIXED_PRECISION", "ACCEL_DEVICE"})
    unsetenv(name);
  const Accelerator single = Accelerator::from_environment();
  EXPECT_EQ(single.num_processes, 1);
  EXPECT_EQ(single.mixed_precision, "no");
}

TEST_F(TrainerFixture, MixedPrecisionIsReportedInTheRunConfig) {
  setenv("ACCEL_MIXED_PRECISION", "fp16", 1);
  auto trainer = make_trainer();
  trainer.train({.train_dataset = regression_dataset(2), .per_device_batch_size = 2});
  unsetenv("ACCEL_MIXED_PRECISION");
  EXPECT_EQ(trainer.run_config->mixed_precision, "fp16");
  EXPECT_EQ(trainer.run_config->num_processes, 1);
  EXPECT_FALSE(trainer.run_config->is_distributed);
}

TEST_F(TrainerFixture, DistributedEnvironmentWithoutTheDistributedLayerIsAnError) {
  setenv("WORLD_SIZE", "2", 1);
  auto trainer = make_trainer();
  EXPECT_THROW(trainer.train({.train_dataset = regression_dataset(2), .per_device_batch_size = 2}), accel::Error);
  unsetenv("WORLD_SIZE");
}

TEST_F(TrainerFixture, EvaluateAfterAFailedTrainingRunRecordsEvaluationLoss) {
  auto fail = std::make_shared<StepCallback>([](Trainer&, const BatchOutput&, int64_t) -> void {
    throw std::runtime_error("not a StopTrainingError");
  });
  auto trainer = make_trainer({fail});
  EXPECT_THROW(trainer.train({.train_dataset = regression_dataset(2), .per_device_batch_size = 2}), std::runtime_error);
  trainer.callback_handler->clear_callbacks();
  trainer.evaluate({.dataset = regression_dataset(2)});
  EXPECT_EQ(trainer.run_history->get_metric_names(), std::vector<std::string>{"evaluation_loss"});
}
