#pragma once
// Named tensors in the safetensors format (https://github.com/huggingface/safetensors), the format
// PyTorch users load with `safetensors.torch.load_file`. See docs/serialization.md.
//
// Layout: an 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value", ...}}
// padded with spaces to a multiple of 8, then the tensors' bytes (row-major, little-endian).
#include <string>

#include <accel/tensor/device.h>
#include <accel/tensor/ordered_dict.h>
#include <accel/tensor/tensor.h>

namespace accel {

// Writes the tensors (any device, any layout) and the string metadata to `path`. The file is
// written under a temporary name and renamed, so `path` is either untouched or complete.
void save(const StateDict& tensors, const std::string& path, const OrderedDict<std::string>& metadata = {});

// Reads every tensor of the file onto `device`, in the order the header lists them (for files
// written by save: the order of `tensors`). Malformed files raise accel::Error naming the file.
StateDict load(const std::string& path, Device device = kCPU);

// The "__metadata__" of the file (empty when it has none), without reading the tensors.
OrderedDict<std::string> load_metadata(const std::string& path);

// The same format in memory: what save would write, and what load would read.
std::string save_to_bytes(const StateDict& tensors, const OrderedDict<std::string>& metadata = {});
StateDict load_from_bytes(const std::string& bytes, Device device = kCPU);

}  // namespace accel
