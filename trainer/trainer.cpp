#include <accel/trainer/trainer.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include <accel/autograd/grad_mode.h>
#include <accel/kernels/cuda/cuda.h>
#include <accel/nn/utils.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/random.h>
#include <accel/tensor/serialization.h>
#include <accel/trainer/limit_batches.h>
#include <accel/trainer/remove_padding.h>

namespace accel::trainer {

namespace {

// The batch loss as a number (the mean of a per-sample loss), without an op for the usual scalar.
double loss_value(const Tensor& loss) {
  return loss.numel() == 1 ? loss.item<double>() : loss.detach().mean().item<double>();
}

// pytorch-accelerated seeds every run with 42 + the process index.
constexpr uint64_t kSeed = 42;

const char* const kModelFile = "model.safetensors";
const char* const kOptimizerFile = "optimizer.safetensors";
const char* const kSchedulerFile = "scheduler.json";
const char* const kMetadataFile = "trainer_metadata.json";

std::string random_states_file(int64_t rank) { return "random_states_" + std::to_string(rank) + ".json"; }

// Writes under a temporary name and renames, so a crash never leaves a half-written file.
void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    ACCEL_CHECK(out, "Trainer: cannot write ", temporary.string());
    out << text;
    out.close();
    ACCEL_CHECK(out, "Trainer: writing ", temporary.string(), " failed");
  }
  std::filesystem::rename(temporary, path);
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  ACCEL_CHECK(in, "Trainer: cannot read ", path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int64_t default_num_workers(const Accelerator& accelerator) {
  const int64_t cpus = std::max<int64_t>(std::thread::hardware_concurrency(), 1);
  const int64_t gpus = accelerator.device.is_cuda() ? std::max(cuda::device_count(), 1) : 1;
  return std::max<int64_t>(cpus / gpus, 1);
}

// Seeded with 42 on every process, so that all processes shuffle alike.
data::DataLoaderOptions default_loader_options(int64_t batch_size, bool shuffle, const Accelerator& accelerator) {
  return {
      .batch_size = batch_size,
      .shuffle = shuffle,
      .num_workers = default_num_workers(accelerator),
      .pin_memory = accelerator.device.is_cuda(),
      .seed = kSeed,
  };
}
}  // namespace

Trainer::Trainer(std::shared_ptr<nn::Module> model, LossFunction loss_func, optim::Optimizer& optimizer,
                 std::vector<std::shared_ptr<TrainerCallback>> callbacks, std::shared_ptr<RunHistory> run_history)
    : model(std::move(model)),
      loss_func(std::move(loss_func)),
      optimizer(&optimizer),
      run_history(run_history ? std::move(run_history) : std::make_shared<InMemoryRunHistory>()),
      accelerator(create_accelerator()) {
  ACCEL_CHECK(this->model, "Trainer: the model is null");
  if (const std::optional<int64_t> num_batches = limit_batches_from_environment())
    callbacks.insert(callbacks.begin(), limit_batches_callback(*num_batches));
  callback_handler = std::make_shared<CallbackHandler>(std::move(callbacks));
  call_event(&TrainerCallback::on_init_end);
}

// ---------------------------------------------------------------------------------------------
// Entry points

void Trainer::train(const TrainOptions& options) {
  train_dataset = options.train_dataset;
  eval_dataset = options.eval_dataset;
  create_scheduler_fn = options.create_scheduler_fn;
  collate_fn = options.collate_fn;

  if (options.reset_run_history && !options.resume_from) run_history->reset();

  train_dataloader = create_train_dataloader(options.per_device_batch_size, options.train_dataloader_kwargs);
  // Without an eval set, nothing of a previous run's evaluation is kept (the original kept its loader).
  eval_dataloader = nullptr;
  eval_dl_kwargs.reset();
  if (eval_dataset)
    eval_dataloader = create_eval_dataloader(options.per_device_batch_size, options.eval_dataloader_kwargs);

  prepare_model_optimizer_and_dataloaders();
  run_config = create_run_config({
      .num_epochs = options.num_epochs,
      .per_device_batch_size = options.per_device_batch_size,
      .train_dl_kwargs = train_dl_kwargs,
      .eval_dl_kwargs = eval_dl_kwargs,
      .gradient_accumulation_steps = options.gradient_accumulation_steps,
      .max_num_train_steps = options.max_num_train_steps,
      .gradient_clip_value = options.gradient_clip_value,
      .gradient_clip_norm = options.gradient_clip_norm,
      .train_dataloader_len = train_dataloader->size(),
      .eval_dataloader_len = eval_dataloader ? std::optional<int64_t>(eval_dataloader->size()) : std::nullopt,
  });
  check_eval_batch_size();
  // A run without a factory has no scheduler (the original kept the previous run's).
  scheduler = create_scheduler_fn ? create_scheduler() : nullptr;

  // Updates already done count towards max_num_train_steps, and only the epochs left of the
  // resumed run are run (the original ran num_epochs more, cut short by max steps).
  updates_in_run_ = 0;
  epochs_to_run_ = run_config->num_epochs;
  if (options.resume_from) {
    const Metadata metadata = load_training_state(*options.resume_from);
    const MetadataValue* epoch = metadata.find("current_epoch");
    const int64_t resumed_epoch = epoch ? metadata_as<int64_t>(*epoch) : 1;
    ACCEL_CHECK(resumed_epoch >= 1, "Trainer: the training state in ", *options.resume_from, " has current_epoch ",
                resumed_epoch);
    run_history->set_epoch(resumed_epoch);
    // The loader's shuffle depends on its epoch: continue with the resumed epoch's order.
    if (auto* batches = dynamic_cast<DataLoaderBatches*>(train_dataloader.get()))
      batches->data_loader().set_epoch(resumed_epoch - 1);
    updates_in_run_ = (resumed_epoch - 1) * run_config->num_local_update_steps_per_epoch;
    epochs_to_run_ = std::max<int64_t>(run_config->num_epochs - (resumed_epoch - 1), 0);
    print("Resumed training state from ", *options.resume_from, " (epoch ", resumed_epoch, ")");
  }
  run_training();
}

void Trainer::evaluate(const EvaluateOptions& options) {
  eval_dataset = options.dataset;
  collate_fn = options.collate_fn;
  run_history->reset();

  train_dataloader = nullptr;
  train_dl_kwargs.reset();
  eval_dataloader = create_eval_dataloader(options.per_device_batch_size, options.dataloader_kwargs);

  prepare_model_optimizer_and_dataloaders();
  run_config = create_run_config({
      .num_epochs = 1,
      .per_device_batch_size = options.per_device_batch_size,
      .eval_dl_kwargs = eval_dl_kwargs,
      .gradient_accumulation_steps = 1,
      .eval_dataloader_len = eval_dataloader->size(),
  });
  check_eval_batch_size();
  run_evaluation();
}

Tensor Trainer::gather(const Tensor& tensor, std::optional<double> padding_value) const {
  ACCEL_CHECK(!accelerator.is_distributed(), "Trainer::gather: gathering across ", accelerator.num_processes,
              " processes needs the distributed layer, which this build does not have yet");
  if (!padding_value) return tensor;
  // The padding value as the tensor's dtype holds it (e.g. -1.5 pads an integer tensor with -1).
  return remove_padding(tensor, full({}, *padding_value, {.dtype = tensor.dtype()}).item());
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

void Trainer::save_checkpoint(const std::string& save_path, const SaveCheckpointOptions& options) {
  Checkpoint checkpoint;
  checkpoint.model_state_dict = get_model()->state_dict();
  if (options.save_optimizer && optimizer) checkpoint.optimizer_state_dict = optimizer->state_dict();
  if (options.save_scheduler && scheduler) {
    try {
      checkpoint.scheduler_state_dict = scheduler->state_dict();
    } catch (const std::exception& e) {
      print("Warning: the scheduler's state is not saved, because state_dict() failed: ", e.what());
    }
  }
  checkpoint.checkpoint_kwargs = options.checkpoint_kwargs;
  const bool writes = options.save_per_node ? accelerator.is_local_main_process() : accelerator.is_main_process();
  if (writes) write_checkpoint(checkpoint, save_path);
}

Checkpoint Trainer::load_checkpoint(const std::string& checkpoint_path, const LoadCheckpointOptions& options) {
  Checkpoint checkpoint = read_checkpoint(checkpoint_path);
  get_model()->load_state_dict(checkpoint.model_state_dict);
  if (options.load_optimizer && checkpoint.optimizer_state_dict) {
    ACCEL_CHECK(optimizer, "Trainer::load_checkpoint: ", checkpoint_path,
                " has optimizer state but the trainer has no optimizer; load with load_optimizer = false");
    optimizer->load_state_dict(*checkpoint.optimizer_state_dict);
  }
  if (options.load_scheduler && checkpoint.scheduler_state_dict) {
    ACCEL_CHECK(scheduler, "Trainer::load_checkpoint: ", checkpoint_path,
                " has scheduler state but the trainer has no scheduler; load with load_scheduler = false");
    scheduler->load_state_dict(*checkpoint.scheduler_state_dict);
  }
  return checkpoint;
}

void Trainer::save_training_state(const std::string& output_dir, const Metadata& checkpoint_kwargs) {
  namespace fs = std::filesystem;
  const fs::path dir(output_dir);
  fs::create_directories(dir);
  if (accelerator.is_main_process()) {
    accel::save(get_model()->state_dict(), (dir / kModelFile).string());
    if (optimizer) optimizer->save((dir / kOptimizerFile).string());
    if (scheduler) write_text_atomically(dir / kSchedulerFile, scheduler->state_dict());
  }
  // Every process saves its own generator, so that each resumes its own random stream.
  const Generator& generator = default_generator();
  const nlohmann::json random_state = {{"seed", generator.seed()}, {"offset", generator.offset()}};
  write_text_atomically(dir / random_states_file(accelerator.process_index), random_state.dump());
  if (accelerator.is_main_process()) {
    Metadata metadata;
    metadata.insert("current_epoch", run_history->current_epoch());
    for (const auto& [key, value] : checkpoint_kwargs) metadata.set(key, value);
    // Written last: its presence marks a complete state.
    write_text_atomically(dir / kMetadataFile, metadata_to_json(metadata));
  }
}

Metadata Trainer::load_training_state(const std::string& input_dir) {
  namespace fs = std::filesystem;
  const fs::path dir(input_dir);
  ACCEL_CHECK(fs::is_directory(dir), "Trainer::load_training_state: ", input_dir, " is not a directory");
  const fs::path model_file = dir / kModelFile;
  ACCEL_CHECK(fs::exists(model_file), "Trainer::load_training_state: ", input_dir, " has no ", kModelFile);
  get_model()->load_state_dict(accel::load(model_file.string()));
  if (fs::exists(dir / kOptimizerFile)) {
    ACCEL_CHECK(optimizer, "Trainer::load_training_state: ", input_dir,
                " has optimizer state but the trainer has "
                "no optimizer");
    optimizer->load((dir / kOptimizerFile).string());
  }
  if (fs::exists(dir / kSchedulerFile)) {
    ACCEL_CHECK(scheduler, "Trainer::load_training_state: ", input_dir,
                " has scheduler state but the trainer has "
                "no scheduler (pass create_scheduler_fn to train)");
    scheduler->load_state_dict(read_text(dir / kSchedulerFile));
  }
  const fs::path random_states = dir / random_states_file(accelerator.process_index);
  if (fs::exists(random_states)) {
    const nlohmann::json state = nlohmann::json::parse(read_text(random_states));
    Generator& generator = default_generator();
    generator.manual_seed(state.at("seed").get<uint64_t>());
    generator.set_offset(state.at("offset").get<uint64_t>());
  }
  const fs::path metadata_file = dir / kMetadataFile;
  return fs::exists(metadata_file) ? metadata_from_json(read_text(metadata_file)) : Metadata{};
}

// ---------------------------------------------------------------------------------------------
// Data loaders and scheduler

std::shared_ptr<BatchLoader> Trainer::make_loader(const data::DatasetPtr& dataset,
                                                  const data::DataLoaderOptions& options) {
  return std::make_shared<DataLoaderBatches>(std::make_shared<data::DataLoader>(dataset, options));
}

std::shared_ptr<BatchLoader> Trainer::create_train_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs) {
  ACCEL_CHECK(train_dataset, "Trainer::create_train_dataloader: no train dataset");
  data::DataLoaderOptions options = kwargs.apply_to(get_default_train_dl_kwargs(batch_size));
  options.collate_fn = collate_fn;
  train_dl_kwargs = options;
  return make_loader(*train_dataset, options);
}

data::DataLoaderOptions Trainer::get_default_train_dl_kwargs(int64_t batch_size) {
  return default_loader_options(batch_size, /*shuffle=*/true, accelerator);
}

std::shared_ptr<BatchLoader> Trainer::create_eval_dataloader(int64_t batch_size, const DataLoaderKwargs& kwargs) {
  ACCEL_CHECK(eval_dataset, "Trainer::create_eval_dataloader: no eval dataset");
  data::DataLoaderOptions options = kwargs.apply_to(get_default_eval_dl_kwargs(batch_size));
  options.collate_fn = collate_fn;
  eval_dl_kwargs = options;
  return make_loader(*eval_dataset, options);
}

data::DataLoaderOptions Trainer::get_default_eval_dl_kwargs(int64_t batch_size) {
  return default_loader_options(batch_size, /*shuffle=*/false, accelerator);
}

std::unique_ptr<optim::Scheduler> Trainer::create_scheduler() {
  ACCEL_CHECK(create_scheduler_fn, "Trainer::create_scheduler: no create_scheduler_fn");
  ACCEL_CHECK(optimizer, "Trainer::create_scheduler: no optimizer");
  return create_scheduler_fn(*optimizer, *run_config);
}

void Trainer::prepare_model_optimizer_and_dataloaders() {
  accelerator = create_accelerator();
  ACCEL_CHECK(!accelerator.is_distributed(), "Trainer: WORLD_SIZE=", accelerator.num_processes,
              " asks for distributed training, which needs the distributed layer this build does not have yet");
  manual_seed(kSeed + static_cast<uint64_t>(accelerator.process_index));
  model->to(accelerator.device);
}

// ---------------------------------------------------------------------------------------------
// Default hooks

void Trainer::train_epoch_start() { model->train(); }

BatchOutput Trainer::calculate_train_batch_loss(const data::Batch& batch) { return default_batch_loss(batch); }

BatchOutput Trainer::calculate_eval_batch_loss(const data::Batch& batch) {
  NoGradGuard no_grad;
  return default_batch_loss(batch);
}

BatchOutput Trainer::default_batch_loss(const data::Batch& batch) {
  ACCEL_CHECK(batch.size() >= 2,
              "Trainer: the default calculate_*_batch_loss expects batch[0] inputs and batch[1] "
              "targets, got a batch of ",
              batch.size(), " tensors; override it for other batches");
  const Tensor& targets = batch[1];
  Tensor outputs = (*model)(batch[0]);
  Tensor loss = loss_func(outputs, targets);
  return {.loss = std::move(loss), .model_outputs = std::move(outputs), .batch_size = targets.size(0)};
}

void Trainer::backward_step(const Tensor& loss) { loss.backward(); }

bool Trainer::optimizer_step() {
  optimizer->step();
  return false;  // only fp16 loss scaling skips updates
}

void Trainer::scheduler_step() { scheduler->step(); }

void Trainer::optimizer_zero_grad() { optimizer->zero_grad(); }

void Trainer::eval_epoch_start() { model->eval(); }

void Trainer::clip_gradients() {
  if (run_config->gradient_clip_value)
    nn::utils::clip_grad_value_(model->parameters(), *run_config->gradient_clip_value);
  if (run_config->gradient_clip_norm) nn::utils::clip_grad_norm_(model->parameters(), *run_config->gradient_clip_norm);
}

// ---------------------------------------------------------------------------------------------
// The loop

void Trainer::run_training() {
  // Cleared however the run ends, so that a later evaluate() records "evaluation_loss".
  struct EndOfRun {
    bool& in_training_run;
    ~EndOfRun() { in_training_run = false; }
  } end_of_run{in_training_run_};
  in_training_run_ = true;
  reached_max_steps_ = false;
  training_run_start();
  call_event(&TrainerCallback::on_training_run_start);

  for (int64_t epoch = 0; epoch < epochs_to_run_; ++epoch) {
    try {
      train_epoch_start();
      loss_tracker.reset();
      call_event(&TrainerCallback::on_train_epoch_start);
      run_train_epoch();
      train_epoch_end();
      add_epoch_loss_to_run_history("train_loss_epoch");
      call_event(&TrainerCallback::on_train_epoch_end);
      if (eval_dataset) run_eval_epoch();
      training_run_epoch_end();
      call_event(&TrainerCallback::on_training_run_epoch_end);
      run_history->increment_epoch();
    } catch (const StopTrainingError& error) {
      print(error.what());
      call_event(&TrainerCallback::on_stop_training_error);
      break;
    }
    if (reached_max_steps_) {
      print("Reached max number of training steps ", run_config->max_num_train_steps, " in epoch ",
            run_history->current_epoch() - 1);
      break;
    }
  }

  training_run_end();
  call_event(&TrainerCallback::on_training_run_end);
}

void Trainer::run_train_epoch() {
  // Held for the epoch: a callback may replace trainer.train_dataloader meanwhile.
  const std::shared_ptr<BatchLoader> loader = train_dataloader;
  ACCEL_CHECK(loader, "Trainer::run_train_epoch: no train dataloader");
  const int64_t num_batches = loader->size();
  const int64_t accumulation_steps = run_config->gradient_accumulation_steps;
  const std::unique_ptr<BatchStream> batches = loader->start_epoch();
  int64_t step = 0;
  while (std::optional<data::Batch> batch = batches->next()) {
    *batch = to_device(std::move(*batch));
    call_event(&TrainerCallback::on_train_step_start);
    const bool perform_update = (step + 1) % accumulation_steps == 0 || step + 1 == num_batches;
    if (perform_update) {
      perform_forward_and_backward_passes(*batch, step);
    } else {
      [[maybe_unused]] const Accelerator::NoSyncWindow window = accelerator.no_sync();
      perform_forward_and_backward_passes(*batch, step);
    }
    if (perform_update) {
      clip_gradients();
      const bool skipped = optimizer_step();
      if (scheduler && !skipped) scheduler_step();
      optimizer_zero_grad();
      ++updates_in_run_;
      // With several processes this flag will be OR-reduced, so that every process stops together.
      if (updates_in_run_ >= run_config->max_num_train_steps) {
        reached_max_steps_ = true;
        break;
      }
    }
    ++step;
  }
}

void Trainer::perform_forward_and_backward_passes(const data::Batch& batch, int64_t step) {
  BatchOutput batch_output = calculate_train_batch_loss(batch);
  ACCEL_CHECK(batch_output.loss.defined(), "Trainer: calculate_train_batch_loss returned no loss");
  const int64_t accumulation_steps = run_config->gradient_accumulation_steps;
  if (accumulation_steps > 1) {
    // A token-normalised loss is averaged again by data parallelism: undo that first.
    if (batch_output.num_items_in_batch && run_config->is_distributed)
      batch_output.loss = batch_output.loss * static_cast<double>(run_config->num_processes);
    batch_output.loss = batch_output.loss / static_cast<double>(accumulation_steps);
  }
  update_loss_tracker(loss_value(batch_output.loss), batch_output.batch_size);
  call_event(&TrainerCallback::on_train_step_end, batch, batch_output, step);
  backward_step(batch_output.loss);
}

void Trainer::run_eval_epoch(bool is_intermediate) {
  const bool was_training = model->is_training();
  eval_epoch_start();
  loss_tracker.reset();
  call_event(&TrainerCallback::on_eval_epoch_start, is_intermediate);
  // Read after the event, so that a callback can limit or replace it (LimitEvalStepsCallback).
  const std::shared_ptr<BatchLoader> loader = eval_dataloader;
  ACCEL_CHECK(loader, "Trainer::run_eval_epoch: no eval dataloader");
  {
    [[maybe_unused]] const Accelerator::NoSyncWindow window = accelerator.no_sync();
    NoGradGuard no_grad;
    const std::unique_ptr<BatchStream> batches = loader->start_epoch();
    while (std::optional<data::Batch> batch = batches->next()) {
      *batch = to_device(std::move(*batch));
      call_event(&TrainerCallback::on_eval_step_start);
      const BatchOutput batch_output = calculate_eval_batch_loss(*batch);
      ACCEL_CHECK(batch_output.loss.defined(), "Trainer: calculate_eval_batch_loss returned no loss");
      update_loss_tracker(loss_value(batch_output.loss), batch_output.batch_size);
      call_event(&TrainerCallback::on_eval_step_end, *batch, batch_output);
    }
  }
  eval_epoch_end();
  add_epoch_loss_to_run_history(is_intermediate    ? "intermediate_eval_loss"
                                : in_training_run_ ? "eval_loss_epoch"
                                                   : "evaluation_loss");
  call_event(&TrainerCallback::on_eval_epoch_end, is_intermediate);
  // The rest of the training epoch runs in the mode it was in (the original left it in eval mode).
  if (is_intermediate) model->train(was_training);
}

void Trainer::run_evaluation() {
  evaluation_run_start();
  call_event(&TrainerCallback::on_evaluation_run_start);
  try {
    run_eval_epoch();
  } catch (const StopTrainingError& error) {
    print(error.what());
    call_event(&TrainerCallback::on_stop_training_error);
  }
  evaluation_run_end();
  call_event(&TrainerCallback::on_evaluation_run_end);
}

void Trainer::add_epoch_loss_to_run_history(const std::string& metric_name) {
  // Sum over sum: exact with uneven batches, and (once gathered) across processes.
  const double total = loss_tracker.total_loss;
  const double count = static_cast<double>(loss_tracker.running_count);
  run_history->update_metric(metric_name, total / count);
}

void Trainer::check_eval_batch_size() {
  if (!eval_dataset || !run_config) return;
  if (const std::optional<std::string> warning = eval_batch_size_warning(*run_config, (*eval_dataset)->size()))
    std::cerr << "Warning: " << *warning << std::endl;
}

data::Batch Trainer::to_device(data::Batch batch) const {
  for (Tensor& tensor : batch)
    if (tensor.defined() && tensor.device() != accelerator.device) tensor = tensor.to(accelerator.device);
  return batch;
}

std::optional<std::string> eval_batch_size_warning(const RunConfig& run_config, int64_t eval_dataset_size) {
  if (!run_config.is_distributed) return std::nullopt;
  const int64_t total_batch_size = run_config.eval_total_batch_size;
  ACCEL_CHECK(total_batch_size <= eval_dataset_size, "Trainer: the total eval batch size ", total_batch_size, " (",
              run_config.eval_per_device_batch_size, " per device * ", run_config.num_processes,
              " processes) is bigger than the eval dataset size ", eval_dataset_size,
              "; reduce the per-device batch size or the number of processes");
  const int64_t remainder = eval_dataset_size % total_batch_size;
  const int64_t min_full_last_batch = run_config.eval_per_device_batch_size * (run_config.num_processes - 1) + 1;
  if (remainder == 0) return std::nullopt;
  std::ostringstream message;
  if (remainder < min_full_last_batch) {
    message << "the last eval batch has " << remainder << " samples for " << run_config.num_processes
            << " processes of batch size " << run_config.eval_per_device_batch_size
            << ", so at least one process gets none and gather() would hang; change the per-device batch size "
               "or the number of processes";
  } else {
    message << "the last eval batch has " << remainder << " samples, so one process gets fewer than "
            << run_config.eval_per_device_batch_size << "; pass a padding_value to gather() for per-sample results";
  }
  return message.str();
}

}  // namespace accel::trainer
