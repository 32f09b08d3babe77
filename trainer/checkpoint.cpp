#include <accel/trainer/checkpoint.h>

#include <nlohmann/json.hpp>

#include <accel/tensor/error.h>
#include <accel/tensor/serialization.h>

namespace accel::trainer {

namespace {
using json = nlohmann::ordered_json;  // custom keys keep their order

constexpr const char* kModelKey = "model_state_dict";
constexpr const char* kOptimizerKey = "optimizer_state_dict";
constexpr const char* kSchedulerKey = "scheduler_state_dict";
constexpr const char* kCustomKey = "checkpoint_kwargs";
// Optimizer tensors are stored as "optimizer_state_dict/<name>": '/' never occurs in module names.
const std::string kOptimizerTensorPrefix = std::string(kOptimizerKey) + "/";

bool is_standard_key(const std::string& key) {
  return key == kModelKey || key == kOptimizerKey || key == kSchedulerKey;
}

json to_json(const Metadata& metadata) {
  json object = json::object();
  for (const auto& [key, value] : metadata) std::visit([&](const auto& v) { object[key] = v; }, value);
  return object;
}

Metadata from_json(const json& object, const std::string& where) {
  ACCEL_CHECK(object.is_object(), where, ": the metadata is not a JSON object");
  Metadata metadata;
  for (const auto& [key, value] : object.items()) {
    if (value.is_boolean()) {
      metadata.insert(key, value.get<bool>());
    } else if (value.is_number_integer()) {
      metadata.insert(key, value.get<int64_t>());
    } else if (value.is_number()) {
      metadata.insert(key, value.get<double>());
    } else if (value.is_string()) {
      metadata.insert(key, value.get<std::string>());
    } else {
      ACCEL_FAIL(where, ": metadata key '", key, "' is not a boolean, number or string");
    }
  }
  return metadata;
}
}  // namespace

template <typename T>
T metadata_as(const MetadataValue& value) {
  if constexpr (std::is_same_v<T, double>) {
    if (const auto* integer = std::get_if<int64_t>(&value)) return static_cast<double>(*integer);
  }
  const T* typed = std::get_if<T>(&value);
  ACCEL_CHECK(typed, "metadata_as: the value holds another type (variant index ", value.index(), ")");
  return *typed;
}
template bool metadata_as<bool>(const MetadataValue&);
template int64_t metadata_as<int64_t>(const MetadataValue&);
template double metadata_as<double>(const MetadataValue&);
template std::string metadata_as<std::string>(const MetadataValue&);

bool Checkpoint::contains(const std::string& key) const {
  if (key == kModelKey) return true;
  if (key == kOptimizerKey) return optimizer_state_dict.has_value();
  if (key == kSchedulerKey) return scheduler_state_dict.has_value();
  return checkpoint_kwargs.contains(key);
}

const MetadataValue& Checkpoint::operator[](const std::string& key) const {
  const MetadataValue* value = checkpoint_kwargs.find(key);
  ACCEL_CHECK(value, "Checkpoint: no custom key '", key, "'");
  return *value;
}

void write_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  for (const auto& [key, value] : checkpoint.checkpoint_kwargs)
    ACCEL_CHECK(!is_standard_key(key), "save_checkpoint: the custom key '", key, "' would replace the standard entry");
  StateDict tensors;
  for (const auto& [name, tensor] : checkpoint.model_state_dict) tensors.insert(name, tensor);
  OrderedDict<std::string> metadata;
  metadata.insert("format", "accel-checkpoint");
  if (checkpoint.optimizer_state_dict) {
    for (const auto& [name, tensor] : checkpoint.optimizer_state_dict->tensors)
      tensors.insert(kOptimizerTensorPrefix + name, tensor);
    metadata.insert(kOptimizerKey, checkpoint.optimizer_state_dict->json);
  }
  if (checkpoint.scheduler_state_dict) metadata.insert(kSchedulerKey, *checkpoint.scheduler_state_dict);
  metadata.insert(kCustomKey, to_json(checkpoint.checkpoint_kwargs).dump());
  accel::save(tensors, path, metadata);
}

Checkpoint read_checkpoint(const std::string& path) {
  const OrderedDict<std::string> metadata = load_metadata(path);
  const std::string* format = metadata.find("format");
  ACCEL_CHECK(format && *format == "accel-checkpoint", "load_checkpoint: ", path,
              " is not a checkpoint written by save_checkpoint (no metadata format=accel-checkpoint)");
  Checkpoint checkpoint;
  StateDict optimizer_tensors;
  for (auto& [name, tensor] : accel::load(path)) {
    if (name.starts_with(kOptimizerTensorPrefix)) {
      optimizer_tensors.insert(name.substr(kOptimizerTensorPrefix.size()), tensor);
    } else {
      checkpoint.model_state_dict.insert(name, tensor);
    }
  }
  if (const std::string* optimizer_json = metadata.find(kOptimizerKey))
    checkpoint.optimizer_state_dict = optim::OptimizerState{std::move(optimizer_tensors), *optimizer_json};
  if (const std::string* scheduler_json = metadata.find(kSchedulerKey))
    checkpoint.scheduler_state_dict = *scheduler_json;
  if (const std::string* custom = metadata.find(kCustomKey)) checkpoint.checkpoint_kwargs = metadata_from_json(*custom);
  return checkpoint;
}

std::string metadata_to_json(const Metadata& metadata) { return to_json(metadata).dump(2); }

Metadata metadata_from_json(const std::string& text) {
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception& e) {
    ACCEL_FAIL("metadata_from_json: the JSON does not parse: ", e.what());
  }
  return from_json(object, "metadata_from_json");
}

}  // namespace accel::trainer
