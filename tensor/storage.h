#pragma once
// The bytes behind one or more tensors (a tensor and its views share one Storage).
#include <cstddef>
#include <cstdint>
#include <functional>

#include <accel/tensor/allocator.h>
#include <accel/tensor/device.h>
#include <accel/tensor/intrusive_ptr.h>

namespace accel {

class StorageImpl final : public RefCounted {
 public:
  // Owned memory from an allocator.
  StorageImpl(size_t nbytes, Allocator& allocator, Device device);
  // Memory owned by the caller (from_blob); deleter may be empty.
  StorageImpl(void* data, size_t nbytes, Device device, std::function<void(void*)> deleter);
  ~StorageImpl() override;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

  // Bumped by every in-place write; autograd compares it with the version it saved.
  uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_;
  size_t nbytes_;
  Device device_;
  Allocator* allocator_ = nullptr;
  std::function<void(void*)> deleter_;
  uint64_t version_ = 0;
};

using Storage = IntrusivePtr<StorageImpl>;

}  // namespace accel
