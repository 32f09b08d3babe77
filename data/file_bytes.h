#pragma once
// Whole-file reads for the dataset readers.
#include <cstdint>
#include <string>
#include <vector>

namespace accel::data {

// The bytes of the file at `path`, decompressed when it is gzip (recognised by its magic bytes, not
// its name). A missing, unreadable, truncated or corrupt file throws accel::Error naming `path`.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace accel::data
