#pragma once
// What a Tensor handle points to: a strided view (sizes, strides, offset in elements) of a Storage,
// plus the autograd state that the autograd layer attaches.
#include <cstdint>
#include <memory>

#include <accel/tensor/dtype.h>
#include <accel/tensor/intrusive_ptr.h>
#include <accel/tensor/shape.h>
#include <accel/tensor/storage.h>

namespace accel {

// Base of the autograd layer's per-tensor state (grad, grad_fn, hooks); opaque to this layer.
struct AutogradMeta {
  virtual ~AutogradMeta() = default;
};

class TensorImpl final : public RefCounted {
 public:
  TensorImpl(Storage storage, DType dtype, DimVector sizes, DimVector strides, int64_t storage_offset);

  const Storage& storage() const { return storage_; }
  DType dtype() const { return dtype_; }
  Device device() const { return storage_->device(); }
  IntArrayRef sizes() const { return sizes_; }
  IntArrayRef strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  int64_t storage_offset() const { return storage_offset_; }
  bool is_contiguous() const { return contiguous_; }
  void* data() const {
    return static_cast<char*>(storage_->data()) + storage_offset_ * itemsize(dtype_);
  }

  // Changes the view in place (used by detach_-like and resize-like operations).
  void set_geometry(DimVector sizes, DimVector strides, int64_t storage_offset);
  // Points this tensor at other data (another device or dtype), keeping its identity and autograd
  // state: every handle sees the change (nn::Module::to, PyTorch's set_data).
  void set_data(Storage storage, DType dtype, DimVector sizes, DimVector strides, int64_t storage_offset);

  bool requires_grad() const { return requires_grad_; }
  void set_requires_grad(bool value) { requires_grad_ = value; }
  AutogradMeta* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMeta> meta) { autograd_meta_ = std::move(meta); }

  // The tensor whose storage a view was made from (the first non-view, not the immediate source);
  // null for non-views. Autograd needs it when a view is modified in place.
  TensorImpl* view_base() const { return view_base_.get(); }
  void set_view_base(IntrusivePtr<TensorImpl> base) { view_base_ = std::move(base); }

 private:
  void refresh();

  Storage storage_;
  DimVector sizes_;
  DimVector strides_;
  int64_t storage_offset_;
  int64_t numel_ = 1;
  DType dtype_;
  bool contiguous_ = true;
  bool requires_grad_ = false;
  std::unique_ptr<AutogradMeta> autograd_meta_;
  IntrusivePtr<TensorImpl> view_base_;
};

}  // namespace accel
