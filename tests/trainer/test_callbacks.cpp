// Built-in callbacks on tiny real training runs (linear regression): the defaults, printing,
// progress bars, metric logging and files, early stopping, EMA, NaN termination, batch limits and
// step-based evaluation.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <accel/trainer/callbacks/callbacks.h>
#include <accel/trainer/limit_batches.h>

#include "trainer_testing.h"

namespace accel::trainer {
namespace {

using testing::regression_dataset;
using testing::RegressionProblem;
using testing::sequential_loader;
using testing::TemporaryDirectory;

std::shared_ptr<data::Dataset> dataset(int64_t n) { return std::make_shared<data::TensorDataset>(regression_dataset(n)); }

// 32 training examples in 4 batches of 8, 16 eval examples in 2.
TrainOptions small_run(int64_t num_epochs) {
  return {.train_dataset = dataset(32),
          .eval_dataset = dataset(16),
          .num_epochs = num_epochs,
          .per_device_batch_size = 8,
          .train_dataloader_kwargs = sequential_loader(),
          .eval_dataloader_kwargs = sequential_loader()};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Counts what the loop did, for the behaviour checks.
struct Recorder : TrainerCallback {
  void on_train_epoch_start(Trainer&) override { ++train_epochs; }
  void on_train_step_start(Trainer& trainer) override {
    ++train_steps;
    if (!trainer.model->is_training()) ++train_steps_in_eval_mode;
  }
  void on_eval_epoch_start(Trainer& trainer, bool is_intermediate) override {
    if (is_intermediate) intermediate_evals_at_step.push_back(last_step);
    eval_loader_sizes.push_back(trainer.eval_dataloader->size());
  }
  void on_train_step_end(Trainer&, const data::Batch&, const BatchOutput&, int64_t step) override { last_step = step; }
  void on_eval_step_end(Trainer&, const data::Batch&, const BatchOutput&) override { ++eval_steps; }
  int train_epochs = 0;
  int train_steps = 0;
  int train_steps_in_eval_mode = 0;
  int eval_steps = 0;
  int64_t last_step = -1;
  std::vector<int64_t> intermediate_evals_at_step;
  std::vector<int64_t> eval_loader_sizes;
};

// Records a scripted value of "score" at each epoch's end (before the callbacks that watch it).
struct ScriptedMetric : TrainerCallback {
  explicit ScriptedMetric(std::vector<double> values) : values(std::move(values)) {}
  void on_training_run_epoch_end(Trainer& trainer) override {
    trainer.run_history->update_metric("score", values.at(next++));
  }
  std::vector<double> values;
  size_t next = 0;
};

// Copies of the model's weights at the end of every epoch.
struct WeightSnapshots : TrainerCallback {
  void on_training_run_start(Trainer& trainer) override { initial = snapshot(*trainer.model); }
  void on_train_epoch_end(Trainer& trainer) override { after_epoch.push_back(snapshot(*trainer.model)); }
  static std::vector<Tensor> snapshot(const nn::Module& model) {
    std::vector<Tensor> values;
    for (const auto& [name, value] : model.state_dict()) values.push_back(value.detach().clone());
    return values;
  }
  std::vector<Tensor> initial;
  std::vector<std::vector<Tensor>> after_epoch;
};

// ---- defaults ----

TEST(DefaultCallbacks, AreTheOriginalsInOrder) {
  CallbackHandler with_bar(default_callbacks());
  EXPECT_EQ(with_bar.callback_list(),
            (std::vector<std::string>{"MoveModulesToDeviceCallback", "TerminateOnNaNCallback", "PrintProgressCallback",
                                      "ProgressBarCallback", "LogMetricsCallback"}));
  CallbackHandler without_bar(default_callbacks(/*progress_bar=*/false));
  EXPECT_EQ(without_bar.callback_list(), (std::vector<std::string>{"MoveModulesToDeviceCallback", "TerminateOnNaNCallback",
                                                                   "PrintProgressCallback", "LogMetricsCallback"}));
}

// ---- printing ----

TEST(PrintProgressCallback, PrintsTheRunsStages) {
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {std::make_shared<PrintProgressCallback>()});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(2));
  trainer.evaluate({.dataset = dataset(16), .dataloader_kwargs = sequential_loader()});
  EXPECT_EQ(::testing::internal::GetCapturedStdout(),
            "\nStarting training run\n\nStarting epoch 1\n\nStarting eval epoch\n\nStarting epoch 2\n"
            "\nStarting eval epoch\nFinishing training run\n\nStarting evaluation run\n\nStarting eval epoch\n"
            "Finishing evaluation run\n");
}

TEST(LogMetricsCallback, LogsTrainMetricsAfterTrainingAndTheRestAfterEvaluation) {
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {std::make_shared<LogMetricsCallback>()});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(1));
  std::string out = ::testing::internal::GetCapturedStdout();
  const RunHistory& history = *trainer.run_history;
  EXPECT_EQ(out, "\ntrain_loss_epoch: " + format_metric_value(history.get_latest_metric("train_loss_epoch")) +
                     "\n\neval_loss_epoch: " + format_metric_value(history.get_latest_metric("eval_loss_epoch")) +
                     "\n");
}

TEST(LogMetricsCallback, FormatsValuesAsPythonReprDoes) {
  EXPECT_EQ(format_metric_value(0.1), "0.1");
  EXPECT_EQ(format_metric_value(0.6931471824645996), "0.6931471824645996");
  EXPECT_EQ(format_metric_value(2.0), "2");
  EXPECT_EQ(format_metric_value(std::nan("")), "nan");
}

TEST(LogMetricsCallback, SubclassesReceiveTheMetrics) {
  struct Collect : LogMetricsCallback {
    void log_metrics(Trainer&, const std::vector<std::pair<std::string, double>>& metrics) override {
      for (const auto& [name, value] : metrics) names.push_back(name);
    }
    std::vector<std::string> names;
  };
  RegressionProblem problem;
  auto collect = std::make_shared<Collect>();
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<ScriptedMetric>(std::vector<double>{1.0, 2.0}), collect});
  trainer.train(small_run(2));
  // "score" is recorded at epoch end, after epoch 1's eval: it is logged with epoch 2's eval.
  EXPECT_EQ(collect->names, (std::vector<std::string>{"train_loss_epoch", "eval_loss_epoch", "train_loss_epoch",
                                                      "eval_loss_epoch", "score"}));
}

TEST(ProgressBarCallback, OneBarPerEpochAdvancedPerMicroBatch) {
  std::ostringstream out;
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<ProgressBarCallback>(ProgressBarOptions{.stream = &out, .interactive = false})});
  trainer.train(small_run(2));
  // Non-interactive bars of short epochs print one line each, at close.
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_EQ(lines[0].rfind("train 4/4 (100%) elapsed ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("eval 2/2 (100%) elapsed ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("train 4/4 (100%)", 0), 0u) << lines[2];
  // The bar shows the epoch's running mean loss: at close, the epoch's loss.
  EXPECT_NE(lines[3].find("loss="), std::string::npos);
}

TEST(ProgressBarCallback, InteractiveBarsRedrawInPlace) {
  std::ostringstream out;
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<ProgressBarCallback>(
                      ProgressBarOptions{.stream = &out, .interactive = true, .width = 60, .min_redraw_interval_s = 0})});
  trainer.train(small_run(1));
  const std::string text = out.str();
  // A first draw and one per micro-batch (4 train, 2 eval), plus one at each close; a newline per bar.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), (1 + 4 + 1) + (1 + 2 + 1));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
}

// ---- metrics file ----

TEST(MetricsFileCallback, WritesEachEpochAsJsonLinesAndCsv) {
  TemporaryDirectory dir("accel_metrics_file");
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<MetricsFileCallback>(MetricsFileCallbackOptions{
                      .jsonl_path = dir.file("run/metrics.jsonl"), .csv_path = dir.file("run/metrics.csv")})});
  trainer.train(small_run(2));
  const RunHistory& history = *trainer.run_history;
  auto value = [&](const char* name, size_t epoch) {
    return format_metric_value(history.get_metric_values(name).at(epoch));
  };
  EXPECT_EQ(read_file(dir.file("run/metrics.jsonl")),
            "{\"epoch\":1,\"train_loss_epoch\":" + value("train_loss_epoch", 0) + ",\"eval_loss_epoch\":" +
                value("eval_loss_epoch", 0) + "}\n{\"epoch\":2,\"train_loss_epoch\":" + value("train_loss_epoch", 1) +
                ",\"eval_loss_epoch\":" + value("eval_loss_epoch", 1) + "}\n");
  EXPECT_EQ(read_file(dir.file("run/metrics.csv")),
            "epoch,train_loss_epoch,eval_loss_epoch\n1," + value("train_loss_epoch", 0) + "," +
                value("eval_loss_epoch", 0) + "\n2," + value("train_loss_epoch", 1) + "," +
                value("eval_loss_epoch", 1) + "\n");
}

TEST(MetricsFileCallback, LateMetricsAddColumnsAndMissingValuesStayEmpty) {
  TemporaryDirectory dir("accel_metrics_file_late");
  struct LateMetric : TrainerCallback {
    void on_training_run_epoch_end(Trainer& trainer) override {
      if (trainer.run_history->current_epoch() == 2) trainer.run_history->update_metric("acc, top-1", std::nan(""));
    }
  };
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<LateMetric>(),
                   std::make_shared<MetricsFileCallback>(MetricsFileCallbackOptions{
                       .jsonl_path = dir.file("m.jsonl"), .csv_path = dir.file("m.csv")})});
  TrainOptions options = small_run(3);
  options.eval_dataset = std::nullopt;
  trainer.train(options);
  const RunHistory& history = *trainer.run_history;
  auto loss = [&](size_t epoch) { return format_metric_value(history.get_metric_values("train_loss_epoch").at(epoch)); };
  EXPECT_EQ(read_file(dir.file("m.csv")), "epoch,train_loss_epoch,\"acc, top-1\"\n1," + loss(0) + ",\n2," + loss(1) +
                                              ",nan\n3," + loss(2) + ",\n");
  EXPECT_NE(read_file(dir.file("m.jsonl")).find("\"acc, top-1\":null}"), std::string::npos);
}

// ---- early stopping ----

TEST(EarlyStoppingCallback, StopsAfterPatienceEpochsWithoutImprovement) {
  // With lr 0 the eval loss never changes: epoch 1 sets the best, epochs 2 and 3 count.
  manual_seed(0);
  auto model = std::make_shared<nn::Linear>(1, 1);
  optim::SGD optimizer(model->parameters(), {.lr = 0.0});
  auto recorder = std::make_shared<Recorder>();
  auto stopping = std::make_shared<EarlyStoppingCallback>(EarlyStoppingCallbackOptions{.early_stopping_patience = 2});
  Trainer trainer(model, nn::MSELoss(), optimizer, {recorder, stopping});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(10));
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->train_epochs, 3);
  EXPECT_EQ(stopping->early_stopping_patience_counter(), 2);
  EXPECT_EQ(out, "No improvement above threshold observed, incrementing counter. \nEarly stopping counter: 1/2\n"
                 "No improvement above threshold observed, incrementing counter. \nEarly stopping counter: 2/2\n"
                 "Stopping training due to no improvement after 2 epochs\n");
}

TEST(EarlyStoppingCallback, ImprovementAboveThresholdResetsTheCounter) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  // 1.0 best; 0.995 (too small: 1); 0.9 (improves by 0.1: reset); 0.895, 0.899 (2 without) -> stop after epoch 5.
  auto stopping = std::make_shared<EarlyStoppingCallback>(
      EarlyStoppingCallbackOptions{.early_stopping_patience = 2, .watch_metric = "score"});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {recorder, std::make_shared<ScriptedMetric>(std::vector<double>{1.0, 0.995, 0.9, 0.895, 0.899, 0.1}),
                   stopping});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(6));
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->train_epochs, 5);
  EXPECT_DOUBLE_EQ(*stopping->best_metric(), 0.9);
  EXPECT_NE(out.find("\nImprovement of " + format_metric_value(std::abs(0.9 - 1.0)) +
                     " observed, resetting counter. \nEarly stopping counter: 0/2\n"),
            std::string::npos)
      << out;
}

TEST(EarlyStoppingCallback, GreaterIsBetterAndPatienceZero) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  auto stopping = std::make_shared<EarlyStoppingCallback>(EarlyStoppingCallbackOptions{
      .early_stopping_patience = 1, .early_stopping_threshold = 0.0, .watch_metric = "score", .greater_is_better = true});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {recorder, std::make_shared<ScriptedMetric>(std::vector<double>{0.5, 0.6, 0.7, 0.7}), stopping});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(4));
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->train_epochs, 4);  // rising until the last epoch, where 0.7 does not beat 0.7

  auto impatient = std::make_shared<Recorder>();
  RegressionProblem second;
  Trainer stops_at_once(second.model, nn::MSELoss(), *second.optimizer,
                        {impatient, std::make_shared<EarlyStoppingCallback>(
                                        EarlyStoppingCallbackOptions{.early_stopping_patience = 0})});
  ::testing::internal::CaptureStdout();
  stops_at_once.train(small_run(4));
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(impatient->train_epochs, 1);
}

TEST(EarlyStoppingCallback, MissingMetricIsAClearError) {
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {std::make_shared<EarlyStoppingCallback>()});
  TrainOptions options = small_run(2);
  options.eval_dataset = std::nullopt;
  EXPECT_THROW(trainer.train(options), Error);
  EXPECT_THROW(EarlyStoppingCallback({.early_stopping_patience = -1}), Error);
}

// ---- EMA ----

TEST(ModelEmaCallback, AverageFollowsTheFormulaOncePerEpochAndIsEvaluated) {
  TemporaryDirectory dir("accel_ema_callback");
  RegressionProblem problem;
  auto snapshots = std::make_shared<WeightSnapshots>();
  auto ema = std::make_shared<ModelEmaCallback>(
      ModelEmaCallbackOptions{.decay = 0.5, .save_path = dir.file("ema.safetensors")});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {snapshots, ema});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(3));
  std::string out = ::testing::internal::GetCapturedStdout();

  std::vector<Tensor> expected = snapshots->initial;
  for (const auto& weights : snapshots->after_epoch)
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = expected[i] * 0.5 + weights[i] * 0.5;
  size_t i = 0;
  for (const auto& [name, value] : ema->ema_model()->module()->state_dict()) {
    EXPECT_TRUE(allclose(value, expected[i++], 1e-6, 1e-7)) << name;
  }
  // The average is evaluated after every eval epoch and the model is back in place.
  EXPECT_EQ(trainer.run_history->get_metric_values("ema_model_eval_loss_epoch").size(), 3u);
  EXPECT_EQ(trainer.run_history->get_metric_values("eval_loss_epoch").size(), 3u);
  EXPECT_EQ(trainer.model, problem.model);
  EXPECT_EQ(trainer.run_history->metric_name_prefix(), "");
  EXPECT_NE(out.find("Running evaluation on EMA model"), std::string::npos);
  // The best average was saved with its metric, without optimizer state; it is not loaded back.
  Checkpoint saved = read_checkpoint(dir.file("ema.safetensors"));
  EXPECT_FALSE(saved.optimizer_state_dict);
  EXPECT_DOUBLE_EQ(metadata_as<double>(saved["ema_model_eval_loss_epoch"]), *ema->best_metric());
  EXPECT_FALSE(equal(problem.model->weight, ema->ema_model()->module()->state_dict().find("weight")->detach()));
}

TEST(ModelEmaCallback, WithoutEvaluationSavesTheAverageEveryEpoch) {
  TemporaryDirectory dir("accel_ema_no_eval");
  RegressionProblem problem;
  auto ema = std::make_shared<ModelEmaCallback>(ModelEmaCallbackOptions{
      .decay = 0.9, .evaluate_during_training = false, .save_path = dir.file("ema.safetensors")});
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {ema});
  trainer.train(small_run(2));
  EXPECT_TRUE(trainer.run_history->get_metric_values("ema_model_eval_loss_epoch").empty());
  Checkpoint saved = read_checkpoint(dir.file("ema.safetensors"));
  EXPECT_TRUE(equal(*saved.model_state_dict.find("weight"), *ema->ema_model()->module()->state_dict().find("weight")));
}

// ---- NaN termination ----

Tensor nan_loss(const Tensor& output, const Tensor& target) { return ((output - target) * std::nan("")).mean(); }

TEST(TerminateOnNaNCallbackDeathTest, ExitsWithStatusOneAfterTheRunEnds) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto run = [] {
    RegressionProblem problem;
    Trainer trainer(problem.model, nan_loss, *problem.optimizer, default_callbacks(/*progress_bar=*/false));
    trainer.train(small_run(2));
  };
  EXPECT_EXIT(run(), ::testing::ExitedWithCode(1), "Exiting due to NaN loss");
}

TEST(TerminateOnNaNCallback, StopsTrainingAtTheFirstNonFiniteLoss) {
  auto nan = std::make_shared<TerminateOnNaNCallback>();
  auto recorder = std::make_shared<Recorder>();
  RegressionProblem problem;
  Trainer trainer(problem.model, nan_loss, *problem.optimizer, {recorder, nan});
  data::Batch batch;
  BatchOutput finite{.loss = tensor({1.0f, 2.0f})};
  EXPECT_NO_THROW(nan->on_train_step_end(trainer, batch, finite, 0));
  BatchOutput infinite{.loss = tensor({1.0f, std::numeric_limits<float>::infinity()})};
  try {
    nan->on_eval_step_end(trainer, batch, infinite);
    FAIL() << "no StopTrainingError";
  } catch (const StopTrainingError& error) {
    EXPECT_STREQ(error.what(), "Stopping training due to NaN loss in validation step");
  }
  EXPECT_TRUE(nan->triggered());
  // evaluate(): the loop stops, the process goes on.
  ::testing::internal::CaptureStdout();
  trainer.evaluate({.dataset = dataset(16), .dataloader_kwargs = sequential_loader()});
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("Stopping training due to NaN loss in validation step"),
            std::string::npos);
  EXPECT_EQ(recorder->eval_steps, 1);
}

// ---- batch limits ----

TEST(LimitBatchesCallback, CapsTrainAndEvalBatches) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<LimitBatchesCallback>(3), recorder});
  trainer.train(small_run(2));
  EXPECT_EQ(recorder->train_steps, 2 * 3);
  EXPECT_EQ(recorder->eval_steps, 2 * 2);  // the eval loader has only 2 batches
  recorder->eval_steps = 0;
  trainer.evaluate({.dataset = dataset(64), .dataloader_kwargs = sequential_loader()});
  EXPECT_EQ(recorder->eval_steps, 3);
  EXPECT_THROW(LimitBatchesCallback(0), Error);
}

TEST(LimitBatchesCallback, IsAddedFirstInsideLimitBatches) {
  // test_can_limit_batches_with_manager / test_limit_batches_not_present_outside_manager
  RegressionProblem problem;
  {
    LimitBatches limit(4);
    Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer);
    auto first = std::dynamic_pointer_cast<LimitBatchesCallback>(trainer.callback_handler->callbacks().at(0));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->num_batches(), 4);
  }
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer);
  EXPECT_FALSE(trainer.callback_handler->get_callback<LimitBatchesCallback>());
}

// ---- step-based evaluation ----

TEST(StepBasedEvaluationCallback, EvaluatesEveryNStepsAndRestoresTrainingMode) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {recorder, std::make_shared<StepBasedEvaluationCallback>(2)});
  TrainOptions options = small_run(2);
  options.per_device_batch_size = 4;  // 8 micro-batches per epoch: evaluations at steps 2, 4, 6
  ::testing::internal::CaptureStdout();
  trainer.train(options);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->intermediate_evals_at_step, (std::vector<int64_t>{2, 4, 6, 2, 4, 6}));
  EXPECT_EQ(recorder->train_steps_in_eval_mode, 0);
  EXPECT_TRUE(trainer.run_history->get_metric_values("intermediate_eval_loss").empty());
  EXPECT_NE(out.find("\nRunning evaluation after 2 training steps\n\nResuming training...\n"), std::string::npos);

  // The intermediate evaluations change neither the training losses nor the weights.
  RegressionProblem plain;
  Trainer reference(plain.model, nn::MSELoss(), *plain.optimizer, {});
  reference.train(options);
  EXPECT_EQ(trainer.run_history->get_metric_values("train_loss_epoch"),
            reference.run_history->get_metric_values("train_loss_epoch"));
  EXPECT_TRUE(equal(problem.model->weight, plain.model->weight));
}

TEST(LimitEvalStepsCallback, LimitsIntermediateEvaluationsOnlyByDefault) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<LimitEvalStepsCallback>(1), recorder,
                   std::make_shared<StepBasedEvaluationCallback>(3)});
  TrainOptions options = small_run(1);
  options.per_device_batch_size = 4;  // 8 train batches (evaluations at 3 and 6), 4 eval batches
  ::testing::internal::CaptureStdout();
  trainer.train(options);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->eval_loader_sizes, (std::vector<int64_t>{1, 1, 4}));
  EXPECT_EQ(recorder->eval_steps, 1 + 1 + 4);
  EXPECT_EQ(trainer.eval_dataloader->size(), 4);  // restored
  EXPECT_NE(out.find("Limiting evaluation to 1 steps per process\n"), std::string::npos);
}

TEST(LimitEvalStepsCallback, CanLimitEveryEvaluation) {
  RegressionProblem problem;
  auto recorder = std::make_shared<Recorder>();
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer,
                  {std::make_shared<LimitEvalStepsCallback>(1, /*limit_intermediate_only=*/false), recorder});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(2));
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(recorder->eval_steps, 2);
  EXPECT_EQ(recorder->eval_loader_sizes, (std::vector<int64_t>{1, 1}));
}

// ---- the rest ----

TEST(MoveModulesToDeviceCallback, MovesTheLossModuleAndRegisteredModules) {
  RegressionProblem problem;
  auto weighted = std::make_shared<nn::CrossEntropyLoss>(nn::CrossEntropyLossOptions{.weight = ones({3})});
  auto metric = std::make_shared<nn::Linear>(2, 2);
  auto move = std::make_shared<MoveModulesToDeviceCallback>(std::vector<std::shared_ptr<nn::Module>>{metric});
  Trainer trainer(problem.model, weighted, *problem.optimizer, {move});
  trainer.accelerator.device = kCPU;
  move->on_training_run_start(trainer);
  EXPECT_EQ(metric->weight.device(), trainer.device());
  EXPECT_EQ(move->modules().size(), 1u);
  EXPECT_THROW(move->add_module(nullptr), Error);
}

TEST(ConvertSyncBatchNormCallback, IsANoOpInASingleProcessRun) {
  RegressionProblem problem;
  Trainer trainer(problem.model, nn::MSELoss(), *problem.optimizer, {std::make_shared<ConvertSyncBatchNormCallback>()});
  ::testing::internal::CaptureStdout();
  trainer.train(small_run(1));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(trainer.model, problem.model);
}

}  // namespace
}  // namespace accel::trainer
