#pragma once
// Placeholders for values that are only known once a run starts (pytorch-accelerated's
// TrainerPlaceholderValues), for the arguments of scheduler factories:
//
//   using accel::TrainerPlaceholderValues;
//   trainer.train({..., .create_scheduler_fn = accel::trainer::scheduler_factory<accel::optim::StepLR>(
//                           TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH * 7, /*gamma=*/0.1)});
//
// A placeholder combines with integers and other placeholders through + and * into an expression,
// resolved against the run config when train() creates the scheduler. Unlike the original, where
// only one operation with the placeholder on the left works, any composition is supported:
// 2 * NUM_EPOCHS, (NUM_EPOCHS + 1) * NUM_UPDATE_STEPS_PER_EPOCH. Subtraction is left out, as in the
// original (write P + (-1)).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <accel/optim/optimizer.h>
#include <accel/optim/scheduler.h>
#include <accel/trainer/run_config.h>

namespace accel::trainer {

enum class TrainerPlaceholderValues {
  NUM_EPOCHS,                              // run_config.num_epochs
  NUM_UPDATE_STEPS_PER_EPOCH,              // run_config.num_update_steps_per_epoch (all processes)
  PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH,  // run_config.num_local_update_steps_per_epoch
  TRAIN_DATALOADER_LEN,                    // batches per epoch of this process's train loader
  EVAL_DATALOADER_LEN,                     // batches per epoch of this process's eval loader
};

// The value of one placeholder in a run.
int64_t resolve(TrainerPlaceholderValues placeholder, const RunConfig& run_config);
// Its name, e.g. "NUM_EPOCHS".
const char* placeholder_name(TrainerPlaceholderValues placeholder);

// An integer expression over placeholders: a placeholder, a constant, or a sum or product.
class PlaceholderExpression {
 public:
  PlaceholderExpression(TrainerPlaceholderValues placeholder);  // NOLINT(google-explicit-constructor)
  PlaceholderExpression(int64_t constant);                      // NOLINT(google-explicit-constructor)

  int64_t resolve(const RunConfig& run_config) const;
  // e.g. "(NUM_EPOCHS+1)*2"
  std::string to_string() const;

  friend PlaceholderExpression operator+(PlaceholderExpression a, PlaceholderExpression b);
  friend PlaceholderExpression operator*(PlaceholderExpression a, PlaceholderExpression b);

 private:
  struct Node;
  explicit PlaceholderExpression(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

// `TrainerPlaceholderValues::NUM_EPOCHS * 2` (an enum class takes no implicit conversions, so the
// placeholder-first and placeholder-second forms are spelled out).
PlaceholderExpression operator+(TrainerPlaceholderValues a, PlaceholderExpression b);
PlaceholderExpression operator*(TrainerPlaceholderValues a, PlaceholderExpression b);
PlaceholderExpression operator+(PlaceholderExpression a, TrainerPlaceholderValues b);
PlaceholderExpression operator*(PlaceholderExpression a, TrainerPlaceholderValues b);
PlaceholderExpression operator+(TrainerPlaceholderValues a, TrainerPlaceholderValues b);
PlaceholderExpression operator*(TrainerPlaceholderValues a, TrainerPlaceholderValues b);

// replace_trainer_placeholder_values for one argument: placeholders and expressions become their
// int64_t value; anything else passes through unchanged.
inline int64_t resolve_placeholders(TrainerPlaceholderValues value, const RunConfig& run_config) {
  return resolve(value, run_config);
}
inline int64_t resolve_placeholders(const PlaceholderExpression& value, const RunConfig& run_config) {
  return value.resolve(run_config);
}
template <typename T>
  requires(!std::is_same_v<std::remove_cvref_t<T>, TrainerPlaceholderValues> &&
           !std::is_same_v<std::remove_cvref_t<T>, PlaceholderExpression>)
const T& resolve_placeholders(const T& value, const RunConfig&) {
  return value;
}

// What train() calls to create the scheduler, once the run config exists.
using SchedulerFactory = std::function<std::unique_ptr<optim::Scheduler>(optim::Optimizer&, const RunConfig&)>;

// A factory for scheduler S constructed as S(optimizer, args...), with every placeholder argument
// resolved against the run config (the original's functools.partial with placeholder keywords).
//   scheduler_factory<optim::StepLR>(TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH * 7, 0.1)
template <typename S, typename... Args>
SchedulerFactory scheduler_factory(Args... args) {
  return [=](optim::Optimizer& optimizer, const RunConfig& run_config) -> std::unique_ptr<optim::Scheduler> {
    return std::make_unique<S>(optimizer, resolve_placeholders(args, run_config)...);
  };
}

}  // namespace accel::trainer
