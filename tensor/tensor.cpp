#include <accel/tensor/tensor.h>

#include <accel/tensor/backend.h>
#include <accel/tensor/factories.h>

namespace accel {

int64_t Tensor::size(int64_t dim) const {
  ACCEL_CHECK(defined(), "size: the tensor is undefined");
  return sizes()[wrap_dim(dim, this->dim(), "size")];
}

int64_t Tensor::stride(int64_t dim) const {
  ACCEL_CHECK(defined(), "stride: the tensor is undefined");
  return strides()[wrap_dim(dim, this->dim(), "stride")];
}

Scalar Tensor::item() const {
  ACCEL_CHECK(defined(), "item: the tensor is undefined");
  ACCEL_CHECK(numel() == 1, "item: expected a tensor with one element, got shape ", sizes());
  return ACCEL_DISPATCH(dtype(), "item", [&]<typename T>() -> Scalar {
    T value;
    detail::copy_to_host(*this, dtype(), &value);
    if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) return Scalar(static_cast<float>(value));
    else return Scalar(value);
  });
}

namespace detail {

void undefined_tensor() { ACCEL_FAIL("the tensor is undefined (default-constructed); its metadata cannot be read"); }

void data_ptr_dtype_mismatch(DType actual, DType requested) {
  ACCEL_FAIL("data_ptr: the tensor holds ", name(actual), " but ", name(requested), " was requested");
}

void copy_to_host(const Tensor& src, DType dtype, void* dst) {
  ACCEL_CHECK(src.defined(), "copy_to_host: the tensor is undefined");
  const Tensor host = from_blob(dst, src.sizes(), {.dtype = dtype});
  if (src.is_cpu()) {
    backend(DeviceType::CPU).copy(host, src);
    return;
  }
  const Tensor staged = src.to(dtype).contiguous();
  backend(src.device()).copy_across_devices(host, staged);
}

}  // namespace detail
}  // namespace accel
