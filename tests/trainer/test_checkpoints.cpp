// Port of pytorch-accelerated's TestCheckpointRoundTrip (§2.1, items 32-40), plus training states
// (save_training_state / load_training_state) and resuming a run bit-exactly.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "trainer_testing.h"

namespace nn = accel::nn;
namespace optim = accel::optim;
namespace data = accel::data;
using accel::Tensor;
using namespace accel::trainer;
using namespace accel::trainer::testing;

namespace {

int64_t num_updates(const optim::Scheduler& scheduler) {
  return nlohmann::json::parse(scheduler.state_dict()).at("num_updates").get<int64_t>();
}

std::unique_ptr<optim::Scheduler> cosine(optim::Optimizer& optimizer) {
  return std::make_unique<optim::CosineLrScheduler>(optimizer, /*total_num_epochs=*/10,
                                                    /*num_update_steps_per_epoch=*/100);
}

struct CheckpointFixture : ::testing::Test {
  CheckpointFixture() : dir("accel_trainer_checkpoints") {
    accel::manual_seed(0);
    model = std::make_shared<nn::Linear>(3, 2);
    optimizer = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
    trainer =
        std::make_unique<Trainer>(model, nn::MSELoss(), *optimizer, std::vector<std::shared_ptr<TrainerCallback>>{});
  }

  // `steps` optimizer steps (and scheduler steps, with a scheduler) on a fixed batch.
  void take_steps(int steps) {
    const Tensor x = accel::ones({4, 3});
    for (int i = 0; i < steps; ++i) {
      (*model)(x).pow(2).sum().backward();
      optimizer->step();
      optimizer->zero_grad();
      if (trainer->scheduler) trainer->scheduler->step();
    }
  }

  // A new optimizer (empty state) for the same model, and the trainer pointed at it.
  void replace_optimizer() {
    optimizer = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.05, .momentum = 0.9});
    trainer->optimizer = optimizer.get();
  }

  void fill_parameters(double value) {
    accel::NoGradGuard no_grad;
    for (const Tensor& p : model->parameters()) p.fill_(value);
  }

  TemporaryDirectory dir;
  std::shared_ptr<nn::Linear> model;
  std::unique_ptr<optim::SGD> optimizer;
  std::unique_ptr<Trainer> trainer;
};

accel::StateDict clone_state(const accel::StateDict& state) {
  accel::StateDict copy;
  for (const auto& [name, tensor] : state) copy.insert(name, tensor.clone());
  return copy;
}

void expect_bit_exact(const accel::StateDict& actual, const accel::StateDict& expected) {
  ASSERT_EQ(actual.keys(), expected.keys());
  for (const auto& [name, tensor] : expected) EXPECT_TRUE(accel::equal(actual[name], tensor)) << name;
}

}  // namespace

// 32
TEST_F(CheckpointFixture, SaveLoadCheckpointWeightsRoundtrip) {
  take_steps(2);
  const accel::StateDict saved = clone_state(model->state_dict());
  trainer->save_checkpoint(dir.file("c.safetensors"));
  fill_parameters(999.0);
  trainer->load_checkpoint(dir.file("c.safetensors"));
  expect_bit_exact(model->state_dict(), saved);
}

// 33
TEST_F(CheckpointFixture, SaveLoadCheckpointOptimizerRoundtrip) {
  take_steps(3);
  const accel::StateDict saved = clone_state(optimizer->state_dict().tensors);
  ASSERT_FALSE(saved.empty());
  trainer->save_checkpoint(dir.file("c.safetensors"));
  replace_optimizer();
  EXPECT_TRUE(optimizer->state_dict().tensors.empty());
  trainer->load_checkpoint(dir.file("c.safetensors"));
  expect_bit_exact(optimizer->state_dict().tensors, saved);
}

// 34
TEST_F(CheckpointFixture, SaveLoadCheckpointSchedulerRoundtrip) {
  trainer->scheduler = cosine(*optimizer);
  take_steps(50);
  EXPECT_EQ(num_updates(*trainer->scheduler), 49);
  trainer->save_checkpoint(dir.file("c.safetensors"));
  trainer->scheduler = cosine(*optimizer);
  EXPECT_EQ(num_updates(*trainer->scheduler), -1);
  trainer->load_checkpoint(dir.file("c.safetensors"));
  EXPECT_EQ(num_updates(*trainer->scheduler), 49);
}

// 35
TEST_F(CheckpointFixture, SaveLoadCheckpointCustomKwargsRoundtrip) {
  trainer->save_checkpoint(
      dir.file("c.safetensors"),
      {.checkpoint_kwargs = {
           {"step", 42}, {"checkpoint_type", "wsd_post_decay"}, {"decay_fraction", 0.1}, {"total_steps", 1000}}});
  const Checkpoint checkpoint = trainer->load_checkpoint(dir.file("c.safetensors"));
  EXPECT_EQ(metadata_as<int64_t>(checkpoint["step"]), 42);
  EXPECT_EQ(metadata_as<std::string>(checkpoint["checkpoint_type"]), "wsd_post_decay");
  EXPECT_EQ(metadata_as<double>(checkpoint["decay_fraction"]), 0.1);
  EXPECT_EQ(metadata_as<int64_t>(checkpoint["total_steps"]), 1000);
  EXPECT_EQ(checkpoint.checkpoint_kwargs.keys(),
            (std::vector<std::string>{"step", "checkpoint_type", "decay_fraction", "total_steps"}));
  EXPECT_THROW(checkpoint["missing"], accel::Error);
  EXPECT_THROW(metadata_as<std::string>(checkpoint["step"]), accel::Error);
}

// 36
TEST_F(CheckpointFixture, LoadCheckpointSkipOptimizer) {
  take_steps(3);
  trainer->save_checkpoint(dir.file("c.safetensors"));
  replace_optimizer();
  trainer->load_checkpoint(dir.file("c.safetensors"), {.load_optimizer = false});
  EXPECT_TRUE(optimizer->state_dict().tensors.empty());
}

// 37
TEST_F(CheckpointFixture, LoadCheckpointSkipScheduler) {
  trainer->scheduler = cosine(*optimizer);
  take_steps(5);
  trainer->save_checkpoint(dir.file("c.safetensors"));
  trainer->scheduler = cosine(*optimizer);
  trainer->load_checkpoint(dir.file("c.safetensors"), {.load_scheduler = false});
  EXPECT_EQ(num_updates(*trainer->scheduler), -1);
}

// 38
TEST_F(CheckpointFixture, SaveCheckpointWithoutOptimizerOrScheduler) {
  trainer->scheduler = cosine(*optimizer);
  take_steps(2);
  trainer->save_checkpoint(dir.file("c.safetensors"), {.save_optimizer = false, .save_scheduler = false});
  const Checkpoint checkpoint = read_checkpoint(dir.file("c.safetensors"));
  EXPECT_TRUE(checkpoint.contains("model_state_dict"));
  EXPECT_FALSE(checkpoint.contains("optimizer_state_dict"));
  EXPECT_FALSE(checkpoint.contains("scheduler_state_dict"));
  EXPECT_EQ(accel::load(dir.file("c.safetensors")).size(), 2u);  // only the model's tensors
}

// 39
TEST_F(CheckpointFixture, WsdMetadataRoundtrip) {
  trainer->save_checkpoint(dir.file("c.safetensors"), {.checkpoint_kwargs = {{"step", 9000},
                                                                             {"checkpoint_type", "wsd_post_decay"},
                                                                             {"total_steps", 10000},
                                                                             {"decay_fraction", 0.1},
                                                                             {"timestamp", "2026-02-09T12:00:00"}}});
  const Checkpoint checkpoint = trainer->load_checkpoint(dir.file("c.safetensors"));
  EXPECT_EQ(metadata_as<int64_t>(checkpoint["step"]), 9000);
  EXPECT_EQ(metadata_as<std::string>(checkpoint["checkpoint_type"]), "wsd_post_decay");
  EXPECT_EQ(metadata_as<int64_t>(checkpoint["total_steps"]), 10000);
  EXPECT_EQ(metadata_as<double>(checkpoint["decay_fraction"]), 0.1);
  EXPECT_EQ(metadata_as<std::string>(checkpoint["timestamp"]), "2026-02-09T12:00:00");
  EXPECT_TRUE(checkpoint.contains("model_state_dict"));
}

// 40
TEST_F(CheckpointFixture, FullRoundtripWeightsAndTrainingResume) {
  trainer->scheduler = cosine(*optimizer);
  take_steps(25);
  const accel::StateDict saved_weights = clone_state(model->state_dict());
  const int64_t saved_updates = num_updates(*trainer->scheduler);
  EXPECT_EQ(saved_updates, 24);
  trainer->save_checkpoint(dir.file("c.safetensors"), {.checkpoint_kwargs = {{"epoch", 3}}});

  fill_parameters(0.0);
  replace_optimizer();
  trainer->scheduler = cosine(*optimizer);
  const Checkpoint checkpoint = trainer->load_checkpoint(dir.file("c.safetensors"));
  expect_bit_exact(model->state_dict(), saved_weights);
  EXPECT_FALSE(optimizer->state_dict().tensors.empty());
  EXPECT_EQ(num_updates(*trainer->scheduler), saved_updates);
  EXPECT_EQ(metadata_as<int64_t>(checkpoint["epoch"]), 3);
}

TEST_F(CheckpointFixture, CustomKeysMayNotReplaceStandardOnes) {
  EXPECT_THROW(trainer->save_checkpoint(dir.file("c.safetensors"), {.checkpoint_kwargs = {{"model_state_dict", 1}}}),
               accel::Error);
  EXPECT_FALSE(std::filesystem::exists(dir.file("c.safetensors")));
}

TEST_F(CheckpointFixture, LoadingStateWithoutATargetIsAnError) {
  trainer->scheduler = cosine(*optimizer);
  trainer->save_checkpoint(dir.file("c.safetensors"));
  trainer->scheduler = nullptr;
  EXPECT_THROW(trainer->load_checkpoint(dir.file("c.safetensors")), accel::Error);
  EXPECT_NO_THROW(trainer->load_checkpoint(dir.file("c.safetensors"), {.load_scheduler = false}));
  EXPECT_THROW(trainer->load_checkpoint(dir.file("missing.safetensors")), accel::Error);
}

TEST_F(CheckpointFixture, TrainingStateRoundtrip) {
  trainer->scheduler = cosine(*optimizer);
  take_steps(7);
  trainer->run_history->set_epoch(4);
  const accel::StateDict saved_weights = clone_state(model->state_dict());
  const accel::StateDict saved_optimizer = clone_state(optimizer->state_dict().tensors);
  trainer->save_training_state(dir.file("state"), {{"global_step", 7}});
  for (const char* file : {"model.safetensors", "optimizer.safetensors", "scheduler.json", "random_states_0.json",
                           "trainer_metadata.json"})
    EXPECT_TRUE(std::filesystem::exists(dir.file("state") + "/" + file)) << file;
  const Tensor next_draw = accel::randn({4});

  fill_parameters(1.0);
  replace_optimizer();
  trainer->scheduler = cosine(*optimizer);
  const Metadata metadata = trainer->load_training_state(dir.file("state"));
  expect_bit_exact(model->state_dict(), saved_weights);
  expect_bit_exact(optimizer->state_dict().tensors, saved_optimizer);
  EXPECT_EQ(num_updates(*trainer->scheduler), 6);
  EXPECT_EQ(metadata_as<int64_t>(metadata["current_epoch"]), 4);
  EXPECT_EQ(metadata_as<int64_t>(metadata["global_step"]), 7);
  EXPECT_TRUE(accel::equal(accel::randn({4}), next_draw));  // the generator continues where it was saved
}

TEST_F(CheckpointFixture, TrainingStateWithoutMetadataLoadsAsEmpty) {
  trainer->save_training_state(dir.file("state"));
  std::filesystem::remove(dir.file("state") + "/trainer_metadata.json");
  EXPECT_TRUE(trainer->load_training_state(dir.file("state")).empty());
  EXPECT_THROW(trainer->load_training_state(dir.file("nothing_here")), accel::Error);
}

// Stopping after 2 of 4 epochs and resuming from the saved state ends with the same weights as an
// uninterrupted run (with shuffling: the resumed epochs see the uninterrupted run's batch order).
void expect_resumed_run_matches_an_uninterrupted_one(const DataLoaderKwargs& loader) {
  TemporaryDirectory dir("accel_trainer_resume_run");
  const TrainOptions options{.train_dataset = regression_dataset(12),
                             .eval_dataset = regression_dataset(4),
                             .num_epochs = 4,
                             .per_device_batch_size = 4,
                             .create_scheduler_fn = optim::CosineLrScheduler::create_scheduler_fn(),
                             .train_dataloader_kwargs = loader};
  const auto final_weights = [](const nn::Module& model) { return clone_state(model.state_dict()); };

  RegressionProblem uninterrupted;
  Trainer(uninterrupted.model, nn::MSELoss(), *uninterrupted.optimizer, {}).train(options);

  // Saves at the start of epoch 3 (the state after 2 epochs, with current_epoch 3), then stops.
  struct SaveAndStop : TrainerCallback {
    explicit SaveAndStop(std::string path) : path(std::move(path)) {}
    void on_train_epoch_start(Trainer& trainer) override {
      if (trainer.run_history->current_epoch() != 3) return;
      trainer.save_training_state(path);
      throw StopTrainingError("stopping after 2 epochs");
    }
    std::string path;
  };
  RegressionProblem interrupted;
  Trainer(interrupted.model, nn::MSELoss(), *interrupted.optimizer, {std::make_shared<SaveAndStop>(dir.path())})
      .train(options);

  RegressionProblem resumed;
  Trainer trainer(resumed.model, nn::MSELoss(), *resumed.optimizer, {});
  TrainOptions resume = options;
  resume.resume_from = dir.path();
  trainer.train(resume);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch").size(), 2u);
  EXPECT_EQ(trainer.run_history->current_epoch(), 5);
  expect_bit_exact(final_weights(*resumed.model), final_weights(*uninterrupted.model));
}

TEST(TrainerResume, ResumedRunMatchesAnUninterruptedOne) {
  expect_resumed_run_matches_an_uninterrupted_one(sequential_loader());
}

TEST(TrainerResume, ResumedShuffledRunMatchesAnUninterruptedOne) {
  expect_resumed_run_matches_an_uninterrupted_one({.shuffle = true, .num_workers = 0});
}
