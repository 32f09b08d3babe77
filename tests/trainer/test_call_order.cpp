// The exact sequence of hooks and events of a training run (§1.5) and an evaluation run (§1.6):
// 2 epochs with evaluation, gradient accumulation, a scheduler and max steps; StopTrainingError.
#include <gtest/gtest.h>

#include <algorithm>

#include "trainer_testing.h"

namespace nn = accel::nn;
namespace optim = accel::optim;
namespace data = accel::data;
using accel::Tensor;
using namespace accel::trainer;
using namespace accel::trainer::testing;

namespace {

using Log = std::vector<std::string>;

// Logs every hook ("name") and then runs the default.
class RecordingTrainer : public Trainer {
 public:
  RecordingTrainer(RegressionProblem& problem, Log& log, std::vector<std::shared_ptr<TrainerCallback>> callbacks)
      : Trainer(problem.model, nn::MSELoss(), *problem.optimizer, std::move(callbacks)), log_(log) {}

  std::shared_ptr<BatchLoader> create_train_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs) override {
    log_.push_back("create_train_dataloader");
    return Trainer::create_train_dataloader(batch_size, kwargs);
  }
  data::DataLoaderOptions get_default_train_dl_kwargs(int64_t batch_size) override {
    log_.push_back("get_default_train_dl_kwargs");
    return Trainer::get_default_train_dl_kwargs(batch_size);
  }
  std::shared_ptr<BatchLoader> create_eval_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs) override {
    log_.push_back("create_eval_dataloader");
    return Trainer::create_eval_dataloader(batch_size, kwargs);
  }
  data::DataLoaderOptions get_default_eval_dl_kwargs(int64_t batch_size) override {
    log_.push_back("get_default_eval_dl_kwargs");
    return Trainer::get_default_eval_dl_kwargs(batch_size);
  }
  std::unique_ptr<optim::Scheduler> create_scheduler() override {
    log_.push_back("create_scheduler");
    return Trainer::create_scheduler();
  }
  void training_run_start() override { log_.push_back("training_run_start"); }
  void train_epoch_start() override {
    log_.push_back("train_epoch_start");
    Trainer::train_epoch_start();
  }
  BatchOutput calculate_train_batch_loss(const data::Batch& batch) override {
    log_.push_back("calculate_train_batch_loss");
    return Trainer::calculate_train_batch_loss(batch);
  }
  void backward_step(const Tensor& loss) override {
    log_.push_back("backward_step");
    Trainer::backward_step(loss);
  }
  void clip_gradients() override {
    log_.push_back("clip_gradients");
    Trainer::clip_gradients();
  }
  bool optimizer_step() override {
    log_.push_back("optimizer_step");
    return Trainer::optimizer_step();
  }
  void scheduler_step() override {
    log_.push_back("scheduler_step");
    Trainer::scheduler_step();
  }
  void optimizer_zero_grad() override {
    log_.push_back("optimizer_zero_grad");
    Trainer::optimizer_zero_grad();
  }
  void train_epoch_end() override { log_.push_back("train_epoch_end"); }
  void eval_epoch_start() override {
    log_.push_back("eval_epoch_start");
    Trainer::eval_epoch_start();
  }
  BatchOutput calculate_eval_batch_loss(const data::Batch& batch) override {
    log_.push_back("calculate_eval_batch_loss");
    return Trainer::calculate_eval_batch_loss(batch);
  }
  void eval_epoch_end() override { log_.push_back("eval_epoch_end"); }
  void training_run_epoch_end() override { log_.push_back("training_run_epoch_end"); }
  void training_run_end() override {
    log_.push_back("training_run_end");
    Trainer::training_run_end();
  }
  void evaluation_run_start() override { log_.push_back("evaluation_run_start"); }
  void evaluation_run_end() override {
    log_.push_back("evaluation_run_end");
    Trainer::evaluation_run_end();
  }

 private:
  Log& log_;
};

// Logs every event ("on_...", with its arguments), and what the run history holds when it matters.
class RecordingCallback : public TrainerCallback {
 public:
  explicit RecordingCallback(Log& log) : log_(log) {}
  void on_init_end(Trainer&) override { log_.push_back("on_init_end"); }
  void on_training_run_start(Trainer&) override { log_.push_back("on_training_run_start"); }
  void on_train_epoch_start(Trainer& trainer) override {
    log_.push_back("on_train_epoch_start epoch=" + std::to_string(trainer.run_history->current_epoch()));
  }
  void on_train_step_start(Trainer&) override { log_.push_back("on_train_step_start"); }
  void on_train_step_end(Trainer&, const data::Batch&, const BatchOutput&, int64_t step) override {
    log_.push_back("on_train_step_end step=" + std::to_string(step));
  }
  void on_train_epoch_end(Trainer& trainer) override {
    log_.push_back("on_train_epoch_end train_losses=" + count(trainer, "train_loss_epoch"));
  }
  void on_eval_epoch_start(Trainer&, bool is_intermediate) override {
    log_.push_back(std::string("on_eval_epoch_start intermediate=") + (is_intermediate ? "true" : "false"));
  }
  void on_eval_step_start(Trainer&) override { log_.push_back("on_eval_step_start"); }
  void on_eval_step_end(Trainer&, const data::Batch&, const BatchOutput&) override {
    log_.push_back("on_eval_step_end");
  }
  void on_eval_epoch_end(Trainer& trainer, bool is_intermediate) override {
    log_.push_back(std::string("on_eval_epoch_end intermediate=") + (is_intermediate ? "true" : "false") +
                   " eval_losses=" + count(trainer, "eval_loss_epoch") +
                   " evaluation_losses=" + count(trainer, "evaluation_loss"));
  }
  void on_training_run_epoch_end(Trainer&) override { log_.push_back("on_training_run_epoch_end"); }
  void on_training_run_end(Trainer& trainer) override {
    log_.push_back("on_training_run_end epoch=" + std::to_string(trainer.run_history->current_epoch()));
  }
  void on_evaluation_run_start(Trainer&) override { log_.push_back("on_evaluation_run_start"); }
  void on_evaluation_run_end(Trainer&) override { log_.push_back("on_evaluation_run_end"); }
  void on_stop_training_error(Trainer&) override { log_.push_back("on_stop_training_error"); }

 private:
  static std::string count(Trainer& trainer, const std::string& metric) {
    return std::to_string(trainer.run_history->get_metric_values(metric).size());
  }
  Log& log_;
};

void append(Log& log, const Log& items) { log.insert(log.end(), items.begin(), items.end()); }

// One micro-batch: forward, events, backward; on an update also clip, step, schedule, zero.
Log train_step(int64_t step, bool update, bool with_scheduler = true) {
  Log items = {"on_train_step_start", "calculate_train_batch_loss", "on_train_step_end step=" + std::to_string(step),
               "backward_step"};
  if (update) append(items, {"clip_gradients", "optimizer_step"});
  if (update && with_scheduler) items.push_back("scheduler_step");
  if (update) items.push_back("optimizer_zero_grad");
  return items;
}

Log eval_epoch(int64_t batches, const std::string& end_event) {
  Log items = {"eval_epoch_start", "on_eval_epoch_start intermediate=false"};
  for (int64_t i = 0; i < batches; ++i)
    append(items, {"on_eval_step_start", "calculate_eval_batch_loss", "on_eval_step_end"});
  append(items, {"eval_epoch_end", end_event});
  return items;
}

}  // namespace

TEST(TrainerCallOrder, TrainingRunWithEvaluationAccumulationAndMaxSteps) {
  Log log;
  RegressionProblem problem;
  RecordingTrainer trainer(problem, log, {std::make_shared<RecordingCallback>(log)});
  // 6 micro-batches per epoch, an update every 2: 3 updates per epoch. 5 max steps make the run
  // 2 epochs (overriding num_epochs = 10) and end the second after its 4th micro-batch.
  trainer.train({.train_dataset = regression_dataset(6),
                 .eval_dataset = regression_dataset(2),
                 .num_epochs = 10,
                 .per_device_batch_size = 1,
                 .max_num_train_steps = 5,
                 .gradient_accumulation_steps = 2,
                 .create_scheduler_fn = optim::CosineLrScheduler::create_scheduler_fn(),
                 .train_dataloader_kwargs = sequential_loader()});

  Log expected = {"on_init_end",
                  "create_train_dataloader",
                  "get_default_train_dl_kwargs",
                  "create_eval_dataloader",
                  "get_default_eval_dl_kwargs",
                  "create_scheduler",
                  "training_run_start",
                  "on_training_run_start"};
  // Epoch 1: all 6 micro-batches.
  append(expected, {"train_epoch_start", "on_train_epoch_start epoch=1"});
  for (int64_t step = 0; step < 6; ++step) append(expected, train_step(step, step % 2 == 1));
  append(expected, {"train_epoch_end", "on_train_epoch_end train_losses=1"});
  append(expected, eval_epoch(2, "on_eval_epoch_end intermediate=false eval_losses=1 evaluation_losses=0"));
  append(expected, {"training_run_epoch_end", "on_training_run_epoch_end"});
  // Epoch 2: the 5th update is at micro-batch 3; the epoch's tail and evaluation still run.
  append(expected, {"train_epoch_start", "on_train_epoch_start epoch=2"});
  for (int64_t step = 0; step < 4; ++step) append(expected, train_step(step, step % 2 == 1));
  append(expected, {"train_epoch_end", "on_train_epoch_end train_losses=2"});
  append(expected, eval_epoch(2, "on_eval_epoch_end intermediate=false eval_losses=2 evaluation_losses=0"));
  append(expected, {"training_run_epoch_end", "on_training_run_epoch_end"});
  append(expected, {"training_run_end", "on_training_run_end epoch=3"});

  EXPECT_EQ(log, expected);
  for (size_t i = 0; i < std::min(log.size(), expected.size()); ++i)
    if (log[i] != expected[i]) ADD_FAILURE() << "first difference at " << i << ": " << log[i] << " vs " << expected[i];
  EXPECT_EQ(trainer.run_config->num_epochs, 2);
}

TEST(TrainerCallOrder, EvaluationRun) {
  Log log;
  RegressionProblem problem;
  RecordingTrainer trainer(problem, log, {std::make_shared<RecordingCallback>(log)});
  log.clear();
  trainer.evaluate({.dataset = regression_dataset(3), .per_device_batch_size = 2});

  Log expected = {"create_eval_dataloader", "get_default_eval_dl_kwargs", "evaluation_run_start",
                  "on_evaluation_run_start"};
  append(expected, eval_epoch(2, "on_eval_epoch_end intermediate=false eval_losses=0 evaluation_losses=1"));
  append(expected, {"evaluation_run_end", "on_evaluation_run_end"});
  EXPECT_EQ(log, expected);
  EXPECT_EQ(trainer.run_config->num_update_steps_per_epoch, 0);
  EXPECT_EQ(trainer.run_config->max_num_train_steps, 1);
}

TEST(TrainerCallOrder, StopTrainingErrorSkipsTheRestOfTheEpoch) {
  struct StopAtStep : TrainerCallback {
    void on_train_step_end(Trainer&, const data::Batch&, const BatchOutput&, int64_t step) override {
      if (step == 1) throw StopTrainingError("stopping");
    }
  };
  Log log;
  RegressionProblem problem;
  RecordingTrainer trainer(problem, log, {std::make_shared<RecordingCallback>(log), std::make_shared<StopAtStep>()});
  log.clear();
  trainer.train({.train_dataset = regression_dataset(4),
                 .eval_dataset = regression_dataset(2),
                 .num_epochs = 2,
                 .per_device_batch_size = 1,
                 .train_dataloader_kwargs = sequential_loader()});

  Log expected = {"create_train_dataloader",    "get_default_train_dl_kwargs", "create_eval_dataloader",
                  "get_default_eval_dl_kwargs", "training_run_start",          "on_training_run_start",
                  "train_epoch_start",          "on_train_epoch_start epoch=1"};
  append(expected, train_step(0, /*update=*/true, /*with_scheduler=*/false));
  // Step 1 raises in its on_train_step_end: no backward, no epoch tail, no evaluation.
  append(expected, {"on_train_step_start", "calculate_train_batch_loss", "on_train_step_end step=1",
                    "on_stop_training_error", "training_run_end", "on_training_run_end epoch=1"});
  EXPECT_EQ(log, expected);
}

TEST(TrainerCallOrder, EventsCanReplaceTheLoaders) {
  // A callback that limits both loaders at the start of the run (what LimitBatchesCallback does).
  struct Limit : TrainerCallback {
    void on_training_run_start(Trainer& trainer) override {
      trainer.train_dataloader = std::make_shared<BatchLoaderSlice>(trainer.train_dataloader, 2);
      trainer.eval_dataloader = std::make_shared<BatchLoaderSlice>(trainer.eval_dataloader, 1);
    }
  };
  Log log;
  RegressionProblem problem;
  RecordingTrainer trainer(problem, log, {std::make_shared<Limit>(), std::make_shared<RecordingCallback>(log)});
  trainer.train({.train_dataset = regression_dataset(8),
                 .eval_dataset = regression_dataset(8),
                 .num_epochs = 1,
                 .per_device_batch_size = 2,
                 .gradient_accumulation_steps = 4});
  EXPECT_EQ(std::count(log.begin(), log.end(), "calculate_train_batch_loss"), 2);
  EXPECT_EQ(std::count(log.begin(), log.end(), "calculate_eval_batch_loss"), 1);
  // The last micro-batch of the slice is an update (update steps follow the loader's length).
  EXPECT_EQ(std::count(log.begin(), log.end(), "optimizer_step"), 1);
}
