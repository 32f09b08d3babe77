#include <accel/tensor/tensor_impl.h>

namespace accel {

TensorImpl::TensorImpl(Storage storage, DType dtype, DimVector sizes, DimVector strides, int64_t storage_offset)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      dtype_(dtype) {
  refresh();
}

void TensorImpl::set_geometry(DimVector sizes, DimVector strides, int64_t storage_offset) {
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  storage_offset_ = storage_offset;
  refresh();
}

void TensorImpl::set_data(Storage storage, DType dtype, DimVector sizes, DimVector strides, int64_t storage_offset) {
  storage_ = std::move(storage);
  dtype_ = dtype;
  set_geometry(std::move(sizes), std::move(strides), storage_offset);
}

void TensorImpl::refresh() {
  numel_ = 1;
  for (int64_t s : sizes_) numel_ *= s;
  contiguous_ = is_contiguous_layout(sizes_, strides_);
}

}  // namespace accel
