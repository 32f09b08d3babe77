#include <accel/optim/scheduler_state.h>

#include <nlohmann/json.hpp>

#include <accel/tensor/error.h>

namespace accel::optim {

using json = nlohmann::json;

struct SchedulerState::Impl {
  json object = json::object();

  const json& at(const std::string& key) const {
    const auto it = object.find(key);
    ACCEL_CHECK(it != object.end(), "Scheduler::load_state_dict: the state has no '", key, "'");
    return *it;
  }
};

namespace {

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const json& value) {
  ACCEL_FAIL("Scheduler::load_state_dict: '", key, "' should be ", expected, ", got ", value.dump());
}

double to_double(const std::string& key, const json& value) {
  if (!value.is_number()) wrong_type(key, "a number", value);
  return value.get<double>();
}

int64_t to_int(const std::string& key, const json& value) {
  if (!value.is_number_integer()) wrong_type(key, "an integer", value);
  return value.get<int64_t>();
}

}  // namespace

SchedulerState::SchedulerState() : impl_(std::make_unique<Impl>()) {}
SchedulerState::~SchedulerState() = default;
SchedulerState::SchedulerState(SchedulerState&&) noexcept = default;
SchedulerState& SchedulerState::operator=(SchedulerState&&) noexcept = default;

SchedulerState SchedulerState::parse(const std::string& text) {
  SchedulerState state;
  try {
    state.impl_->object = json::parse(text);
  } catch (const json::exception& e) {
    ACCEL_FAIL("Scheduler::load_state_dict: the state does not parse as JSON: ", e.what());
  }
  ACCEL_CHECK(state.impl_->object.is_object(), "Scheduler::load_state_dict: the state is not a JSON object");
  return state;
}

std::string SchedulerState::dump() const { return impl_->object.dump(); }

bool SchedulerState::contains(const std::string& key) const { return impl_->object.contains(key); }

void SchedulerState::write(const std::string& key, bool value) { impl_->object[key] = value; }
void SchedulerState::write(const std::string& key, int64_t value) { impl_->object[key] = value; }
void SchedulerState::write(const std::string& key, double value) { impl_->object[key] = value; }
void SchedulerState::write(const std::string& key, const std::string& value) { impl_->object[key] = value; }
void SchedulerState::write(const std::string& key, const std::vector<int64_t>& values) {
  impl_->object[key] = values;
}
void SchedulerState::write(const std::string& key, const std::vector<double>& values) {
  impl_->object[key] = values;
}
void SchedulerState::write(const std::string& key, const std::optional<int64_t>& value) {
  impl_->object[key] = value ? json(*value) : json(nullptr);
}
void SchedulerState::write(const std::string& key, const std::optional<double>& value) {
  impl_->object[key] = value ? json(*value) : json(nullptr);
}
void SchedulerState::write_json(const std::string& key, const std::string& text) {
  impl_->object[key] = json::parse(text);
}

void SchedulerState::read(const std::string& key, bool& out) const {
  const json& value = impl_->at(key);
  if (!value.is_boolean()) wrong_type(key, "true or false", value);
  out = value.get<bool>();
}
void SchedulerState::read(const std::string& key, int64_t& out) const { out = to_int(key, impl_->at(key)); }
void SchedulerState::read(const std::string& key, double& out) const { out = to_double(key, impl_->at(key)); }
void SchedulerState::read(const std::string& key, std::string& out) const {
  const json& value = impl_->at(key);
  if (!value.is_string()) wrong_type(key, "a string", value);
  out = value.get<std::string>();
}
void SchedulerState::read(const std::string& key, std::vector<int64_t>& out) const {
  const json& value = impl_->at(key);
  if (!value.is_array()) wrong_type(key, "a list of integers", value);
  std::vector<int64_t> values;
  for (const json& item : value) values.push_back(to_int(key, item));
  out = std::move(values);
}
void SchedulerState::read(const std::string& key, std::vector<double>& out) const {
  const json& value = impl_->at(key);
  if (!value.is_array()) wrong_type(key, "a list of numbers", value);
  std::vector<double> values;
  for (const json& item : value) values.push_back(to_double(key, item));
  out = std::move(values);
}
void SchedulerState::read(const std::string& key, std::optional<int64_t>& out) const {
  const json& value = impl_->at(key);
  out = value.is_null() ? std::nullopt : std::optional<int64_t>(to_int(key, value));
}
void SchedulerState::read(const std::string& key, std::optional<double>& out) const {
  const json& value = impl_->at(key);
  out = value.is_null() ? std::nullopt : std::optional<double>(to_double(key, value));
}
std::string SchedulerState::read_json(const std::string& key) const { return impl_->at(key).dump(); }

}  // namespace accel::optim
