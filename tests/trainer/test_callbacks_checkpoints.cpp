// Callbacks that write checkpoints: SaveTrainingStateCallback and WSDCheckpointCallback (the
// original's TestSaveTrainingStateCallback / TestWSDCheckpointCallback, checked on the files
// written instead of mocks) and SaveBestModelCallback.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include <accel/trainer/callbacks/callbacks.h>

#include "trainer_testing.h"

namespace accel::trainer {
namespace {

namespace fs = std::filesystem;
using testing::regression_dataset;
using testing::RegressionProblem;
using testing::sequential_loader;
using testing::TemporaryDirectory;

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

TrainOptions small_run(int64_t num_epochs) {
  return {.train_dataset = std::make_shared<data::TensorDataset>(regression_dataset(32)),
          .eval_dataset = std::make_shared<data::TensorDataset>(regression_dataset(16)),
          .num_epochs = num_epochs,
          .per_device_batch_size = 8,
          .train_dataloader_kwargs = sequential_loader(),
          .eval_dataloader_kwargs = sequential_loader()};
}

// A Trainer whose events the tests call directly (as the original's tests call the callback).
struct Fixture {
  Fixture() : trainer(problem.model, nn::MSELoss(), *problem.optimizer, {}) {}
  RegressionProblem problem;
  Trainer trainer;
  data::Batch batch;
  BatchOutput output;
};

// ---- SaveTrainingStateCallback ----

TEST(SaveTrainingStateCallback, SavesAtEndByDefault) {
  TemporaryDirectory dir("accel_sts_end");
  Fixture f;
  SaveTrainingStateCallback callback({.save_dir = dir.file("states")});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  callback.on_train_step_end(f.trainer, f.batch, f.output, 0);
  callback.on_train_step_end(f.trainer, f.batch, f.output, 1);
  callback.on_train_epoch_end(f.trainer);
  EXPECT_TRUE(entries(dir.file("states")).empty());
  callback.on_training_run_end(f.trainer);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(entries(dir.file("states")), (std::set<std::string>{"final"}));
  EXPECT_EQ(out, "\nSaved training state to " + dir.file("states/final") + "\n");
  Metadata metadata = f.trainer.load_training_state(dir.file("states/final"));
  EXPECT_EQ(metadata_as<int64_t>(metadata["global_step"]), 2);
}

TEST(SaveTrainingStateCallback, SavesEveryNEpochs) {
  TemporaryDirectory dir("accel_sts_epochs");
  Fixture f;
  SaveTrainingStateCallback callback({.save_dir = dir.file("s"), .save_every_n_epochs = 2, .save_at_end = false});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  std::vector<size_t> counts;
  for (int epoch = 1; epoch <= 4; ++epoch) {
    f.trainer.run_history->set_epoch(epoch);
    callback.on_train_epoch_end(f.trainer);
    counts.push_back(entries(dir.file("s")).size());
  }
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(counts, (std::vector<size_t>{0, 1, 1, 2}));
  EXPECT_EQ(entries(dir.file("s")), (std::set<std::string>{"epoch_2", "epoch_4"}));
  // An epoch state resumes at the next epoch.
  Metadata metadata = f.trainer.load_training_state(dir.file("s/epoch_2"));
  EXPECT_EQ(metadata_as<int64_t>(metadata["current_epoch"]), 3);
}

TEST(SaveTrainingStateCallback, SavesEveryNStepsCountingCalls) {
  TemporaryDirectory dir("accel_sts_steps");
  Fixture f;
  SaveTrainingStateCallback callback({.save_dir = dir.file("s"), .save_every_n_steps = 3, .save_at_end = false});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  std::vector<size_t> counts;
  for (int call = 1; call <= 6; ++call) {
    callback.on_train_step_end(f.trainer, f.batch, f.output, /*step=*/0);  // the step argument is ignored
    counts.push_back(entries(dir.file("s")).size());
  }
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(counts[1], 0u);
  EXPECT_EQ(counts[2], 1u);
  EXPECT_EQ(counts[4], 1u);
  EXPECT_EQ(counts[5], 2u);
  EXPECT_EQ(entries(dir.file("s")), (std::set<std::string>{"step_3", "step_6"}));
}

TEST(SaveTrainingStateCallback, MaxCheckpointsDeletesTheOldest) {
  TemporaryDirectory dir("accel_sts_max");
  Fixture f;
  SaveTrainingStateCallback callback(
      {.save_dir = dir.file("s"), .save_every_n_epochs = 1, .save_at_end = false, .max_checkpoints = 2});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    f.trainer.run_history->set_epoch(epoch);
    callback.on_train_epoch_end(f.trainer);
  }
  EXPECT_EQ(entries(dir.file("s")), (std::set<std::string>{"epoch_1", "epoch_2"}));
  f.trainer.run_history->set_epoch(3);
  callback.on_train_epoch_end(f.trainer);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(entries(dir.file("s")), (std::set<std::string>{"epoch_2", "epoch_3"}));
  EXPECT_EQ(callback.saved_checkpoints().size(), 2u);
  EXPECT_THROW(SaveTrainingStateCallback({.max_checkpoints = 0}), Error);
}

TEST(SaveTrainingStateCallback, NoSaveAtEndWhenDisabled) {
  TemporaryDirectory dir("accel_sts_no_end");
  Fixture f;
  SaveTrainingStateCallback callback({.save_dir = dir.file("s"), .save_at_end = false});
  callback.on_training_run_start(f.trainer);
  callback.on_training_run_end(f.trainer);
  EXPECT_TRUE(fs::is_directory(dir.file("s")));
  EXPECT_TRUE(entries(dir.file("s")).empty());
}

TEST(SaveTrainingStateCallback, ResumingFromAnEpochStateFinishesTheRunLikeAnUninterruptedOne) {
  TemporaryDirectory dir("accel_sts_resume");
  RegressionProblem full;
  Trainer uninterrupted(full.model, nn::MSELoss(), *full.optimizer, {});
  uninterrupted.train(small_run(3));

  RegressionProblem first;
  Trainer saving(first.model, nn::MSELoss(), *first.optimizer,
                 {std::make_shared<SaveTrainingStateCallback>(
                     SaveTrainingStateCallbackOptions{.save_dir = dir.path(), .save_every_n_epochs = 1})});
  ::testing::internal::CaptureStdout();
  saving.train(small_run(3));
  RegressionProblem second;
  Trainer resumed(second.model, nn::MSELoss(), *second.optimizer, {});
  TrainOptions options = small_run(3);
  options.resume_from = dir.file("epoch_2");
  resumed.train(options);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(resumed.run_history->get_metric_values("train_loss_epoch").size(), 1u);  // only epoch 3 ran
  EXPECT_TRUE(allclose(second.model->weight, full.model->weight, 1e-6, 1e-7));
}

// ---- WSDCheckpointCallback ----

// A trainer with a WSD scheduler over 100 updates (one checkpoint: decay from update 90), stepped
// `updates` times.
struct WSDFixture : Fixture {
  explicit WSDFixture(int64_t updates) {
    trainer.scheduler = std::make_unique<optim::WSDLrScheduler>(*problem.optimizer,
                                                                optim::WSDLrSchedulerOptions{.total_steps = 100});
    for (int64_t i = 0; i < updates; ++i) trainer.scheduler->step();
  }
};

TEST(WSDCheckpointCallback, PreDecayUsesSaveTrainingState) {
  TemporaryDirectory dir("accel_wsd_pre");
  WSDFixture f(90);  // get_current_step() == 89: 90 updates done, the decay starts next
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt")});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  callback.on_train_step_end(f.trainer, f.batch, f.output, 0);
  callback.on_train_step_end(f.trainer, f.batch, f.output, 1);  // same update count: no second save
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(entries(dir.file("ckpt")), (std::set<std::string>{"checkpoint_90_wsd_pre_decay"}));
  EXPECT_TRUE(fs::is_directory(dir.file("ckpt/checkpoint_90_wsd_pre_decay")));
  EXPECT_EQ(out, "\nWSD Lr Scheduler entering decay phase at step 90\n\nSaved wsd_pre_decay checkpoint at step 90\n");
  Metadata metadata = f.trainer.load_training_state(dir.file("ckpt/checkpoint_90_wsd_pre_decay"));
  EXPECT_EQ(metadata_as<int64_t>(metadata["step"]), 90);
  EXPECT_EQ(metadata_as<std::string>(metadata["checkpoint_type"]), "wsd_pre_decay");
  EXPECT_EQ(metadata_as<int64_t>(metadata["total_steps"]), 100);
  EXPECT_DOUBLE_EQ(metadata_as<double>(metadata["decay_fraction"]), 0.1);
  EXPECT_EQ(metadata_as<std::string>(metadata["timestamp"]).size(), std::string("2026-02-09T12:00:00").size());
  EXPECT_EQ(callback.last_checkpoint_step(), 90);
}

TEST(WSDCheckpointCallback, PostDecayUsesSaveCheckpoint) {
  TemporaryDirectory dir("accel_wsd_post");
  WSDFixture f(100);  // get_current_step() == 99
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt"), .save_optimizer = false});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  callback.on_train_step_end(f.trainer, f.batch, f.output, 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(entries(dir.file("ckpt")), (std::set<std::string>{"checkpoint_100_wsd_post_decay.safetensors"}));
  Checkpoint checkpoint = read_checkpoint(dir.file("ckpt/checkpoint_100_wsd_post_decay.safetensors"));
  EXPECT_EQ(metadata_as<std::string>(checkpoint["checkpoint_type"]), "wsd_post_decay");
  EXPECT_FALSE(checkpoint.optimizer_state_dict);
  EXPECT_TRUE(checkpoint.scheduler_state_dict);
}

TEST(WSDCheckpointCallback, LoadDirectoryUsesLoadTrainingState) {
  TemporaryDirectory dir("accel_wsd_load_dir");
  WSDFixture f(90);
  Metadata metadata;
  metadata.insert("step", int64_t{90});
  f.trainer.save_training_state(dir.file("state"), metadata);
  const Tensor saved_weight = f.problem.model->weight.detach().clone();
  {
    NoGradGuard no_grad;
    f.problem.model->weight.fill_(999.0);
  }
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt"), .initial_checkpoint = dir.file("state")});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(callback.last_checkpoint_step(), 90);
  EXPECT_TRUE(equal(f.problem.model->weight, saved_weight));
}

TEST(WSDCheckpointCallback, LoadFileUsesLoadCheckpoint) {
  TemporaryDirectory dir("accel_wsd_load_file");
  WSDFixture f(100);
  Metadata metadata;
  metadata.insert("step", int64_t{100});
  f.trainer.save_checkpoint(dir.file("post.safetensors"), {.checkpoint_kwargs = metadata});
  const Tensor saved_weight = f.problem.model->weight.detach().clone();
  {
    NoGradGuard no_grad;
    f.problem.model->weight.fill_(999.0);
  }
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt"), .initial_checkpoint = dir.file("post.safetensors")});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(callback.last_checkpoint_step(), 100);
  EXPECT_TRUE(equal(f.problem.model->weight, saved_weight));
}

TEST(WSDCheckpointCallback, TrainingRunEndSavesPostDecay) {
  TemporaryDirectory dir("accel_wsd_end");
  WSDFixture f(100);
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt")});
  ::testing::internal::CaptureStdout();
  callback.on_training_run_start(f.trainer);
  EXPECT_FALSE(callback.last_checkpoint_step());
  callback.on_training_run_end(f.trainer);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(entries(dir.file("ckpt")), (std::set<std::string>{"checkpoint_100_wsd_post_decay.safetensors"}));
}

TEST(WSDCheckpointCallback, NeedsAWSDScheduler) {
  TemporaryDirectory dir("accel_wsd_none");
  Fixture f;
  WSDCheckpointCallback callback({.save_dir = dir.file("ckpt")});
  EXPECT_TRUE(fs::is_directory(dir.file("ckpt")));  // created by the constructor
  EXPECT_THROW(callback.on_training_run_start(f.trainer), Error);
}

TEST(WSDCheckpointCallback, RealRunSavesBeforeAndAfterEveryDecay) {
  TemporaryDirectory dir("accel_wsd_run");
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<WSDCheckpointCallback>(WSDCheckpointCallbackOptions{.save_dir = dir.path()})});
  TrainOptions options = small_run(10);  // 4 updates per epoch: 40 updates; 2 checkpoints at 20 and 40
  options.gradient_accumulation_steps = 1;
  options.create_scheduler_fn = optim::WSDLrScheduler::create_scheduler_fn({.num_checkpoints = 2});
  ::testing::internal::CaptureStdout();
  trainer.train(options);
  ::testing::internal::GetCapturedStdout();
  // Periods [0, 20) and [20, 40), 2 decay steps each: pre-decay at 18 and 38.
  EXPECT_EQ(entries(dir.path()),
            (std::set<std::string>{"checkpoint_18_wsd_pre_decay", "checkpoint_20_wsd_post_decay.safetensors",
                                   "checkpoint_38_wsd_pre_decay", "checkpoint_40_wsd_post_decay.safetensors"}));
}

// ---- SaveBestModelCallback ----

// Records a scripted "score" and a copy of the weights at each epoch's end.
struct ScoreAndWeights : TrainerCallback {
  explicit ScoreAndWeights(std::vector<double> scores) : scores(std::move(scores)) {}
  void on_training_run_epoch_end(Trainer& trainer) override {
    trainer.run_history->update_metric("score", scores.at(weights.size()));
    weights.push_back(trainer.model->state_dict().find("weight")->detach().clone());
  }
  std::vector<double> scores;
  std::vector<Tensor> weights;
};

TEST(SaveBestModelCallback, SavesTheBestEpochAndLoadsItAtTheEnd) {
  TemporaryDirectory dir("accel_save_best");
  RegressionProblem problem;
  auto scores = std::make_shared<ScoreAndWeights>(std::vector<double>{0.5, 0.3, 0.4});
  auto best = std::make_shared<SaveBestModelCallback>(
      SaveBestModelCallbackOptions{.save_path = dir.file("best.safetensors"), .watch_metric = "score"});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {scores, best});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(3));
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_DOUBLE_EQ(*best->best_metric(), 0.3);
  EXPECT_EQ(best->best_metric_epoch(), 2);
  EXPECT_EQ(out, "Loading checkpoint with score: 0.3 from epoch 2\n");
  // The model holds epoch 2's weights again, not epoch 3's.
  EXPECT_TRUE(equal(problem.model->weight, scores->weights[1]));
  EXPECT_FALSE(equal(scores->weights[1], scores->weights[2]));
  Checkpoint checkpoint = read_checkpoint(dir.file("best.safetensors"));
  EXPECT_DOUBLE_EQ(metadata_as<double>(checkpoint["score"]), 0.3);
  EXPECT_TRUE(checkpoint.optimizer_state_dict);
}

TEST(SaveBestModelCallback, GreaterIsBetterWithoutLoading) {
  TemporaryDirectory dir("accel_save_best_greater");
  RegressionProblem problem;
  auto scores = std::make_shared<ScoreAndWeights>(std::vector<double>{0.5, 0.3, 0.7});
  auto best = std::make_shared<SaveBestModelCallback>(
      SaveBestModelCallbackOptions{.save_path = dir.file("best.safetensors"),
                                   .watch_metric = "score",
                                   .greater_is_better = true,
                                   .save_optimizer = false,
                                   .load_saved_checkpoint = false});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {scores, best});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(3));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(best->best_metric_epoch(), 3);
  Checkpoint checkpoint = read_checkpoint(dir.file("best.safetensors"));
  EXPECT_TRUE(equal(*checkpoint.model_state_dict.find("weight"), scores->weights[2]));
  EXPECT_FALSE(checkpoint.optimizer_state_dict);
}

TEST(SaveBestModelCallback, WatchesEvalLossByDefault) {
  TemporaryDirectory dir("accel_save_best_default");
  RegressionProblem problem;
  auto best = std::make_shared<SaveBestModelCallback>(
      SaveBestModelCallbackOptions{.save_path = dir.file("best.safetensors")});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {best});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(3));
  ::testing::internal::GetCapturedStdout();
  const std::vector<double> losses = trainer.run_history->get_metric_values("eval_loss_epoch");
  EXPECT_DOUBLE_EQ(*best->best_metric(), *std::min_element(losses.begin(), losses.end()));
}

}  // namespace
}  // namespace accel::trainer
