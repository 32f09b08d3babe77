#include <accel/trainer/accelerator.h>

#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>

#include <accel/kernels/cuda/cuda.h>
#include <accel/tensor/error.h>

namespace accel::trainer {

namespace {
std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

int64_t integer_variable(const char* name, int64_t fallback, int64_t minimum) {
  const std::optional<std::string> text = environment(name);
  if (!text) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  ACCEL_CHECK(error == std::errc() && end == text->data() + text->size() && value >= minimum, "Accelerator: ", name,
              "='", *text, "' is not an integer >= ", minimum);
  return value;
}
}  // namespace

Accelerator Accelerator::from_environment() {
  Accelerator accelerator;
  accelerator.num_processes = integer_variable("WORLD_SIZE", 1, 1);
  accelerator.process_index = integer_variable("RANK", 0, 0);
  ACCEL_CHECK(accelerator.process_index < accelerator.num_processes, "Accelerator: RANK=", accelerator.process_index,
              " is not below WORLD_SIZE=", accelerator.num_processes);
  accelerator.num_local_processes = integer_variable("LOCAL_WORLD_SIZE", accelerator.num_processes, 1);
  accelerator.local_process_index = integer_variable("LOCAL_RANK", accelerator.process_index, 0);
  ACCEL_CHECK(accelerator.local_process_index < accelerator.num_local_processes,
              "Accelerator: LOCAL_RANK=", accelerator.local_process_index,
              " is not below LOCAL_WORLD_SIZE=", accelerator.num_local_processes);

  accelerator.mixed_precision = environment("ACCEL_MIXED_PRECISION").value_or("no");
  const std::string& precision = accelerator.mixed_precision;
  ACCEL_CHECK(precision == "no" || precision == "fp16" || precision == "bf16", "Accelerator: ACCEL_MIXED_PRECISION='",
              precision, "' is not one of no, fp16, bf16");

  if (const std::optional<std::string> device = environment("ACCEL_DEVICE")) {
    accelerator.device = Device(*device);
  } else if (cuda::is_available()) {
    accelerator.device = Device::cuda(static_cast<int>(accelerator.local_process_index % cuda::device_count()));
  }
  return accelerator;
}

}  // namespace accel::trainer
