// The CUDA API of a build without CUDA: no devices, and clear errors where one is required.
#include <accel/kernels/cuda/cuda.h>
#include <accel/kernels/cuda/cuda_backend.h>

namespace accel::cuda {

bool is_available() { return false; }

int device_count() { return 0; }

void synchronize(int device) {
  ACCEL_CHECK(device < 0, "synchronize: cuda:", device, " is not available: ", detail::unavailable_reason());
}

void empty_cache() {}

MemoryStats memory_stats(int device) {
  ACCEL_FAIL("memory_stats: cuda:", device, " is not available: ", detail::unavailable_reason());
}

namespace detail {

Backend* cuda_backend() { return nullptr; }

std::string unavailable_reason() {
  return "accel was built without CUDA (configure with -DACCEL_CUDA=ON where the CUDA toolkit is installed)";
}

}  // namespace detail
}  // namespace accel::cuda
