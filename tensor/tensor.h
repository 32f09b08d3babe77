#pragma once
// The Tensor handle. Copying a Tensor copies a pointer; views share storage.
//
// Metadata and views are defined in tensor/; the compute methods forward to the ops declared in
// tensor/ops.h, which are defined in autograd/ops/ (the differentiable op front end) and run on the
// device's Backend (tensor/backend.h) implemented in kernels/.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <accel/tensor/device.h>
#include <accel/tensor/dtype.h>
#include <accel/tensor/scalar.h>
#include <accel/tensor/shape.h>
#include <accel/tensor/tensor_impl.h>
#include <accel/tensor/tensor_options.h>

namespace accel {

class TensorIndex;
namespace autograd {
class Node;
}  // namespace autograd
namespace detail {
[[noreturn]] void undefined_tensor();
}  // namespace detail

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(IntrusivePtr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata --------------------------------------------------------------------------
  bool defined() const { return static_cast<bool>(impl_); }
  // Metadata of an undefined tensor is an Error, not a null dereference.
  TensorImpl* impl() const {
    if (!impl_) [[unlikely]] detail::undefined_tensor();
    return impl_.get();
  }
  const IntrusivePtr<TensorImpl>& impl_ptr() const { return impl_; }
  int64_t dim() const { return impl()->dim(); }
  int64_t ndimension() const { return dim(); }
  int64_t numel() const { return impl()->numel(); }
  IntArrayRef sizes() const { return impl()->sizes(); }
  IntArrayRef strides() const { return impl()->strides(); }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const { return impl()->storage_offset(); }
  DType dtype() const { return impl()->dtype(); }
  DType scalar_type() const { return dtype(); }
  Device device() const { return impl()->device(); }
  bool is_cpu() const { return device().is_cpu(); }
  bool is_cuda() const { return device().is_cuda(); }
  bool is_contiguous() const { return impl()->is_contiguous(); }
  bool is_floating_point() const { return accel::is_floating_point(dtype()); }
  int64_t element_size() const { return itemsize(dtype()); }
  int64_t nbytes() const { return numel() * element_size(); }
  TensorOptions options() const { return {.dtype = dtype(), .device = device()}; }
  bool is_same(const Tensor& other) const { return impl_.get() == other.impl_.get(); }
  int64_t use_count() const { return impl_.use_count(); }
  const Storage& storage() const { return impl()->storage(); }
  uint64_t version() const { return storage()->version(); }
  void bump_version() const { storage()->bump_version(); }

  void* data_ptr() const { return impl()->data(); }
  // Checks that T matches the dtype.
  template <typename T>
  T* data_ptr() const;
  template <typename T>
  T item() const;
  Scalar item() const;
  // Copies the elements (any device, any layout) into a vector of T, converting.
  template <typename T>
  std::vector<T> to_vector() const;

  // ---- autograd (defined in autograd/; see autograd/autograd.h) ------------------------------
  bool requires_grad() const { return impl()->requires_grad(); }
  // Only for leaves, and only floating-point tensors can require gradients.
  const Tensor& requires_grad_(bool value = true) const;
  // The accumulated gradient of a leaf (or of a tensor that retain_grad()); undefined if none.
  const Tensor& grad() const;
  // The gradient slot itself, to reset (grad = {}) or replace it.
  Tensor& mutable_grad() const;
  // The node that computed this tensor; null for leaves.
  autograd::Node* grad_fn() const;
  bool is_leaf() const;
  // Which output of grad_fn this tensor is.
  uint32_t output_nr() const;
  // Gradients of this tensor (a scalar unless gradient is given) with respect to the leaves,
  // accumulated into their .grad. retain_graph defaults to create_graph.
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  // Makes this tensor use new_data's storage, dtype and shape (every handle sees it); history and
  // .grad stay. Used to move parameters between devices and dtypes.
  void set_data(const Tensor& new_data) const;
  // The same data without history (shares storage and version counter).
  Tensor detach() const;
  const Tensor& detach_() const;
  // Keep the gradient of a non-leaf in .grad.
  void retain_grad() const;
  bool retains_grad() const;
  // hook(grad) runs when the gradient of this tensor is computed and may return a replacement
  // (an undefined return keeps it). Returns an id for remove_hook.
  int register_hook(std::function<Tensor(const Tensor&)> hook) const;
  void remove_hook(int id) const;
  // hook(leaf) runs after a gradient was accumulated into this leaf's .grad (data-parallel
  // training starts its all-reduce from here).
  int register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) const;

  // ---- conversion ------------------------------------------------------------------------
  Tensor to(DType dtype, bool copy = false) const;
  Tensor to(Device device, bool copy = false) const;
  Tensor to(DeviceType device, bool copy = false) const { return to(Device(device), copy); }
  Tensor to(Device device, DType dtype, bool copy = false) const;
  Tensor cpu() const { return to(Device::cpu()); }
  Tensor cuda(int index = 0) const { return to(Device::cuda(index)); }
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- views (share storage) ---------------------------------------------------------------
  Tensor view(IntArrayRef sizes) const;
  Tensor reshape(IntArrayRef sizes) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor unflatten(int64_t dim, IntArrayRef sizes) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor permute(IntArrayRef dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor mT() const { return transpose(-2, -1); }
  Tensor expand(IntArrayRef sizes) const;
  Tensor expand_as(const Tensor& other) const { return expand(other.sizes()); }
  Tensor slice(int64_t dim, std::optional<int64_t> start = std::nullopt,
               std::optional<int64_t> end = std::nullopt, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor as_strided(IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> storage_offset = std::nullopt) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;

  // Basic and advanced indexing: t.index({Slice(0, 2), None, idx}); t.index_put_({mask}, 0).
  Tensor index(std::initializer_list<TensorIndex> indices) const;
  Tensor index(const std::vector<TensorIndex>& indices) const;
  // accumulate: add value at the indexed positions (repeated indices add up) instead of writing it.
  const Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate = false) const;
  const Tensor& index_put_(const std::vector<TensorIndex>& indices, Scalar value, bool accumulate = false) const;

  // ---- elementwise -------------------------------------------------------------------------
  Tensor neg() const;
  Tensor abs() const;
  Tensor sign() const;
  Tensor exp() const;
  Tensor exp2() const;
  Tensor log() const;
  Tensor log2() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor reciprocal() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tan() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor erf() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor logical_not() const;
  Tensor square() const;
  Tensor pow(Scalar exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor clamp_min(Scalar min) const { return clamp(min, std::nullopt); }
  Tensor clamp_max(Scalar max) const { return clamp(std::nullopt, max); }

  Tensor add(const Tensor& other, Scalar alpha = 1) const;
  Tensor add(Scalar other, Scalar alpha = 1) const;
  Tensor sub(const Tensor& other, Scalar alpha = 1) const;
  Tensor sub(Scalar other, Scalar alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(Scalar other) const;
  // rounding_mode: "" (true division), "floor" or "trunc".
  Tensor div(const Tensor& other, const std::string& rounding_mode = "") const;
  Tensor div(Scalar other, const std::string& rounding_mode = "") const;
  Tensor floor_divide(const Tensor& other) const { return div(other, "floor"); }
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor fmod(const Tensor& other) const;
  Tensor fmod(Scalar other) const;
  Tensor remainder(const Tensor& other) const;
  Tensor remainder(Scalar other) const;
  Tensor atan2(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(Scalar other) const;
  Tensor ne(Scalar other) const;
  Tensor lt(Scalar other) const;
  Tensor le(Scalar other) const;
  Tensor gt(Scalar other) const;
  Tensor ge(Scalar other) const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_xor(const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, Scalar value) const;
  Tensor masked_fill(const Tensor& mask, const Tensor& value) const;
  Tensor where(const Tensor& condition, const Tensor& other) const;
  Tensor lerp(const Tensor& end, Scalar weight) const;
  Tensor lerp(const Tensor& end, const Tensor& weight) const;
  Tensor addcmul(const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1) const;
  Tensor addcdiv(const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1) const;

  // In place: return *this (a const handle, as in libtorch: the handle is const, the data is not).
  const Tensor& add_(const Tensor& other, Scalar alpha = 1) const;
  const Tensor& add_(Scalar other, Scalar alpha = 1) const;
  const Tensor& sub_(const Tensor& other, Scalar alpha = 1) const;
  const Tensor& sub_(Scalar other, Scalar alpha = 1) const;
  const Tensor& mul_(const Tensor& other) const;
  const Tensor& mul_(Scalar other) const;
  const Tensor& div_(const Tensor& other) const;
  const Tensor& div_(Scalar other) const;
  const Tensor& pow_(Scalar exponent) const;
  const Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  const Tensor& neg_() const;
  const Tensor& exp_() const;
  const Tensor& sqrt_() const;
  const Tensor& relu_() const;
  const Tensor& sigmoid_() const;
  const Tensor& tanh_() const;
  const Tensor& masked_fill_(const Tensor& mask, Scalar value) const;
  const Tensor& lerp_(const Tensor& end, Scalar weight) const;
  const Tensor& addcmul_(const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1) const;
  const Tensor& addcdiv_(const Tensor& tensor1, const Tensor& tensor2, Scalar value = 1) const;
  const Tensor& fill_(Scalar value) const;
  const Tensor& fill_(const Tensor& value) const;  // a one-element tensor
  const Tensor& zero_() const;
  const Tensor& copy_(const Tensor& src) const;  // any dtype and device; src broadcasts
  const Tensor& uniform_(double from = 0, double to = 1) const;
  const Tensor& normal_(double mean = 0, double std = 1) const;
  const Tensor& scatter_(int64_t dim, const Tensor& index, const Tensor& src) const;
  const Tensor& scatter_(int64_t dim, const Tensor& index, Scalar value) const;
  const Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const;
  const Tensor& index_add_(int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha = 1) const;

  // ---- reductions --------------------------------------------------------------------------
  // Empty dims reduce over everything. dtype overrides the accumulation/result dtype.
  Tensor sum(IntArrayRef dims = {}, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(IntArrayRef dims = {}, bool keepdim = false, std::optional<DType> dtype = std::nullopt) const;
  Tensor prod(std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
              std::optional<DType> dtype = std::nullopt) const;
  Tensor max() const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor var(IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor std(IntArrayRef dims = {}, int64_t correction = 1, bool keepdim = false) const;
  Tensor norm(double p = 2, IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor all(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor any(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;
  Tensor cumsum(int64_t dim, std::optional<DType> dtype = std::nullopt) const;
  std::tuple<Tensor, Tensor> topk(int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true) const;
  std::tuple<Tensor, Tensor> sort(int64_t dim = -1, bool descending = false, bool stable = false) const;
  Tensor argsort(int64_t dim = -1, bool descending = false, bool stable = false) const;

  // ---- linear algebra, shape, indexing, nn ---------------------------------------------------
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor dot(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor flip(IntArrayRef dims) const;
  Tensor roll(IntArrayRef shifts, IntArrayRef dims = {}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter(int64_t dim, const Tensor& index, Scalar value) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor index_add(int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha = 1) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

 private:
  IntrusivePtr<TensorImpl> impl_;
};

// ---- operators ---------------------------------------------------------------------------
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, Scalar b);
Tensor operator-(const Tensor& a, Scalar b);
Tensor operator*(const Tensor& a, Scalar b);
Tensor operator/(const Tensor& a, Scalar b);
Tensor operator+(Scalar a, const Tensor& b);
Tensor operator-(Scalar a, const Tensor& b);
Tensor operator*(Scalar a, const Tensor& b);
Tensor operator/(Scalar a, const Tensor& b);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, Scalar b);
Tensor operator!=(const Tensor& a, Scalar b);
Tensor operator<(const Tensor& a, Scalar b);
Tensor operator<=(const Tensor& a, Scalar b);
Tensor operator>(const Tensor& a, Scalar b);
Tensor operator>=(const Tensor& a, Scalar b);
Tensor operator&(const Tensor& a, const Tensor& b);  // logical and, for bool tensors
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& a);  // logical not, for bool tensors
const Tensor& operator+=(const Tensor& a, const Tensor& b);
const Tensor& operator-=(const Tensor& a, const Tensor& b);
const Tensor& operator*=(const Tensor& a, const Tensor& b);
const Tensor& operator/=(const Tensor& a, const Tensor& b);
const Tensor& operator+=(const Tensor& a, Scalar b);
const Tensor& operator-=(const Tensor& a, Scalar b);
const Tensor& operator*=(const Tensor& a, Scalar b);
const Tensor& operator/=(const Tensor& a, Scalar b);

// Prints like PyTorch: tensor([[1., 2.],
//                              [3., 4.]])
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::string to_string(const Tensor& t);

// ---- template definitions ----------------------------------------------------------------
namespace detail {
[[noreturn]] void data_ptr_dtype_mismatch(DType actual, DType requested);
void copy_to_host(const Tensor& src, DType dtype, void* dst);  // contiguous, converting
}  // namespace detail

template <typename T>
T* Tensor::data_ptr() const {
  if (dtype() != dtype_of_v<T>) detail::data_ptr_dtype_mismatch(dtype(), dtype_of_v<T>);
  return static_cast<T*>(impl()->data());
}

template <typename T>
T Tensor::item() const {
  return item().to<T>();
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(static_cast<size_t>(numel()));
  if constexpr (std::is_same_v<T, bool>) {
    std::vector<uint8_t> bytes(out.size());
    detail::copy_to_host(*this, kBool, bytes.data());
    for (size_t i = 0; i < out.size(); ++i) out[i] = bytes[i] != 0;
  } else {
    detail::copy_to_host(*this, dtype_of_v<T>, out.data());
  }
  return out;
}

}  // namespace accel
