#include <accel/trainer/limit_batches.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include <accel/tensor/error.h>

namespace accel::trainer {

std::optional<int64_t> limit_batches_from_environment() {
  const char* value = std::getenv(kLimitBatchesEnvVar);
  if (!value) return std::nullopt;
  std::string text(value);
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "none") return std::nullopt;
  int64_t num_batches = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), num_batches);
  ACCEL_CHECK(error == std::errc() && end == text.data() + text.size() && num_batches > 0, kLimitBatchesEnvVar, "='",
              text, "' is neither a positive number of batches nor 'none'");
  return num_batches;
}

LimitBatches::LimitBatches(int64_t num_batches) {
  ACCEL_CHECK(num_batches > 0, "LimitBatches: num_batches must be positive, got ", num_batches);
  setenv(kLimitBatchesEnvVar, std::to_string(num_batches).c_str(), /*overwrite=*/1);
}

LimitBatches::~LimitBatches() { unsetenv(kLimitBatchesEnvVar); }

}  // namespace accel::trainer
