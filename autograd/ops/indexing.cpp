// Front end of the indexing ops: index_select, gather, scatter, scatter_add, index_add,
// masked_select, nonzero, one_hot. Indices are int64 on the input's device and are range-checked
// here, before any kernel runs, so a bad index is an accel::Error rather than a stray write.
#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::SavedTensor;
using autograd::TensorList;
using ops::check_defined;

// PyTorch treats 0-dim operands of these ops as 1-D with one element.
Tensor as_1d(const Tensor& t) { return t.dim() == 0 ? t.view({1}) : t; }

Tensor zeros_of(IntArrayRef sizes, const Tensor& like) {
  return zeros(sizes, {.dtype = like.dtype(), .device = like.device()});
}

// The backward formulas pair up (each is the other's gradient), so double backward works:
// index_select <-> index_add, gather <-> scatter_add. They add in place into fresh zeros, which
// records the in-place op's node when the gradient itself requires grad.

struct IndexSelectBackward final : Node {
  const char* name() const override { return "IndexSelectBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor grad = zeros_of(sizes.empty() ? DimVector{1} : sizes, g[0]);
    grad.index_add_(dim, index.unpack(this), as_1d(g[0]));
    return {grad.view(sizes)};
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  DimVector sizes;
  SavedTensor index;  // 1-D
};

struct GatherBackward final : Node {
  const char* name() const override { return "GatherBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor grad = zeros_of(sizes.empty() ? DimVector{1} : sizes, g[0]);
    grad.scatter_add_(dim, index.unpack(this), as_1d(g[0]));
    return {grad.view(sizes)};
  }
  void release_saved() override { index.reset(); }
  int64_t dim = 0;
  DimVector sizes;
  SavedTensor index;  // at least 1-D
};

// g.gather(dim, index), zero-padded from index's shape up to src's (index may be smaller).
Tensor gathered_source_grad(const Tensor& g, int64_t dim, const Tensor& index, IntArrayRef src_sizes) {
  const Tensor picked = as_1d(g).gather(dim, index);
  DimVector pads;
  for (int64_t k = index.dim() - 1; k >= 0; --k) {
    pads.push_back(0);
    pads.push_back((src_sizes.empty() ? 1 : src_sizes[k]) - index.size(k));
  }
  const bool same = std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
  return (same ? picked : pad(picked, pads)).view(src_sizes);
}

// scatter_ (accumulate = false): the overwritten positions of self get no gradient.
// scatter_add_ (accumulate = true): self's gradient passes through.
struct ScatterBackward final : Node {
  ScatterBackward(int64_t dim, bool accumulate) : dim(dim), accumulate(accumulate) {}
  const char* name() const override { return accumulate ? "ScatterAddBackward" : "ScatterBackward"; }
  TensorList apply(TensorList&& g) override {
    Tensor self_grad, src_grad;
    if (needs_input_grad(0))
      self_grad = accumulate ? g[0] : as_1d(g[0]).scatter(dim, index.unpack(this), 0).view(g[0].sizes());
    if (needs_input_grad(1)) src_grad = gathered_source_grad(g[0], dim, index.unpack(this), src_sizes);
    return {self_grad, src_grad};
  }
  void release_saved() override { index.reset(); }
  int64_t dim;
  bool accumulate;
  DimVector src_sizes;
  SavedTensor index;  // at least 1-D
};

struct IndexAddBackward final : Node {
  IndexAddBackward(int64_t dim, Scalar alpha) : dim(dim), alpha(alpha) {}
  const char* name() const override { return "IndexAddBackward"; }
  TensorList apply(TensorList&& g) override {
    Tensor source_grad;
    if (needs_input_grad(1)) {
      source_grad = as_1d(g[0]).index_select(dim, index.unpack(this)).view(source_sizes);
      if (alpha.to_double() != 1) source_grad = source_grad * alpha;
    }
    return {needs_input_grad(0) ? g[0] : Tensor(), source_grad};
  }
  void release_saved() override { index.reset(); }
  int64_t dim;
  Scalar alpha;
  DimVector source_sizes;
  SavedTensor index;  // 1-D
};

// The selected elements go back to their positions in the flattened broadcast input.
struct MaskedSelectBackward final : Node {
  const char* name() const override { return "MaskedSelectBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor grad = zeros_of({numel_of(shape)}, g[0]);
    grad.index_add_(0, positions, g[0]);
    return {grad.view(shape)};
  }
  void release_saved() override { positions = Tensor(); }
  DimVector shape;  // broadcast shape of input and mask; the engine sums it back to the input's
  Tensor positions;
};

void check_index(const Tensor& index, const Tensor& x, const char* op) {
  check_defined(index, op);
  ACCEL_CHECK(index.dtype() == kInt64, op, ": expected an int64 index tensor, got ", name(index.dtype()));
  ACCEL_CHECK(index.device() == x.device(), op, ": expected the index on ", x.device(), " like the input, got ",
              index.device());
}

// index_select and index_add also take int32 indices, as in PyTorch (gather and scatter don't).
Tensor int64_index(const Tensor& index, const char* op) {
  check_defined(index, op);
  ACCEL_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32, op, ": expected an int64 or int32 index tensor, got ",
              name(index.dtype()));
  return index.to(kInt64);
}

void check_range(const Tensor& index, int64_t size, int64_t dim, const char* op) {
  if (index.numel() == 0) return;
  const int64_t lo = index.min().item<int64_t>(), hi = index.max().item<int64_t>();
  ACCEL_CHECK(lo >= 0 && hi < size, op, ": index ", lo < 0 ? lo : hi, " is out of bounds for dimension ", dim,
              " with size ", size);
}

void check_source(const Tensor& self, const Tensor& src, const char* op) {
  check_defined(src, op);
  ACCEL_CHECK(src.dtype() == self.dtype(), op, ": expected self and source of one dtype, got ", name(self.dtype()),
              " and ", name(src.dtype()));
  ACCEL_CHECK(src.device() == self.device(), op, ": expected self and source on one device, got ", self.device(),
              " and ", src.device());
}

const Tensor& scatter_into(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate,
                           const char* op) {
  check_defined(self, op);
  check_index(index, self, op);
  check_source(self, src, op);
  const Tensor out = as_1d(self), idx = as_1d(index), source = as_1d(src);
  const int64_t d = wrap_dim(dim, self.dim(), op);
  ACCEL_CHECK(idx.dim() == out.dim() && source.dim() == out.dim(), op,
              ": index, self and src must have the same number of dims, got shapes ", index.sizes(), ", ",
              self.sizes(), " and ", src.sizes());
  for (int64_t k = 0; k < out.dim(); ++k)
    ACCEL_CHECK(idx.size(k) <= source.size(k) && (k == d || idx.size(k) <= out.size(k)), op, ": index of shape ",
                index.sizes(), " is larger than src (", src.sizes(), ") or self (", self.sizes(), ") in dim ", k);
  check_range(idx, out.size(d), d, op);
  ops::check_writable(self, op);
  backend(self.device()).scatter(out, d, idx, source, accumulate);
  self.bump_version();
  if (autograd::should_record(self, src)) {
    auto node = autograd::make_node<ScatterBackward>({&self, &src}, d, accumulate);
    node->src_sizes = src.sizes();
    if (!accumulate || autograd::requires_grad(src)) node->index = SavedTensor(idx);
    autograd::rebase_history(self, *node);
  }
  return self;
}

Tensor scalar_source(const Tensor& self, const Tensor& index, Scalar value, const char* op) {
  check_defined(self, op);
  check_defined(index, op);
  return ops::scalar_tensor(value, self.dtype(), self.device()).expand(index.sizes());
}

}  // namespace

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index_) {
  check_defined(x, "index_select");
  const Tensor index = int64_index(index_, "index_select");
  check_index(index, x, "index_select");
  ACCEL_CHECK(index.dim() <= 1, "index_select: index must be 0-dim or 1-D, got shape ", index.sizes());
  ACCEL_CHECK(x.dim() > 0 || index.numel() == 1, "index_select: a 0-dim input takes one index, got ", index.numel());
  const int64_t d = wrap_dim(dim, x.dim(), "index_select");
  const Tensor input = as_1d(x);
  check_range(index, input.size(d), d, "index_select");
  DimVector shape(input.sizes());
  shape[d] = index.numel();
  Tensor out = empty(shape, {.dtype = x.dtype(), .device = x.device()});
  backend(x.device()).index_select(out, input, d, index);
  if (x.dim() == 0) out = out.view({});
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<IndexSelectBackward>({&x});
    node->dim = d;
    node->sizes = x.sizes();
    node->index = SavedTensor(index.reshape({-1}));
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  check_defined(x, "gather");
  check_index(index, x, "gather");
  const Tensor input = as_1d(x), idx = as_1d(index);
  const int64_t d = wrap_dim(dim, x.dim(), "gather");
  ACCEL_CHECK(idx.dim() == input.dim(), "gather: index and input must have the same number of dims, got shapes ",
              index.sizes(), " and ", x.sizes());
  for (int64_t k = 0; k < input.dim(); ++k)
    ACCEL_CHECK(k == d || idx.size(k) <= input.size(k), "gather: index of shape ", index.sizes(),
                " is larger than the input (", x.sizes(), ") in dim ", k);
  check_range(idx, input.size(d), d, "gather");
  Tensor out = empty(index.sizes(), {.dtype = x.dtype(), .device = x.device()});
  backend(x.device()).gather(as_1d(out), input, d, idx);
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<GatherBackward>({&x});
    node->dim = d;
    node->sizes = x.sizes();
    node->index = SavedTensor(idx);
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_defined(x, "scatter");
  return x.clone().scatter_(dim, index, src);
}
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, Scalar value) {
  check_defined(x, "scatter");
  return x.clone().scatter_(dim, index, value);
}
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  check_defined(x, "scatter_add");
  return x.clone().scatter_add_(dim, index, src);
}

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) {
  check_defined(x, "index_add");
  return x.clone().index_add_(dim, index, source, alpha);
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  check_defined(x, "masked_select");
  check_defined(mask, "masked_select");
  ACCEL_CHECK(mask.dtype() == kBool, "masked_select: expected a bool mask, got ", name(mask.dtype()));
  ACCEL_CHECK(mask.device() == x.device(), "masked_select: expected the mask on ", x.device(), ", got ", mask.device());
  const DimVector shape = broadcast_shapes(x.sizes(), mask.sizes(), "masked_select");
  const Tensor positions = nonzero(mask.expand(shape).reshape({-1})).view({-1});
  Tensor out = empty({positions.numel()}, {.dtype = x.dtype(), .device = x.device()});
  backend(x.device()).index_select(out, autograd::alias_without_history(x).expand(shape).reshape({-1}), 0, positions);
  if (autograd::should_record(x)) {
    auto node = autograd::make_node<MaskedSelectBackward>({&x});
    node->shape = shape;
    node->positions = positions;
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor nonzero(const Tensor& x) {
  check_defined(x, "nonzero");
  return backend(x.device()).nonzero(x);
}

Tensor one_hot(const Tensor& indices, int64_t num_classes) {
  check_defined(indices, "one_hot");
  ACCEL_CHECK(indices.dtype() == kInt64, "one_hot: expected an int64 index tensor, got ", name(indices.dtype()));
  ACCEL_CHECK(num_classes >= -1, "one_hot: num_classes must be -1 or non-negative, got ", num_classes);
  if (num_classes == -1) {
    ACCEL_CHECK(indices.numel() != 0, "one_hot: cannot infer the number of classes from an empty tensor");
    num_classes = indices.max().item<int64_t>() + 1;
  }
  if (indices.numel() != 0) {
    const int64_t lo = indices.min().item<int64_t>(), hi = indices.max().item<int64_t>();
    ACCEL_CHECK(lo >= 0, "one_hot: class values must be non-negative, got ", lo);
    ACCEL_CHECK(hi < num_classes, "one_hot: class value ", hi, " is not smaller than num_classes (", num_classes, ")");
  }
  DimVector shape(indices.sizes());
  shape.push_back(num_classes);
  Tensor out = zeros(shape, {.dtype = kInt64, .device = indices.device()});
  const Tensor index = indices.unsqueeze(-1);
  backend(indices.device()).scatter(out, out.dim() - 1, index, scalar_source(out, index, 1, "one_hot"), false);
  return out;
}

// ---- Tensor methods ----
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return accel::index_select(*this, dim, index); }
Tensor Tensor::gather(int64_t dim, const Tensor& index) const { return accel::gather(*this, dim, index); }
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return accel::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter(int64_t dim, const Tensor& index, Scalar value) const {
  return accel::scatter(*this, dim, index, value);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return accel::scatter_add(*this, dim, index, src);
}
Tensor Tensor::index_add(int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) const {
  return accel::index_add(*this, dim, index, source, alpha);
}
Tensor Tensor::masked_select(const Tensor& mask) const { return accel::masked_select(*this, mask); }
Tensor Tensor::nonzero() const { return accel::nonzero(*this); }

const Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_into(*this, dim, index, src, false, "scatter_");
}
const Tensor& Tensor::scatter_(int64_t dim, const Tensor& index, Scalar value) const {
  return scatter_into(*this, dim, index, scalar_source(*this, index, value, "scatter_"), false, "scatter_");
}
const Tensor& Tensor::scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const {
  return scatter_into(*this, dim, index, src, true, "scatter_add_");
}

const Tensor& Tensor::index_add_(int64_t dim, const Tensor& index_, const Tensor& source, Scalar alpha) const {
  check_defined(*this, "index_add_");
  const Tensor index = int64_index(index_, "index_add_");
  check_index(index, *this, "index_add_");
  check_source(*this, source, "index_add_");
  ACCEL_CHECK(index.dim() <= 1, "index_add_: index must be 0-dim or 1-D, got shape ", index.sizes());
  ACCEL_CHECK(is_floating_point() || !alpha.is_floating_point(),
              "index_add_: for integral tensors, alpha must not be a floating point number");
  const Tensor out = as_1d(*this), src = as_1d(source);
  const int64_t d = wrap_dim(dim, this->dim(), "index_add_");
  ACCEL_CHECK(src.dim() == out.dim(), "index_add_: source and self must have the same number of dims, got shapes ",
              source.sizes(), " and ", sizes());
  ACCEL_CHECK(index.numel() == src.size(d), "index_add_: the number of indices (", index.numel(),
              ") must equal source.size(", d, ") (", src.size(d), ")");
  for (int64_t k = 0; k < out.dim(); ++k)
    ACCEL_CHECK(k == d || src.size(k) == out.size(k), "index_add_: source of shape ", source.sizes(),
                " must match self (", sizes(), ") except in dim ", d);
  check_range(index, out.size(d), d, "index_add_");
  ops::check_writable(*this, "index_add_");
  backend(device()).index_add(out, d, index, src, alpha);
  bump_version();
  if (autograd::should_record(*this, source)) {
    auto node = autograd::make_node<IndexAddBackward>({this, &source}, d, alpha);
    if (autograd::requires_grad(source)) {
      node->source_sizes = source.sizes();
      node->index = SavedTensor(index.reshape({-1}));
    }
    autograd::rebase_history(*this, *node);
  }
  return *this;
}

}  // namespace accel
