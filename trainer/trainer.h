#pragma once
// Trainer: pytorch-accelerated's training loop. It trains a model with an optimizer and a loss
// function, evaluates it, and calls overridable hooks and callback events at fixed points.
//
//   auto model = std::make_shared<MNISTModel>();
//   accel::optim::SGD optimizer(model->parameters(), {.lr = 0.001, .momentum = 0.9});
//   accel::Trainer trainer(model, accel::nn::CrossEntropyLoss(), optimizer);
//   trainer.train({.train_dataset = train, .eval_dataset = validation, .num_epochs = 8,
//                  .per_device_batch_size = 32});
//   trainer.evaluate({.dataset = test, .per_device_batch_size = 64});
//
// Customise it by overriding hooks in a subclass (calculate_train_batch_loss, ...) or with
// callbacks (callback.h). The order in which hooks and events are called is in docs/trainer.md;
// an event always runs after the hook of the same name.
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <accel/data/dataloader.h>
#include <accel/data/dataset.h>
#include <accel/nn/module.h>
#include <accel/optim/optimizer.h>
#include <accel/optim/scheduler.h>
#include <accel/tensor/tensor.h>
#include <accel/trainer/accelerator.h>
#include <accel/trainer/batch_loader.h>
#include <accel/trainer/batch_output.h>
#include <accel/trainer/callback.h>
#include <accel/trainer/callbacks/default_callbacks.h>
#include <accel/trainer/checkpoint.h>
#include <accel/trainer/dataloader_kwargs.h>
#include <accel/trainer/loss_function.h>
#include <accel/trainer/loss_tracker.h>
#include <accel/trainer/placeholders.h>
#include <accel/trainer/run_config.h>
#include <accel/trainer/run_history.h>

namespace accel::trainer {

struct TrainOptions {
  data::DatasetPtr train_dataset;
  std::optional<data::DatasetPtr> eval_dataset = std::nullopt;  // unset: no evaluation during training
  int64_t num_epochs = 1;
  int64_t per_device_batch_size = 8;
  // Optimizer updates (of this process) after which training stops; it sets the number of epochs.
  std::optional<int64_t> max_num_train_steps = std::nullopt;
  int64_t gradient_accumulation_steps = 1;
  // Clamp every gradient element to [-v, v] before each update.
  std::optional<double> gradient_clip_value = std::nullopt;
  // Rescale the gradients so that their total 2-norm is at most this, before each update.
  std::optional<double> gradient_clip_norm = std::nullopt;
  // Creates the scheduler once the run config is known; stepped once per update.
  SchedulerFactory create_scheduler_fn = nullptr;
  DataLoaderKwargs train_dataloader_kwargs = {};
  DataLoaderKwargs eval_dataloader_kwargs = {};
  // Clears the run history (metrics, epoch back to 1) first; false continues it.
  bool reset_run_history = true;
  data::CollateFn collate_fn = nullptr;  // default: data::default_collate
  // A directory written by save_training_state: restores it and finishes that run.
  std::optional<std::string> resume_from = std::nullopt;
};

struct EvaluateOptions {
  data::DatasetPtr dataset;
  int64_t per_device_batch_size = 8;
  DataLoaderKwargs dataloader_kwargs = {};
  data::CollateFn collate_fn = nullptr;
};

struct SaveCheckpointOptions {
  Metadata checkpoint_kwargs = {};  // custom top-level keys
  bool save_optimizer = true;
  bool save_scheduler = true;  // when there is a scheduler
  // true: the main process of each node writes (for nodes without a shared file system);
  // false: only the world's main process writes.
  bool save_per_node = true;
};

struct LoadCheckpointOptions {
  bool load_optimizer = true;  // when the checkpoint has optimizer state
  bool load_scheduler = true;  // when the checkpoint has scheduler state
};

class Trainer {
 public:
  // callbacks: default_callbacks() unless given (pass {} for none). run_history: a fresh
  // InMemoryRunHistory unless given. If ACCEL_LIMIT_BATCHES is set, a LimitBatchesCallback goes first.
  Trainer(std::shared_ptr<nn::Module> model, LossFunction loss_func, optim::Optimizer& optimizer,
          std::vector<std::shared_ptr<TrainerCallback>> callbacks = default_callbacks(),
          std::shared_ptr<RunHistory> run_history = nullptr);
  virtual ~Trainer() = default;
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // ---- entry points ----
  void train(const TrainOptions& options);
  // Evaluates on options.dataset; records "evaluation_loss". Always resets the run history.
  void evaluate(const EvaluateOptions& options);

  // Concatenates `tensor` from every process along dim 0 (a collective: every process must call
  // it). With padding_value, tensors of different lengths are padded to the longest first and the
  // padding rows are removed after (remove_padding). With one process: the tensor itself, minus
  // padding rows when padding_value is given.
  Tensor gather(const Tensor& tensor, std::optional<double> padding_value = std::nullopt) const;

  // Writes the arguments (streamed with <<, then a newline) on the local main process only.
  template <typename... Args>
  void print(const Args&... args) const {
    if (!accelerator.is_local_main_process()) return;
    std::ostringstream line;
    (line << ... << args);
    std::cout << line.str() << std::endl;
  }

  // The model's weights (PyTorch names), the optimizer's and scheduler's state and custom keys in
  // one safetensors file (checkpoint.h), written atomically.
  virtual void save_checkpoint(const std::string& save_path, const SaveCheckpointOptions& options = {});
  // Restores the model (strict key match) and, if present and asked, the optimizer and scheduler.
  // Returns everything in the file, custom keys included.
  virtual Checkpoint load_checkpoint(const std::string& checkpoint_path,
                                     const LoadCheckpointOptions& options = {});

  // Everything needed to resume, in a directory: model.safetensors, optimizer.safetensors,
  // scheduler.json (with a scheduler), random_states_<rank>.json (accel's default generator) and
  // trainer_metadata.json ({"current_epoch": ..., custom keys}).
  virtual void save_training_state(const std::string& output_dir, const Metadata& checkpoint_kwargs = {});
  // Restores what save_training_state wrote; returns the metadata (empty without the file).
  virtual Metadata load_training_state(const std::string& input_dir);

  // The model without any wrapper a distributed run adds.
  std::shared_ptr<nn::Module> get_model() const { return model; }
  Device device() const { return accelerator.device; }

  // ---- hooks (override to customise the loop) ----
  virtual std::shared_ptr<BatchLoader> create_train_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs);
  // shuffle, batch_size, pin_memory (on a GPU), num_workers (the CPU count per GPU, at least 1) and
  // seed 42 (the same shuffle order on every process).
  virtual data::DataLoaderOptions get_default_train_dl_kwargs(int64_t batch_size);
  virtual std::shared_ptr<BatchLoader> create_eval_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs);
  // As the train defaults, without shuffling.
  virtual data::DataLoaderOptions get_default_eval_dl_kwargs(int64_t batch_size);
  // create_scheduler_fn(optimizer, run_config).
  virtual std::unique_ptr<optim::Scheduler> create_scheduler();
  virtual void training_run_start() {}
  // model->train().
  virtual void train_epoch_start();
  // batch[0] through the model, loss_func(outputs, batch[1]); batch_size = batch[1].size(0).
  virtual BatchOutput calculate_train_batch_loss(const data::Batch& batch);
  virtual void backward_step(const Tensor& loss);
  // Steps the optimizer; returns true when the update was skipped (fp16 loss scaling found
  // non-finite gradients), in which case the scheduler is not stepped.
  virtual bool optimizer_step();
  virtual void scheduler_step();
  virtual void optimizer_zero_grad();
  virtual void train_epoch_end() {}
  // model->eval().
  virtual void eval_epoch_start();
  // As calculate_train_batch_loss; called without gradient recording.
  virtual BatchOutput calculate_eval_batch_loss(const data::Batch& batch);
  virtual void eval_epoch_end() {}
  virtual void training_run_epoch_end() {}
  virtual void training_run_end() { model = get_model(); }
  virtual void evaluation_run_start() {}
  virtual void evaluation_run_end() { model = get_model(); }

  // ---- the loop's building blocks (overridable, as the original's "internal" methods) ----
  // Called at the start of every run (the constructor's call always uses this default).
  virtual Accelerator create_accelerator() { return Accelerator::from_environment(); }
  // Fresh accelerator, seed 42 + rank (accel::manual_seed), model to the device.
  virtual void prepare_model_optimizer_and_dataloaders();
  virtual RunConfig create_run_config(const RunConfigArgs& args) {
    return trainer::create_run_config(args, accelerator);
  }
  virtual void run_training();
  // One epoch over train_dataloader: forward/backward per micro-batch, an update every
  // gradient_accumulation_steps micro-batches and at the last one, and the max-steps check.
  virtual void run_train_epoch();
  // Called before every update (after the accumulation window, after unscaling with fp16):
  // gradient_clip_value clamps each element, gradient_clip_norm rescales by the total norm.
  virtual void clip_gradients();
  virtual void perform_forward_and_backward_passes(const data::Batch& batch, int64_t step);
  // One epoch over eval_dataloader (read after on_eval_epoch_start, so callbacks may swap it).
  // Records "eval_loss_epoch" during training, "evaluation_loss" in evaluate(), and
  // "intermediate_eval_loss" when is_intermediate (an evaluation inside a training epoch, after
  // which the model's training mode is restored).
  virtual void run_eval_epoch(bool is_intermediate = false);
  virtual void run_evaluation();
  virtual void update_loss_tracker(double batch_loss, int64_t batch_size) {
    loss_tracker.update(batch_loss, batch_size);
  }
  // The epoch's sample-weighted mean loss over all processes, as metric_name.
  virtual void add_epoch_loss_to_run_history(const std::string& metric_name);
  // In a distributed run: an eval set smaller than one global batch is an Error; a last batch
  // that leaves a process empty or short prints a warning (see eval_batch_size_warning).
  virtual void check_eval_batch_size();

  // ---- state that hooks and callbacks read and replace ----
  std::shared_ptr<nn::Module> model;
  LossFunction loss_func;
  optim::Optimizer* optimizer;
  std::unique_ptr<optim::Scheduler> scheduler;
  std::shared_ptr<CallbackHandler> callback_handler;
  std::shared_ptr<RunHistory> run_history;
  std::optional<RunConfig> run_config;  // set by train() and evaluate()
  Accelerator accelerator;
  std::optional<data::DatasetPtr> train_dataset;
  std::optional<data::DatasetPtr> eval_dataset;
  data::CollateFn collate_fn;
  SchedulerFactory create_scheduler_fn;
  std::shared_ptr<BatchLoader> train_dataloader;
  std::shared_ptr<BatchLoader> eval_dataloader;
  // The options the current loaders were made with (set by create_*_dataloader).
  std::optional<data::DataLoaderOptions> train_dl_kwargs;
  std::optional<data::DataLoaderOptions> eval_dl_kwargs;
  LossTracker loss_tracker;

 protected:
  // Calls `event` on the current handler's callbacks. Holds the handler while it runs, since a
  // callback may replace trainer.callback_handler (ModelEmaCallback does).
  template <typename... Params, typename... Args>
  void call_event(void (TrainerCallback::*event)(Params...), Args&&... args) {
    const std::shared_ptr<CallbackHandler> handler = callback_handler;
    handler->call_event(event, *this, std::forward<Args>(args)...);
  }
  // Optimizer updates taken in the current training run (counted against max_num_train_steps).
  int64_t num_updates_in_run() const { return updates_in_run_; }

 private:
  // batch[0] through the model, loss_func(outputs, batch[1]).
  BatchOutput default_batch_loss(const data::Batch& batch);
  // Moves the batch's tensors to the device (a no-op on the CPU).
  data::Batch to_device(data::Batch batch) const;
  std::shared_ptr<BatchLoader> make_loader(const data::DatasetPtr& dataset, const data::DataLoaderOptions& options);

  bool in_training_run_ = false;
  bool reached_max_steps_ = false;
  int64_t updates_in_run_ = 0;
  int64_t epochs_to_run_ = 0;
};

// The check of check_eval_batch_size for an eval set of eval_dataset_size examples: nothing when
// not distributed or the last global batch is full; an accel::Error when one global batch is
// larger than the set; otherwise the warning (some process gets no sample of the last batch, so
// gather would hang; or fewer samples, so gather needs a padding_value).
std::optional<std::string> eval_batch_size_warning(const RunConfig& run_config, int64_t eval_dataset_size);

}  // namespace accel::trainer

namespace accel {
using trainer::StopTrainingError;
using trainer::Trainer;
using trainer::TrainerCallback;
using trainer::TrainerPlaceholderValues;
}  // namespace accel
