#pragma once
// A minimal intrusive reference count: one atomic in the object, one pointer in the handle.
// Tensor handles are copied on every op, so this is cheaper than std::shared_ptr's control block.
#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace accel {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;
  virtual ~RefCounted() = default;

  void retain() const { refcount_.fetch_add(1, std::memory_order_relaxed); }
  void release() const {
    if (refcount_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  int64_t use_count() const { return refcount_.load(std::memory_order_relaxed); }

 private:
  mutable std::atomic<int32_t> refcount_{1};
};

template <typename T>
class IntrusivePtr {
 public:
  IntrusivePtr() = default;
  // Adopts a freshly constructed object (refcount starts at 1).
  static IntrusivePtr adopt(T* p) {
    IntrusivePtr r;
    r.p_ = p;
    return r;
  }
  template <typename... Args>
  static IntrusivePtr make(Args&&... args) {
    return adopt(new T(std::forward<Args>(args)...));
  }
  // Shares an object already owned elsewhere.
  static IntrusivePtr reclaim_copy(T* p) {
    if (p) p->retain();
    return adopt(p);
  }

  IntrusivePtr(const IntrusivePtr& o) : p_(o.p_) {
    if (p_) p_->retain();
  }
  IntrusivePtr(IntrusivePtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  // From a pointer to a derived class.
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  IntrusivePtr(const IntrusivePtr<U>& o) : p_(o.get()) {
    if (p_) p_->retain();
  }
  template <typename U, typename = std::enable_if_t<std::is_convertible_v<U*, T*>>>
  IntrusivePtr(IntrusivePtr<U>&& o) noexcept : p_(o.release()) {}
  IntrusivePtr& operator=(const IntrusivePtr& o) {
    IntrusivePtr(o).swap(*this);
    return *this;
  }
  IntrusivePtr& operator=(IntrusivePtr&& o) noexcept {
    IntrusivePtr(std::move(o)).swap(*this);
    return *this;
  }
  ~IntrusivePtr() {
    if (p_) p_->release();
  }

  void swap(IntrusivePtr& o) noexcept { std::swap(p_, o.p_); }
  // Gives up ownership without releasing the reference.
  T* release() noexcept { return std::exchange(p_, nullptr); }
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  int64_t use_count() const { return p_ ? p_->use_count() : 0; }

 private:
  T* p_ = nullptr;
};

}  // namespace accel
