// The CUDA backend: memory movement, fill and dtype conversion so far; every other primitive
// throws a clear error until its kernel lands.
#include <accel/kernels/cuda/cuda_backend.h>

#include <cstring>

#include <accel/kernels/cuda/allocator.h>
#include <accel/kernels/cuda/kernels.h>
#include <accel/kernels/cuda/runtime.h>

namespace accel::cuda {
namespace {

[[noreturn]] void not_implemented(const char* op) { ACCEL_FAIL(op, " is not implemented on CUDA yet"); }

}  // namespace

DeviceType CudaBackend::type() const { return DeviceType::CUDA; }

Allocator& CudaBackend::allocator(int device_index) { return detail::device_allocator(device_index); }

void CudaBackend::copy_across_devices(const Tensor& dst, const Tensor& src) {
  ACCEL_CHECK(dst.dtype() == src.dtype() && dst.numel() == src.numel() && dst.is_contiguous() && src.is_contiguous(),
              "copy from ", src.device(), " to ", dst.device(),
              ": expected contiguous tensors of one dtype and size, got ", src.dtype(), " ", src.sizes(),
              " with strides ", src.strides(), " and ", dst.dtype(), " ", dst.sizes(), " with strides ", dst.strides());
  const auto nbytes = static_cast<size_t>(src.nbytes());
  if (nbytes == 0) return;
  if (dst.is_cuda() && src.is_cuda()) {
    // Ordered after all work queued on both devices, so no extra synchronisation is needed.
    ACCEL_CUDA_CHECK(cudaMemcpyPeer(dst.data_ptr(), dst.device().index, src.data_ptr(), src.device().index, nbytes));
    return;
  }
  ACCEL_CHECK(dst.is_cuda() || src.is_cuda(), "copy: the CUDA backend cannot copy from ", src.device(), " to ",
              dst.device());
  detail::DeviceGuard guard((dst.is_cuda() ? dst : src).device().index);
  // Synchronous: the host buffer is pageable and may be freed or read as soon as this returns.
  ACCEL_CUDA_CHECK(cudaMemcpy(dst.data_ptr(), src.data_ptr(), nbytes,
                              dst.is_cuda() ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost));
}

void CudaBackend::copy(const Tensor& dst, const Tensor& src) {
  ACCEL_CHECK(dst.device() == src.device(), "copy: expected tensors on one device, got ", dst.device(), " and ",
              src.device());
  if (dst.numel() == 0) return;
  if (!dst.is_contiguous() || !src.is_contiguous() || dst.numel() != src.numel())
    ACCEL_FAIL("copy of strided or broadcast tensors is not implemented on CUDA yet (destination ", dst.sizes(),
               " with strides ", dst.strides(), ", source ", src.sizes(), " with strides ", src.strides(), ")");
  detail::DeviceGuard guard(dst.device().index);
  if (dst.dtype() != src.dtype()) {
    detail::cast(dst.data_ptr(), dst.dtype(), src.data_ptr(), src.dtype(), dst.numel());
  } else if (dst.data_ptr() != src.data_ptr()) {
    ACCEL_CUDA_CHECK(cudaMemcpyAsync(dst.data_ptr(), src.data_ptr(), static_cast<size_t>(dst.nbytes()),
                                     cudaMemcpyDeviceToDevice, cudaStreamLegacy));
  }
}

void CudaBackend::fill(const Tensor& dst, Scalar value) {
  if (dst.numel() == 0) return;
  ACCEL_CHECK(dst.is_contiguous(), "fill of a strided tensor (", dst.sizes(), " with strides ", dst.strides(),
              ") is not implemented on CUDA yet");
  uint64_t pattern = 0;
  ACCEL_DISPATCH(dst.dtype(), "fill", [&]<typename T>() {
    const T v = value.to<T>();
    std::memcpy(&pattern, &v, sizeof v);
  });
  detail::DeviceGuard guard(dst.device().index);
  detail::fill(dst.data_ptr(), dst.numel(), dst.element_size(), pattern);
}

void CudaBackend::arange(const Tensor&, double, double) { not_implemented("arange"); }
void CudaBackend::unary(UnaryOp op, const Tensor&, const Tensor&, UnaryParams) { not_implemented(name(op)); }
void CudaBackend::binary(BinaryOp op, const Tensor&, const Tensor&, const Tensor&, Scalar) {
  not_implemented(name(op));
}
void CudaBackend::ternary(TernaryOp op, const Tensor&, const Tensor&, const Tensor&, const Tensor&, Scalar) {
  constexpr const char* names[] = {"where", "lerp", "addcmul", "addcdiv"};
  not_implemented(names[static_cast<int>(op)]);
}
void CudaBackend::uniform(const Tensor&, double, double, Generator&) { not_implemented("uniform"); }
void CudaBackend::normal(const Tensor&, double, double, Generator&) { not_implemented("normal"); }
void CudaBackend::random_int(const Tensor&, int64_t, int64_t, Generator&) { not_implemented("randint"); }
void CudaBackend::reduce(ReduceOp op, const Tensor&, const Tensor&, uint64_t) { not_implemented(name(op)); }
void CudaBackend::arg_reduce(bool is_max, const Tensor&, const Tensor&, const Tensor&, int64_t) {
  not_implemented(is_max ? "max (with indices)" : "min (with indices)");
}
void CudaBackend::cumsum(const Tensor&, const Tensor&, int64_t) { not_implemented("cumsum"); }
void CudaBackend::sort(const Tensor&, const Tensor&, const Tensor&, int64_t, bool, bool) { not_implemented("sort"); }
void CudaBackend::topk(const Tensor&, const Tensor&, const Tensor&, int64_t, int64_t, bool, bool) {
  not_implemented("topk");
}
void CudaBackend::gemm(const Tensor&, const Tensor&, const Tensor&, double, double, const Tensor&) {
  not_implemented("matmul");
}
void CudaBackend::index_select(const Tensor&, const Tensor&, int64_t, const Tensor&) {
  not_implemented("index_select");
}
void CudaBackend::gather(const Tensor&, const Tensor&, int64_t, const Tensor&) { not_implemented("gather"); }
void CudaBackend::scatter(const Tensor&, int64_t, const Tensor&, const Tensor&, bool) { not_implemented("scatter"); }
void CudaBackend::index_add(const Tensor&, int64_t, const Tensor&, const Tensor&, Scalar) {
  not_implemented("index_add");
}
Tensor CudaBackend::nonzero(const Tensor&) { not_implemented("nonzero"); }
void CudaBackend::softmax(const Tensor&, const Tensor&, int64_t, bool log) {
  not_implemented(log ? "log_softmax" : "softmax");
}
void CudaBackend::conv2d(const Tensor&, const Tensor&, const Tensor&, const Tensor&, IntArrayRef, IntArrayRef,
                         IntArrayRef, int64_t) {
  not_implemented("conv2d");
}
void CudaBackend::max_pool2d(const Tensor&, const Tensor&, const Tensor&, IntArrayRef, IntArrayRef, IntArrayRef,
                             IntArrayRef) {
  not_implemented("max_pool2d");
}
void CudaBackend::avg_pool2d(const Tensor&, const Tensor&, IntArrayRef, IntArrayRef, IntArrayRef, bool,
                             std::optional<int64_t>) {
  not_implemented("avg_pool2d");
}
void CudaBackend::adaptive_avg_pool2d(const Tensor&, const Tensor&) { not_implemented("adaptive_avg_pool2d"); }
void CudaBackend::batch_norm(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                             const Tensor&, const Tensor&, bool, double, double) {
  not_implemented("batch_norm");
}
void CudaBackend::layer_norm(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                             double) {
  not_implemented("layer_norm");
}
void CudaBackend::group_norm(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                             int64_t, double) {
  not_implemented("group_norm");
}
void CudaBackend::conv2d_backward_input(const Tensor&, const Tensor&, const Tensor&, IntArrayRef, IntArrayRef,
                                        IntArrayRef, int64_t) {
  not_implemented("conv2d_backward_input");
}
void CudaBackend::conv2d_backward_weight(const Tensor&, const Tensor&, const Tensor&, IntArrayRef, IntArrayRef,
                                         IntArrayRef, int64_t) {
  not_implemented("conv2d_backward_weight");
}
void CudaBackend::relu_backward(const Tensor&, const Tensor&, const Tensor&) { not_implemented("relu_backward"); }

void CudaBackend::max_pool2d_backward(const Tensor&, const Tensor&, const Tensor&) {
  not_implemented("max_pool2d_backward");
}
void CudaBackend::avg_pool2d_backward(const Tensor&, const Tensor&, IntArrayRef, IntArrayRef, IntArrayRef, bool,
                                      std::optional<int64_t>) {
  not_implemented("avg_pool2d_backward");
}
void CudaBackend::adaptive_avg_pool2d_backward(const Tensor&, const Tensor&) {
  not_implemented("adaptive_avg_pool2d_backward");
}
void CudaBackend::batch_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                      const Tensor&, const Tensor&, const Tensor&, bool, double, const Tensor&,
                                      const Tensor&) {
  not_implemented("batch_norm_backward");
}
void CudaBackend::layer_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                      const Tensor&, const Tensor&, const Tensor&) {
  not_implemented("layer_norm_backward");
}
void CudaBackend::group_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                      const Tensor&, const Tensor&, const Tensor&, int64_t) {
  not_implemented("group_norm_backward");
}
void CudaBackend::cross_entropy(const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                const CrossEntropyTargets&, const Tensor&, const Tensor&) {
  not_implemented("cross_entropy");
}
void CudaBackend::cross_entropy_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&) {
  not_implemented("cross_entropy_backward");
}
void CudaBackend::sgd_step(const Tensor&, const Tensor&, const Tensor&, const SgdStep&) { not_implemented("sgd_step"); }
void CudaBackend::adam_step(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                            const AdamStep&) {
  not_implemented("adam_step");
}

Backend* detail::cuda_backend() {
  static CudaBackend backend;
  return is_available() ? &backend : nullptr;
}

}  // namespace accel::cuda
