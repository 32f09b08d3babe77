// The device-level API (cuda.h) and the runtime helpers (runtime.h) of the CUDA build.
#include <accel/kernels/cuda/cuda.h>

#include <string>

#include <accel/kernels/cuda/allocator.h>
#include <accel/kernels/cuda/cuda_backend.h>
#include <accel/kernels/cuda/runtime.h>

namespace accel::cuda {
namespace {

struct Probe {
  int count = 0;
  std::string error;  // why cudaGetDeviceCount failed, if it did
};

// Asked once: without a driver cudaGetDeviceCount fails (cudaErrorInsufficientDriver, or
// cudaErrorNoDevice with a driver but no GPU) and leaves the count unset.
const Probe& probe() {
  static const Probe result = [] {
    Probe p;
    int n = 0;
    const cudaError_t error = cudaGetDeviceCount(&n);
    if (error == cudaSuccess) {
      p.count = n;
    } else {
      p.error = std::string(cudaGetErrorName(error)) + ": " + cudaGetErrorString(error);
      cudaGetLastError();  // so that the failure does not surface in a later, unrelated check
    }
    return p;
  }();
  return result;
}

}  // namespace

bool is_available() { return probe().count > 0; }

int device_count() { return probe().count; }

void synchronize(int device) {
  if (device >= 0) detail::check_device(device, "synchronize");
  const int first = device >= 0 ? device : 0;
  const int last = device >= 0 ? device : device_count() - 1;
  for (int d = first; d <= last; ++d) {
    detail::DeviceGuard guard(d);
    ACCEL_CUDA_CHECK(cudaDeviceSynchronize());
  }
}

void empty_cache() { detail::empty_device_caches(); }

MemoryStats memory_stats(int device) { return detail::device_memory_stats(device); }

namespace detail {

std::string unavailable_reason() {
  const Probe& p = probe();
  return "no CUDA device found (" + (p.error.empty() ? std::string("cudaGetDeviceCount returned 0") : p.error) + ")";
}

void check_device(int device, const char* op) {
  if (device >= 0 && device < device_count()) return;
  if (device_count() == 0) ACCEL_FAIL(op, ": cuda:", device, " is not available: ", unavailable_reason());
  ACCEL_FAIL(op, ": cuda:", device, " does not exist (", device_count(), " CUDA devices visible)");
}

void cuda_fail(cudaError_t error, const char* call, const char* file, int line) {
  cudaGetLastError();  // clears the error unless it is sticky (a kernel fault), which needs a new process
  ::accel::detail::fail(file, line, "CUDA error ", cudaGetErrorName(error), " (", cudaGetErrorString(error),
                        ") in ", call);
}

DeviceGuard::DeviceGuard(int device) {
  ACCEL_CUDA_CHECK(cudaGetDevice(&previous_));
  if (previous_ == device) previous_ = -1;
  else ACCEL_CUDA_CHECK(cudaSetDevice(device));
}

DeviceGuard::~DeviceGuard() {
  if (previous_ >= 0) cudaSetDevice(previous_);  // cannot fail for a device that was current before
}

}  // namespace detail
}  // namespace accel::cuda
