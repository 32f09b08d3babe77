#include <accel/tensor/device.h>

#include <ostream>

#include <accel/tensor/error.h>

namespace accel {

Device::Device(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  if (kind == "cpu") type = DeviceType::CPU;
  else if (kind == "cuda") type = DeviceType::CUDA;
  else ACCEL_FAIL("Device: unknown device '", spec, "' (expected cpu, cuda or cuda:N)");
  if (colon != std::string::npos) {
    const std::string digits = spec.substr(colon + 1);
    ACCEL_CHECK(!digits.empty() && digits.size() <= 3 && digits.find_first_not_of("0123456789") == std::string::npos,
                "Device: bad device index in '", spec, "'");
    const int i = std::stoi(digits);
    ACCEL_CHECK(i < 128, "Device: device index ", i, " is too large");
    index = static_cast<int8_t>(i);
  }
}

std::string Device::str() const {
  if (is_cpu()) return "cpu";
  return "cuda:" + std::to_string(index);
}

std::ostream& operator<<(std::ostream& os, Device d) { return os << d.str(); }

}  // namespace accel
