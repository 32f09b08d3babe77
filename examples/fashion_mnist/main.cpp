// The main job: train a Fashion-MNIST classifier with accel::Trainer, then evaluate it on the test set.
//
//   build/release/fashion_mnist                       # the seed's MLP: SGD 0.01/0.9, batch 32, 8 epochs
//   build/release/fashion_mnist --model cnn           # 2 conv + BN + pooling, Adam with OneCycle, 5 epochs
//   build/release/fashion_mnist --epochs 1 --limit-batches 300 --min-accuracy 0.7   # a quick check
//   build/release/fashion_mnist --epochs 8 --resume fashion_mnist_output/training_states/epoch_3
//
// With --validation-samples N (the CNN's default: 5000) it holds out N training images, records
// their accuracy after every epoch (AccuracyTrainer) and keeps the most accurate epoch; without, the
// epoch with the lowest training loss. The kept model goes to OUTPUT/best_model.safetensors and is
// restored at the end; each epoch's training state goes to OUTPUT/training_states/epoch_N (for
// --resume) and the metrics to OUTPUT/metrics.{jsonl,csv}. It ends with "test accuracy: X";
// --min-accuracy makes it exit with status 1 below the floor (the test suite runs short variants).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/trainer/callbacks/callbacks.h>
#include <accel/trainer/trainer.h>

#include "accuracy_trainer.h"
#include "models.h"
#include "options.h"

namespace {

using namespace accel;
using fashion_mnist::Options;
namespace T = data::transforms;

// Fashion-MNIST's training-set pixel mean and standard deviation (images in [0, 1]).
constexpr double kPixelMean = 0.2860;
constexpr double kPixelStd = 0.3530;

struct Datasets {
  data::DatasetPtr train;
  std::optional<data::DatasetPtr> validation;
  data::DatasetPtr test;
};

// Float images in [0, 1]; the CNN's are also normalized, and its training images augmented if asked.
Datasets load_datasets(const Options& options) {
  auto train_images = std::make_shared<data::FashionMNIST>(options.data_dir, /*train=*/true, kFloat32);
  data::DatasetPtr test = std::make_shared<data::FashionMNIST>(options.data_dir, /*train=*/false, kFloat32);
  Datasets sets{.train = train_images, .validation = std::nullopt, .test = test};
  if (options.validation_samples > 0) {
    const double validation = static_cast<double>(options.validation_samples);
    auto split = data::random_split(train_images, {static_cast<double>(train_images->size()) - validation, validation},
                                    options.seed);
    sets.train = std::make_shared<data::Subset>(split[0]);
    sets.validation = std::make_shared<data::Subset>(split[1]);
  }
  if (options.model == "cnn") {
    const auto normalize = T::Normalize({kPixelMean}, {kPixelStd});
    const auto normalized = [&](data::DatasetPtr set) -> data::DatasetPtr {
      return std::make_shared<data::MapDataset>(set, T::on_field(normalize));
    };
    sets.train = options.augment ? std::make_shared<data::MapDataset>(
                                       sets.train, T::on_field(T::Compose({T::RandomCrop(28, {.padding = 2}),
                                                                           T::RandomHorizontalFlip(), normalize})))
                                 : normalized(sets.train);
    if (sets.validation) sets.validation = normalized(*sets.validation);
    sets.test = normalized(sets.test);
  }
  return sets;
}

std::shared_ptr<nn::Module> make_model(const Options& options) {
  if (options.model == "cnn") return std::make_shared<fashion_mnist::CNN>();
  return std::make_shared<fashion_mnist::MLP>();
}

std::unique_ptr<optim::Optimizer> make_optimizer(const Options& options, const nn::Module& model) {
  const auto parameters = model.parameters();
  const double lr = options.lr;
  if (options.optimizer == "adam") return std::make_unique<optim::Adam>(parameters, optim::AdamOptions{.lr = lr});
  if (options.optimizer == "adamw") return std::make_unique<optim::AdamW>(parameters, optim::AdamWOptions{.lr = lr});
  return std::make_unique<optim::SGD>(parameters, optim::SGDOptions{.lr = lr, .momentum = options.momentum});
}

// Schedulers are stepped once per optimizer update, so their lengths come from the run config.
trainer::SchedulerFactory make_scheduler_factory(const Options& options) {
  using trainer::TrainerPlaceholderValues;
  if (options.scheduler == "onecycle") {
    const double max_lr = options.lr;
    // Momentum cycling needs a momentum to cycle: SGD without momentum has none.
    const bool cycle_momentum = options.optimizer != "sgd" || options.momentum > 0;
    return [max_lr, cycle_momentum](optim::Optimizer& optimizer,
                                    const trainer::RunConfig& run_config) -> std::unique_ptr<optim::Scheduler> {
      return std::make_unique<optim::OneCycleLR>(
          optimizer, max_lr,
          optim::OneCycleLROptions{.epochs = run_config.num_epochs,
                                   .steps_per_epoch = run_config.num_local_update_steps_per_epoch,
                                   .cycle_momentum = cycle_momentum});
    };
  }
  if (options.scheduler == "cosine") return optim::CosineLrScheduler::create_scheduler_fn();
  if (options.scheduler == "step")  // halve the lr every 2 epochs
    return trainer::scheduler_factory<optim::StepLR>(TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH * 2, 0.5);
  return nullptr;
}

std::vector<std::shared_ptr<TrainerCallback>> make_callbacks(const Options& options) {
  const std::filesystem::path out = options.output_dir;
  std::vector<std::shared_ptr<TrainerCallback>> callbacks;
  if (options.limit_batches) callbacks.push_back(trainer::limit_batches_callback(*options.limit_batches));
  for (auto& callback : trainer::default_callbacks(options.progress_bar)) callbacks.push_back(callback);
  // The most accurate epoch on the validation set; without one, the lowest training loss.
  const bool validate = options.validation_samples > 0;
  callbacks.push_back(std::make_shared<trainer::SaveBestModelCallback>(trainer::SaveBestModelCallbackOptions{
      .save_path = (out / "best_model.safetensors").string(),
      .watch_metric = validate ? "accuracy" : "train_loss_epoch",
      .greater_is_better = validate}));
  callbacks.push_back(std::make_shared<trainer::SaveTrainingStateCallback>(trainer::SaveTrainingStateCallbackOptions{
      .save_dir = (out / "training_states").string(), .save_every_n_epochs = 1, .save_at_end = false}));
  callbacks.push_back(std::make_shared<trainer::MetricsFileCallback>(trainer::MetricsFileCallbackOptions{
      .jsonl_path = (out / "metrics.jsonl").string(), .csv_path = (out / "metrics.csv").string()}));
  return callbacks;
}

class FashionMnistTrainer : public fashion_mnist::AccuracyTrainer {
 public:
  FashionMnistTrainer(std::shared_ptr<nn::Module> model, optim::Optimizer& optimizer,
                      std::vector<std::shared_ptr<TrainerCallback>> callbacks, std::optional<std::string> device)
      : AccuracyTrainer(std::move(model), nn::CrossEntropyLoss(), optimizer, std::move(callbacks)),
        device_(std::move(device)) {}

  // --device overrides the launcher's choice.
  trainer::Accelerator create_accelerator() override {
    trainer::Accelerator accelerator = trainer::Accelerator::from_environment();
    if (device_) accelerator.device = Device(*device_);
    return accelerator;
  }

 private:
  std::optional<std::string> device_;
};

int run(const Options& options) {
  manual_seed(options.seed);
  const Datasets sets = load_datasets(options);
  auto model = make_model(options);
  const auto optimizer = make_optimizer(options, *model);
  std::filesystem::create_directories(options.output_dir);
  FashionMnistTrainer trainer(model, *optimizer, make_callbacks(options), options.device);
  trainer.print("Fashion-MNIST ", options.model, ": ", sets.train->size(), " training, ",
                sets.validation ? (*sets.validation)->size() : 0, " validation, ", sets.test->size(), " test images; ",
                model->num_parameters(), " parameters; ", options.optimizer, " lr ", options.lr, ", scheduler ",
                options.scheduler, ", batch ", options.batch_size, " x ", options.accumulation, ", ", options.epochs,
                " epochs on ", trainer.create_accelerator().device.str());

  const auto start = std::chrono::steady_clock::now();
  trainer.train({.train_dataset = sets.train,
                 .eval_dataset = sets.validation,
                 .num_epochs = options.epochs,
                 .per_device_batch_size = options.batch_size,
                 .gradient_accumulation_steps = options.accumulation,
                 .create_scheduler_fn = make_scheduler_factory(options),
                 .train_dataloader_kwargs = {.seed = options.seed},
                 .eval_dataloader_kwargs = {.batch_size = 256},
                 .resume_from = options.resume});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  trainer.evaluate({.dataset = sets.test, .per_device_batch_size = 256});
  const double accuracy = trainer.run_history->get_latest_metric("accuracy");
  trainer.print("training took ", seconds, " s");
  trainer.print("test accuracy: ", accuracy);
  if (accuracy < options.min_accuracy) {
    trainer.print("FAILED: test accuracy ", accuracy, " is below ", options.min_accuracy);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  return run(fashion_mnist::parse_options(argc, argv));
} catch (const std::exception& e) {
  std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
  return 2;
}
