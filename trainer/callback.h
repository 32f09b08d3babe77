#pragma once
// Callbacks: code that runs at fixed points of the Trainer's loop without subclassing the Trainer.
//
//   struct PrintLoss : accel::TrainerCallback {
//     void on_train_step_end(Trainer& trainer, const data::Batch&, const BatchOutput& output,
//                            int64_t step) override {
//       if (step % 100 == 0) trainer.print("step ", step, " loss ", output.loss.item<double>());
//     }
//   };
//   accel::Trainer trainer(model, loss, optimizer, {std::make_shared<PrintLoss>()});
//
// Every event is a no-op by default and always runs after the Trainer hook of the same name (e.g.
// the train_epoch_end() hook, then on_train_epoch_end). Callbacks run in list order. Raising
// StopTrainingError from any hook or event of a training epoch ends the run cleanly.
//
// Custom events: a Trainer subclass calls
//   callback_handler->call_event("on_my_event", *this, {{"value", 42}});
// and every callback's on_event(name, trainer, args) sees it; callbacks that do not know the name
// ignore it (the default), as Python's handler skips callbacks without that method.
#include <any>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <accel/data/dataset.h>
#include <accel/tensor/error.h>
#include <accel/tensor/ordered_dict.h>
#include <accel/trainer/batch_output.h>

namespace accel::trainer {

class Trainer;

// Raised by a hook or a callback to stop training (or evaluation) early: the Trainer prints its
// message, fires on_stop_training_error and finishes the run (training_run_end, on_training_run_end).
class StopTrainingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The keyword arguments of a custom event: values of any type, by name.
class EventArgs {
 public:
  EventArgs() = default;
  EventArgs(std::initializer_list<std::pair<std::string, std::any>> args) {
    for (const auto& [name, value] : args) values_.insert(name, value);
  }
  void set(const std::string& name, std::any value) { values_.set(name, std::move(value)); }
  bool contains(const std::string& name) const { return values_.contains(name); }
  // The argument as a T; a missing name or another type is an accel::Error.
  template <typename T>
  const T& get(const std::string& name) const {
    const std::any* value = values_.find(name);
    ACCEL_CHECK(value, "EventArgs: no argument '", name, "'");
    const T* typed = std::any_cast<T>(value);
    ACCEL_CHECK(typed, "EventArgs: argument '", name, "' is a ", value->type().name(), ", not a ", typeid(T).name());
    return *typed;
  }
  std::vector<std::string> names() const { return values_.keys(); }

 private:
  OrderedDict<std::any> values_;
};

class TrainerCallback {
 public:
  virtual ~TrainerCallback() = default;

  // End of the Trainer's constructor.
  virtual void on_init_end(Trainer& /*trainer*/) {}
  // Start of train(), after the training_run_start() hook.
  virtual void on_training_run_start(Trainer& /*trainer*/) {}
  // After train_epoch_start() (model.train()) and the loss tracker's reset.
  virtual void on_train_epoch_start(Trainer& /*trainer*/) {}
  // Before calculate_train_batch_loss.
  virtual void on_train_step_start(Trainer& /*trainer*/) {}
  // After the loss is divided by the accumulation steps and tracked, before backward.
  // step: the 0-based micro-batch index in the epoch.
  virtual void on_train_step_end(Trainer& /*trainer*/, const data::Batch& /*batch*/,
                                 const BatchOutput& /*batch_output*/, int64_t /*step*/) {}
  // After train_epoch_end() and after "train_loss_epoch" is recorded.
  virtual void on_train_epoch_end(Trainer& /*trainer*/) {}
  // After eval_epoch_start() (model.eval()) and the loss tracker's reset. is_intermediate: an
  // evaluation in the middle of a training epoch (StepBasedEvaluationCallback).
  virtual void on_eval_epoch_start(Trainer& /*trainer*/, bool /*is_intermediate*/) {}
  // Before calculate_eval_batch_loss.
  virtual void on_eval_step_start(Trainer& /*trainer*/) {}
  // After the eval loss is tracked.
  virtual void on_eval_step_end(Trainer& /*trainer*/, const data::Batch& /*batch*/,
                                const BatchOutput& /*batch_output*/) {}
  // After eval_epoch_end() and after the eval loss is recorded.
  virtual void on_eval_epoch_end(Trainer& /*trainer*/, bool /*is_intermediate*/) {}
  // After training_run_epoch_end(), once the epoch's training and evaluation are done.
  virtual void on_training_run_epoch_end(Trainer& /*trainer*/) {}
  // After training_run_end().
  virtual void on_training_run_end(Trainer& /*trainer*/) {}
  // Start of evaluate(), after evaluation_run_start().
  virtual void on_evaluation_run_start(Trainer& /*trainer*/) {}
  // After evaluation_run_end().
  virtual void on_evaluation_run_end(Trainer& /*trainer*/) {}
  // When a StopTrainingError was caught (training or evaluation).
  virtual void on_stop_training_error(Trainer& /*trainer*/) {}
  // A custom event called by name; ignored by default.
  virtual void on_event(const std::string& /*name*/, Trainer& /*trainer*/, const EventArgs& /*args*/) {}

  // The class name without namespaces, e.g. "PrintProgressCallback".
  std::string name() const;
};

// Holds the callbacks of a Trainer and calls their events in list order. A second callback of the
// same class is an accel::Error (Python's ValueError).
class CallbackHandler {
 public:
  explicit CallbackHandler(std::vector<std::shared_ptr<TrainerCallback>> callbacks = {});

  void add_callbacks(const std::vector<std::shared_ptr<TrainerCallback>>& callbacks);
  void add_callback(std::shared_ptr<TrainerCallback> callback);

  // Calls `event` on each callback, in order, with `args`:
  //   handler.call_event(&TrainerCallback::on_eval_epoch_end, trainer, /*is_intermediate=*/false);
  // Exceptions propagate (callbacks after the thrower are not called). The callbacks are those at
  // the start of the call, so a callback may change the list (or the trainer's handler) meanwhile.
  template <typename... Params, typename... Args>
  void call_event(void (TrainerCallback::*event)(Params...), Args&&... args) const {
    const std::vector<std::shared_ptr<TrainerCallback>> snapshot = callbacks_;
    for (const auto& callback : snapshot) ((*callback).*event)(args...);
  }
  // A custom event (TrainerCallback::on_event).
  void call_event(const std::string& name, Trainer& trainer, const EventArgs& args = {}) const;

  // The callbacks' class names, in order.
  std::vector<std::string> callback_list() const;
  const std::vector<std::shared_ptr<TrainerCallback>>& callbacks() const { return callbacks_; }
  void clear_callbacks() { callbacks_.clear(); }
  // The first callback of class C (or derived from it), or nullptr.
  template <typename C>
  std::shared_ptr<C> get_callback() const {
    for (const auto& callback : callbacks_)
      if (auto typed = std::dynamic_pointer_cast<C>(callback)) return typed;
    return nullptr;
  }
  auto begin() const { return callbacks_.begin(); }
  auto end() const { return callbacks_.end(); }
  size_t size() const { return callbacks_.size(); }

 private:
  std::vector<std::shared_ptr<TrainerCallback>> callbacks_;
};

}  // namespace accel::trainer
