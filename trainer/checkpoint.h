#pragma once
// Checkpoint files (save_checkpoint / load_checkpoint) and the metadata of training states.
//
// A checkpoint is one safetensors file: the model's tensors under their PyTorch names (so that
// Python's safetensors.torch.load_file + model.load_state_dict(..., strict=False) reads the
// weights), the optimizer's state tensors under "optimizer_state_dict/<name>", and, in the file's
// metadata, JSON for the rest: "optimizer_state_dict" (the optimizer's JSON), "scheduler_state_dict"
// (the scheduler's JSON) and "checkpoint_kwargs" (the custom top-level keys). It is written under a
// temporary name and renamed.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <accel/optim/optimizer.h>
#include <accel/tensor/ordered_dict.h>

namespace accel::trainer {

// A custom value stored with a checkpoint or training state (a JSON scalar).
using MetadataValue = std::variant<bool, int64_t, double, std::string>;
// Custom keys and values, in insertion order: {{"step", 42}, {"checkpoint_type", "wsd_post_decay"}}.
using Metadata = OrderedDict<MetadataValue>;

// Reads a metadata value as T: int64_t values also read as double; another type is an accel::Error.
template <typename T>
T metadata_as(const MetadataValue& value);

// The standard keys of the original's checkpoint dict and the custom ones.
struct Checkpoint {
  StateDict model_state_dict;
  std::optional<optim::OptimizerState> optimizer_state_dict = std::nullopt;
  std::optional<std::string> scheduler_state_dict = std::nullopt;  // the scheduler's JSON
  Metadata checkpoint_kwargs = {};                                 // the custom top-level keys

  // Whether a key is present: one of the three standard keys or a custom one.
  bool contains(const std::string& key) const;
  // A custom key's value; a missing key is an accel::Error.
  const MetadataValue& operator[](const std::string& key) const;
};

// Custom keys may not reuse the standard names (model_state_dict, optimizer_state_dict,
// scheduler_state_dict): that is an accel::Error, where the original silently overwrote them.
void write_checkpoint(const Checkpoint& checkpoint, const std::string& path);
Checkpoint read_checkpoint(const std::string& path);

// Metadata as a JSON object and back (trainer_metadata.json of a training state).
std::string metadata_to_json(const Metadata& metadata);
Metadata metadata_from_json(const std::string& json);

}  // namespace accel::trainer
