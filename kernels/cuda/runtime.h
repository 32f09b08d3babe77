#pragma once
// Internal helpers for the CUDA sources: checked runtime calls and a device guard.
#include <cuda_runtime_api.h>

#include <accel/tensor/error.h>

namespace accel::cuda::detail {

[[noreturn]] void cuda_fail(cudaError_t error, const char* call, const char* file, int line);

// Throws accel::Error on failure; used for every CUDA runtime call and after every kernel launch.
#define ACCEL_CUDA_CHECK(call)                                                   \
  do {                                                                           \
    const cudaError_t accel_cuda_error_ = (call);                                \
    if (accel_cuda_error_ != cudaSuccess)                                        \
      ::accel::cuda::detail::cuda_fail(accel_cuda_error_, #call, __FILE__, __LINE__); \
  } while (0)

// Throws a clear accel::Error unless cuda:<device> exists; op names the caller.
void check_device(int device, const char* op);

// Makes `device` current for the scope: allocations and launches go to the current device, so a
// tensor on cuda:1 must not run on cuda:0 just because that is the thread's default.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device);
  ~DeviceGuard();
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace accel::cuda::detail
