// The table from device type to Backend (tensor/backend.h).
#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cuda/cuda_backend.h>

namespace accel {

void Backend::copy_across_devices(const Tensor& dst, const Tensor& src) {
  ACCEL_FAIL("copy: cannot copy from ", src.device(), " to ", dst.device(), " on the ", dst.device(), " backend");
}

Backend& backend(DeviceType type) {
  static cpu::CpuBackend cpu_backend;
  if (type == DeviceType::CPU) return cpu_backend;
  static Backend* const cuda_backend = cuda::detail::cuda_backend();
  ACCEL_CHECK(cuda_backend != nullptr, "CUDA is not available: ", cuda::detail::unavailable_reason());
  return *cuda_backend;
}

}  // namespace accel
