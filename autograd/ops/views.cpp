// Views (new sizes/strides over the same storage) and conversions (to, contiguous, clone, copy_).
#include <numeric>
#include <optional>

#include <functional>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::TensorList;

// A view of self's storage, remembering the tensor that owns the data (for in-place ops on views).
Tensor make_view(const Tensor& self, DimVector sizes, DimVector strides, int64_t offset) {
  Tensor view(IntrusivePtr<TensorImpl>::make(self.storage(), self.dtype(), std::move(sizes), std::move(strides), offset));
  TensorImpl* base = self.impl()->view_base() ? self.impl()->view_base() : self.impl();
  view.impl()->set_view_base(IntrusivePtr<TensorImpl>::reclaim_copy(base));
  return view;
}

// Attaches `view` (of self) to a backward node N made from args.
template <typename N, typename... Args>
Tensor recorded(const Tensor& self, Tensor view, Args&&... args) {
  if (autograd::should_record(self)) {
    auto node = autograd::make_node<N>({&self}, std::forward<Args>(args)...);
    autograd::set_history(view, *node);
  }
  return view;
}

// ---- backward of views ----

// The gradient of a view that keeps all elements: reshape back.
struct ReshapeBackward final : Node {
  explicit ReshapeBackward(IntArrayRef sizes) : sizes(sizes) {}
  const char* name() const override { return "ViewBackward"; }
  TensorList apply(TensorList&& g) override { return {g[0].reshape(sizes)}; }
  DimVector sizes;
};

struct PermuteBackward final : Node {
  explicit PermuteBackward(DimVector inverse) : inverse(std::move(inverse)) {}
  const char* name() const override { return "PermuteBackward"; }
  TensorList apply(TensorList&& g) override { return {g[0].permute(inverse)}; }
  DimVector inverse;
};

// Gradients that pass through unchanged: expand (the engine sums broadcast gradients back to the
// input's shape), no-op views, dtype and device conversions (the engine casts and moves them),
// clone.
struct IdentityBackward final : Node {
  explicit IdentityBackward(const char* name) : name_(name) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {std::move(g[0])}; }
  const char* name_;
};

// The gradient of a view that keeps some elements: zeros of the input's shape with the gradient
// written where the view points. Differentiable: its own gradient is the view of the gradient.
Tensor embed(const Tensor& grad, IntArrayRef sizes, std::function<Tensor(const Tensor&)> view_fn);

struct EmbedBackward final : Node {
  explicit EmbedBackward(std::function<Tensor(const Tensor&)> view_fn) : view_fn(std::move(view_fn)) {}
  const char* name() const override { return "EmbedBackward"; }
  TensorList apply(TensorList&& g) override { return {view_fn(g[0])}; }
  std::function<Tensor(const Tensor&)> view_fn;
};

Tensor embed(const Tensor& grad, IntArrayRef sizes, std::function<Tensor(const Tensor&)> view_fn) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = zeros(sizes, {.dtype = grad.dtype(), .device = grad.device()});
    view_fn(out).copy_(grad);
  }
  if (autograd::should_record(grad)) {
    auto node = autograd::make_node<EmbedBackward>({&grad}, std::move(view_fn));
    autograd::set_history(out, *node);
  }
  return out;
}

// Elements of an as_strided view may overlap: their gradients add up at the input position.
struct AsStridedBackward final : Node {
  AsStridedBackward(IntArrayRef sizes, Tensor positions) : sizes(sizes), positions(std::move(positions)) {}
  const char* name() const override { return "AsStridedBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor flat = zeros({numel_of(sizes)}, {.dtype = g[0].dtype(), .device = g[0].device()});
    return {index_add(flat, 0, positions, g[0].reshape({-1})).view(sizes)};
  }
  DimVector sizes;
  Tensor positions;
};

// Gradients of values overwritten by fill_, zero_, uniform_, normal_: none.
struct OverwrittenBackward final : Node {
  explicit OverwrittenBackward(const char* name) : name_(name) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&&) override { return {Tensor()}; }
  const char* name_;
};

// self.copy_(src): self's old values get no gradient, src gets it (summed back and cast by the engine).
struct CopyBackward final : Node {
  const char* name() const override { return "CopyBackward"; }
  TensorList apply(TensorList&& g) override { return {Tensor(), std::move(g[0])}; }
};

// Records an in-place op that overwrote all of self.
void record_overwrite(const Tensor& self, const char* name) {
  if (!autograd::should_record(self)) return;
  auto node = autograd::make_node<OverwrittenBackward>({&self}, name);
  autograd::rebase_history(self, *node);
}

// Views that select elements (slice, select): view_fn re-applies them.
struct PartialViewBackward final : Node {
  PartialViewBackward(const char* name, IntArrayRef sizes, std::function<Tensor(const Tensor&)> view_fn)
      : name_(name), sizes(sizes), view_fn(std::move(view_fn)) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {embed(g[0], sizes, view_fn)}; }
  const char* name_;
  DimVector sizes;
  std::function<Tensor(const Tensor&)> view_fn;
};

// Replaces a single -1 by what makes the element count match.
DimVector infer_size(IntArrayRef shape, int64_t numel, const char* op) {
  DimVector out(shape);
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      ACCEL_CHECK(!infer, op, ": only one dimension can be inferred in shape ", shape);
      infer = i;
    } else {
      ACCEL_CHECK(shape[i] >= 0, op, ": invalid shape dimension ", shape[i], " in ", shape);
      known *= shape[i];
    }
  }
  if (infer) {
    ACCEL_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape, " is invalid for input of size ", numel);
    out[*infer] = numel / known;
  } else {
    ACCEL_CHECK(known == numel, op, ": shape ", shape, " is invalid for input of size ", numel);
  }
  return out;
}

// The strides that view `sizes` onto the same memory, if any (ATen's computeStride).
std::optional<DimVector> view_strides(IntArrayRef old_sizes, IntArrayRef old_strides, IntArrayRef sizes) {
  if (old_sizes.empty()) return contiguous_strides(sizes);
  if (numel_of(old_sizes) == 0) return old_sizes == sizes ? DimVector(old_strides) : contiguous_strides(sizes);
  DimVector strides(sizes.size());
  int64_t view_d = static_cast<int64_t>(sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_sizes[d];
    if (d == 0 || (old_sizes[d - 1] != 1 && old_strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || sizes[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (d > 0) {
        chunk_base_stride = old_strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

}  // namespace

Tensor Tensor::view(IntArrayRef shape) const {
  ops::check_defined(*this, "view");
  DimVector sizes = infer_size(shape, numel(), "view");
  auto strides = view_strides(this->sizes(), this->strides(), sizes);
  ACCEL_CHECK(strides, "view: size ", shape, " is not compatible with input tensor's size ", this->sizes(),
              " and stride ", this->strides(), " (at least one dimension spans across two contiguous subspaces); "
              "use reshape instead");
  return recorded<ReshapeBackward>(*this, make_view(*this, std::move(sizes), std::move(*strides), storage_offset()),
                                   this->sizes());
}

Tensor Tensor::reshape(IntArrayRef shape) const {
  ops::check_defined(*this, "reshape");
  DimVector sizes = infer_size(shape, numel(), "reshape");
  if (auto strides = view_strides(this->sizes(), this->strides(), sizes))
    return recorded<ReshapeBackward>(*this, make_view(*this, std::move(sizes), std::move(*strides), storage_offset()),
                                     this->sizes());
  return clone().view(sizes);
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  ops::check_defined(*this, "flatten");
  if (dim() == 0) return reshape({1});
  const int64_t s = wrap_dim(start_dim, dim(), "flatten"), e = wrap_dim(end_dim, dim(), "flatten");
  ACCEL_CHECK(s <= e, "flatten: start_dim ", start_dim, " cannot come after end_dim ", end_dim);
  DimVector shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(size(d));
  int64_t flat = 1;
  for (int64_t d = s; d <= e; ++d) flat *= size(d);
  shape.push_back(flat);
  for (int64_t d = e + 1; d < dim(); ++d) shape.push_back(size(d));
  return reshape(shape);
}

Tensor Tensor::unflatten(int64_t dim_, IntArrayRef sizes_) const {
  ops::check_defined(*this, "unflatten");
  const int64_t d = wrap_dim(dim_, dim(), "unflatten");
  ACCEL_CHECK(!sizes_.empty(), "unflatten: sizes must be non-empty");
  const DimVector inner = infer_size(sizes_, size(d), "unflatten");
  DimVector shape;
  for (int64_t k = 0; k < d; ++k) shape.push_back(size(k));
  for (int64_t s : inner) shape.push_back(s);
  for (int64_t k = d + 1; k < dim(); ++k) shape.push_back(size(k));
  return view(shape);
}

Tensor Tensor::squeeze() const {
  ops::check_defined(*this, "squeeze");
  DimVector sizes_out, strides_out;
  for (int64_t d = 0; d < dim(); ++d)
    if (size(d) != 1) {
      sizes_out.push_back(size(d));
      strides_out.push_back(stride(d));
    }
  return recorded<ReshapeBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                   sizes());
}

Tensor Tensor::squeeze(int64_t dim_) const {
  ops::check_defined(*this, "squeeze");
  if (dim() == 0) {
    wrap_dim(dim_, 0, "squeeze");
    return recorded<IdentityBackward>(*this, make_view(*this, {}, {}, storage_offset()), "AliasBackward");
  }
  const int64_t d = wrap_dim(dim_, dim(), "squeeze");
  if (size(d) != 1)
    return recorded<IdentityBackward>(*this, make_view(*this, DimVector(sizes()), DimVector(strides()), storage_offset()),
                                      "AliasBackward");
  DimVector sizes_out(sizes()), strides_out(strides());
  sizes_out.erase(static_cast<size_t>(d));
  strides_out.erase(static_cast<size_t>(d));
  return recorded<ReshapeBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                   sizes());
}

Tensor Tensor::unsqueeze(int64_t dim_) const {
  ops::check_defined(*this, "unsqueeze");
  const int64_t d = wrap_dim(dim_, dim() + 1, "unsqueeze");
  DimVector sizes_out(sizes()), strides_out(strides());
  const int64_t new_stride = d < dim() ? size(d) * stride(d) : 1;
  sizes_out.insert(static_cast<size_t>(d), 1);
  strides_out.insert(static_cast<size_t>(d), new_stride);
  return recorded<ReshapeBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                   sizes());
}

Tensor Tensor::permute(IntArrayRef dims) const {
  ops::check_defined(*this, "permute");
  ACCEL_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute: number of dims ", dims, " doesn't match the input's ",
              dim());
  DimVector sizes_out(dims.size()), strides_out(dims.size()), inverse(dims.size());
  uint64_t seen = 0;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], dim(), "permute");
    ACCEL_CHECK(!(seen >> d & 1), "permute: dim ", d, " repeats in ", dims);
    seen |= uint64_t{1} << d;
    sizes_out[i] = size(d);
    strides_out[i] = stride(d);
    inverse[d] = static_cast<int64_t>(i);
  }
  return recorded<PermuteBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                   std::move(inverse));
}

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  ops::check_defined(*this, "transpose");
  if (dim() == 0) {
    wrap_dim(dim0, 0, "transpose");
    wrap_dim(dim1, 0, "transpose");
    return recorded<IdentityBackward>(*this, make_view(*this, {}, {}, storage_offset()), "AliasBackward");
  }
  const int64_t a = wrap_dim(dim0, dim(), "transpose"), b = wrap_dim(dim1, dim(), "transpose");
  DimVector sizes_out(sizes()), strides_out(strides());
  std::swap(sizes_out[a], sizes_out[b]);
  std::swap(strides_out[a], strides_out[b]);
  DimVector inverse(static_cast<size_t>(dim()));
  for (int64_t d = 0; d < dim(); ++d) inverse[d] = d;
  std::swap(inverse[a], inverse[b]);
  return recorded<PermuteBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                   std::move(inverse));
}

Tensor Tensor::t() const {
  ops::check_defined(*this, "t");
  ACCEL_CHECK(dim() <= 2, "t: expects a tensor with <= 2 dimensions, but got ", dim(), " (shape ", sizes(), ")");
  return dim() < 2 ? transpose(0, 0) : transpose(0, 1);
}

Tensor Tensor::expand(IntArrayRef shape) const {
  ops::check_defined(*this, "expand");
  ACCEL_CHECK(static_cast<int64_t>(shape.size()) >= dim(), "expand: the number of sizes provided (", shape.size(),
              ") must be greater or equal to the number of dimensions in the tensor (", dim(), ")");
  const size_t lead = shape.size() - static_cast<size_t>(dim());
  DimVector sizes_out(shape.size()), strides_out(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      ACCEL_CHECK(shape[i] >= 0, "expand: the expanded size ", shape[i], " is not allowed in a leading dim (shape ",
                  shape, ")");
      sizes_out[i] = shape[i];
      strides_out[i] = 0;
      continue;
    }
    const int64_t d = static_cast<int64_t>(i - lead);
    const int64_t target = shape[i] == -1 ? size(d) : shape[i];
    ACCEL_CHECK(target == size(d) || size(d) == 1, "expand: the expanded size of the tensor (", target,
                ") must match the existing size (", size(d), ") at non-singleton dimension ", i, ". Target sizes: ",
                shape, ". Tensor sizes: ", sizes());
    sizes_out[i] = target;
    strides_out[i] = target == size(d) ? stride(d) : 0;
  }
  return recorded<IdentityBackward>(*this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset()),
                                    "ExpandBackward");
}

Tensor Tensor::slice(int64_t dim_, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) const {
  ops::check_defined(*this, "slice");
  ACCEL_CHECK(dim() > 0, "slice: cannot slice a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "slice");
  ACCEL_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = size(d);
  int64_t s = start.value_or(0), e = end.value_or(n);
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = std::clamp<int64_t>(s, 0, n);
  e = std::clamp<int64_t>(e, s, n);
  DimVector sizes_out(sizes()), strides_out(strides());
  sizes_out[d] = (e - s + step - 1) / step;
  strides_out[d] = stride(d) * step;
  return recorded<PartialViewBackward>(
      *this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset() + s * stride(d)),
      "SliceBackward", sizes(), [=](const Tensor& t) { return t.slice(d, s, e, step); });
}

Tensor Tensor::narrow(int64_t dim_, int64_t start, int64_t length) const {
  ops::check_defined(*this, "narrow");
  ACCEL_CHECK(dim() > 0, "narrow: cannot narrow a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "narrow");
  const int64_t n = size(d);
  ACCEL_CHECK(start >= -n && start <= n, "narrow: start ", start, " is out of range for dim ", d, " of size ", n);
  if (start < 0) start += n;
  ACCEL_CHECK(length >= 0 && start + length <= n, "narrow: start (", start, ") + length (", length,
              ") exceeds dimension size (", n, ")");
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t dim_, int64_t index) const {
  ops::check_defined(*this, "select");
  ACCEL_CHECK(dim() > 0, "select: cannot select from a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "select");
  const int64_t n = size(d);
  ACCEL_CHECK(index >= -n && index < n, "select: index ", index, " is out of bounds for dimension ", d, " with size ", n);
  if (index < 0) index += n;
  DimVector sizes_out(sizes()), strides_out(strides());
  sizes_out.erase(static_cast<size_t>(d));
  strides_out.erase(static_cast<size_t>(d));
  return recorded<PartialViewBackward>(
      *this, make_view(*this, std::move(sizes_out), std::move(strides_out), storage_offset() + index * stride(d)),
      "SelectBackward", sizes(), [=](const Tensor& t) { return t.select(d, index); });
}

Tensor Tensor::as_strided(IntArrayRef sizes_, IntArrayRef strides_, std::optional<int64_t> offset) const {
  ops::check_defined(*this, "as_strided");
  ACCEL_CHECK(sizes_.size() == strides_.size(), "as_strided: ", sizes_.size(), " sizes but ", strides_.size(), " strides");
  const int64_t start = offset.value_or(storage_offset());
  int64_t last = start;
  ACCEL_CHECK(start >= 0, "as_strided: negative storage offset ", start);
  for (size_t i = 0; i < sizes_.size(); ++i) {
    ACCEL_CHECK(sizes_[i] >= 0 && strides_[i] >= 0, "as_strided: negative size or stride in ", sizes_, " / ", strides_);
    if (sizes_[i] == 0) last = -1;
    if (last >= 0) last += (sizes_[i] - 1) * strides_[i];
  }
  ACCEL_CHECK(numel_of(sizes_) == 0 || (last + 1) * element_size() <= static_cast<int64_t>(storage()->nbytes()),
              "as_strided: sizes ", sizes_, " and strides ", strides_, " at offset ", start,
              " reach past the end of the storage (", storage()->nbytes() / element_size(), " elements)");
  Tensor view = make_view(*this, DimVector(sizes_), DimVector(strides_), start);
  if (!autograd::should_record(*this)) return view;
  // Where each element of the view sits in the input, as a flat index: the same view of an
  // arange. That needs the input to be laid out contiguously.
  ACCEL_CHECK(is_contiguous(), "as_strided: gradients through as_strided of a non-contiguous tensor are not supported");
  Tensor positions;
  {
    NoGradGuard no_grad;
    positions = arange(numel(), {.dtype = kInt64, .device = device()})
                    .as_strided(sizes_, strides_, start - storage_offset())
                    .reshape({-1});
  }
  return recorded<AsStridedBackward>(*this, std::move(view), sizes(), std::move(positions));
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim_) const {
  ops::check_defined(*this, "split");
  ACCEL_CHECK(dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "split");
  ACCEL_CHECK(split_size > 0 || (split_size == 0 && size(d) == 0), "split: split_size must be positive, got ",
              split_size);
  std::vector<Tensor> parts;
  const int64_t n = size(d);
  if (n == 0) return {*this};
  for (int64_t s = 0; s < n; s += split_size) parts.push_back(narrow(d, s, std::min(split_size, n - s)));
  return parts;
}

std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t dim_) const {
  ops::check_defined(*this, "split");
  ACCEL_CHECK(dim() > 0, "split: cannot split a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "split");
  const int64_t total = std::accumulate(split_sizes.begin(), split_sizes.end(), int64_t{0});
  ACCEL_CHECK(total == size(d), "split: split sizes ", split_sizes, " don't sum to the size of dim ", d, " (",
              size(d), ")");
  std::vector<Tensor> parts;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    ACCEL_CHECK(s >= 0, "split: negative split size in ", split_sizes);
    parts.push_back(narrow(d, start, s));
    start += s;
  }
  return parts;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim_) const {
  ops::check_defined(*this, "chunk");
  ACCEL_CHECK(chunks > 0, "chunk: chunks must be positive, got ", chunks);
  ACCEL_CHECK(dim() > 0, "chunk: cannot chunk a 0-dim tensor");
  const int64_t d = wrap_dim(dim_, dim(), "chunk");
  const int64_t chunk_size = std::max<int64_t>((size(d) + chunks - 1) / chunks, 1);
  return split(chunk_size, d);
}

std::vector<Tensor> Tensor::unbind(int64_t dim_) const {
  ops::check_defined(*this, "unbind");
  const int64_t d = wrap_dim(dim_, dim(), "unbind");
  std::vector<Tensor> parts;
  for (int64_t i = 0; i < size(d); ++i) parts.push_back(select(d, i));
  return parts;
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) { return x.split(split_size, dim); }
std::vector<Tensor> split(const Tensor& x, IntArrayRef split_sizes, int64_t dim) { return x.split(split_sizes, dim); }
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) { return x.chunk(chunks, dim); }

// ---- conversions and copies ----

Tensor Tensor::contiguous() const {
  ops::check_defined(*this, "contiguous");
  return is_contiguous() ? *this : clone();
}

Tensor Tensor::clone() const {
  ops::check_defined(*this, "clone");
  Tensor out = empty(sizes(), {.dtype = dtype(), .device = device()});
  backend(device()).copy(out, *this);
  return recorded<IdentityBackward>(*this, std::move(out), "CloneBackward");
}

Tensor Tensor::to(DType target, bool copy) const {
  ops::check_defined(*this, "to");
  if (target == dtype() && !copy) return *this;
  Tensor out = empty(sizes(), {.dtype = target, .device = device()});
  backend(device()).copy(out, *this);
  return recorded<IdentityBackward>(*this, std::move(out), "ToCopyBackward");
}

Tensor Tensor::to(Device target, bool copy) const { return to(target, dtype(), copy); }

Tensor Tensor::to(Device target, DType target_dtype, bool copy) const {
  ops::check_defined(*this, "to");
  if (target == device()) return to(target_dtype, copy);
  Tensor out;
  {
    NoGradGuard no_grad;
    // Convert on the source when that shrinks the transfer, else on the destination.
    const bool convert_first = itemsize(target_dtype) <= element_size();
    const Tensor src = (convert_first ? to(target_dtype) : *this).contiguous();
    out = empty(sizes(), {.dtype = src.dtype(), .device = target});
    Backend& mover = target.is_cpu() ? backend(device()) : backend(target);
    mover.copy_across_devices(out, src);
    out = out.to(target_dtype);
  }
  return recorded<IdentityBackward>(*this, std::move(out), "ToCopyBackward");
}

const Tensor& Tensor::copy_(const Tensor& src) const {
  ops::check_defined(*this, "copy_");
  ops::check_defined(src, "copy_");
  const DimVector shape = broadcast_shapes(sizes(), src.sizes(), "copy_");
  ACCEL_CHECK(IntArrayRef(shape) == sizes(), "copy_: source of shape ", src.sizes(),
              " does not broadcast to the destination's shape ", sizes());
  ops::check_writable(*this, "copy_");
  {
    NoGradGuard no_grad;
    const Tensor source = src.device() == device() ? src : src.to(device(), dtype());
    backend(device()).copy(*this, ops::broadcast_to(source, sizes()));
  }
  bump_version();
  if (autograd::should_record(*this, src)) {
    auto node = autograd::make_node<CopyBackward>({this, &src});
    autograd::rebase_history(*this, *node);
  }
  return *this;
}

const Tensor& Tensor::fill_(Scalar value) const {
  ops::check_defined(*this, "fill_");
  ops::check_writable(*this, "fill_");
  backend(device()).fill(*this, value);
  bump_version();
  record_overwrite(*this, "FillBackward");
  return *this;
}

const Tensor& Tensor::fill_(const Tensor& value) const {
  ACCEL_CHECK(value.defined() && value.dim() == 0, "fill_: expected a 0-dim value tensor");
  if (autograd::should_record(value)) return copy_(value);
  return fill_(value.item());
}

const Tensor& Tensor::zero_() const { return fill_(0); }

const Tensor& Tensor::uniform_(double from, double to) const {
  ops::check_defined(*this, "uniform_");
  ACCEL_CHECK(is_floating_point(), "uniform_: expected a floating tensor, got ", name(dtype()));
  ACCEL_CHECK(from <= to, "uniform_: expects from <= to, got from=", from, " and to=", to);
  ops::check_writable(*this, "uniform_");
  backend(device()).uniform(*this, from, to, default_generator());
  bump_version();
  record_overwrite(*this, "UniformBackward");
  return *this;
}

const Tensor& Tensor::normal_(double mean, double std) const {
  ops::check_defined(*this, "normal_");
  ACCEL_CHECK(is_floating_point(), "normal_: expected a floating tensor, got ", name(dtype()));
  ACCEL_CHECK(std >= 0, "normal_: expects std >= 0, got ", std);
  ops::check_writable(*this, "normal_");
  backend(device()).normal(*this, mean, std, default_generator());
  bump_version();
  record_overwrite(*this, "NormalBackward");
  return *this;
}

}  // namespace accel
