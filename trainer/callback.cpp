#include <accel/trainer/callback.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace accel::trainer {

namespace {
std::string class_name(const std::type_info& type) {
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
  std::string name = status == 0 ? demangled.get() : type.name();
  // Drop namespaces and enclosing classes, keeping template arguments whole.
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<') ++depth;
    if (name[i] == '>') --depth;
    if (depth == 0 && name[i] == ':' && i + 1 < name.size() && name[i + 1] == ':') start = i + 2;
  }
  return name.substr(start);
}
}  // namespace

std::string TrainerCallback::name() const { return class_name(typeid(*this)); }

CallbackHandler::CallbackHandler(std::vector<std::shared_ptr<TrainerCallback>> callbacks) { add_callbacks(callbacks); }

void CallbackHandler::add_callbacks(const std::vector<std::shared_ptr<TrainerCallback>>& callbacks) {
  for (const auto& callback : callbacks) add_callback(callback);
}

void CallbackHandler::add_callback(std::shared_ptr<TrainerCallback> callback) {
  ACCEL_CHECK(callback, "CallbackHandler: a callback is null");
  for (const auto& existing : callbacks_) {
    ACCEL_CHECK(typeid(*existing) != typeid(*callback),
                "CallbackHandler: you attempted to add multiple instances of the "
                "callback ",
                callback->name(), " to a single Trainer. The list of callbacks already present is: ", [&] {
                  std::string names;
                  for (const std::string& name : callback_list()) names += (names.empty() ? "" : ", ") + name;
                  return names;
                }());
  }
  callbacks_.push_back(std::move(callback));
}

void CallbackHandler::call_event(const std::string& name, Trainer& trainer, const EventArgs& args) const {
  const std::vector<std::shared_ptr<TrainerCallback>> snapshot = callbacks_;
  for (const auto& callback : snapshot) callback->on_event(name, trainer, args);
}

std::vector<std::string> CallbackHandler::callback_list() const {
  std::vector<std::string> names;
  for (const auto& callback : callbacks_) names.push_back(callback->name());
  return names;
}

}  // namespace accel::trainer
