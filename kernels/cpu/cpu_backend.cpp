#include <accel/kernels/cpu/cpu_backend.h>

namespace accel::cpu {

DeviceType CpuBackend::type() const { return DeviceType::CPU; }

Allocator& CpuBackend::allocator(int) { return cpu_allocator(); }

}  // namespace accel::cpu
