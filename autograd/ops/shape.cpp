// Ops that rearrange elements into a new tensor: cat, stack, repeat, flip, roll, tril/triu, pad.
#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::TensorList;

// Each input gets its slice of the gradient; skipped 1-D empty inputs get an empty gradient.
struct CatBackward final : Node {
  const char* name() const override { return "CatBackward"; }
  TensorList apply(TensorList&& g) override {
    TensorList grads(offsets.size());
    for (size_t i = 0; i < offsets.size(); ++i) {
      if (!needs_input_grad(i)) continue;
      grads[i] = offsets[i] < 0 ? zeros({0}, {.dtype = g[0].dtype(), .device = g[0].device()})
                                : g[0].narrow(dim, offsets[i], lengths[i]);
    }
    return grads;
  }
  int64_t dim = 0;
  DimVector offsets, lengths;  // per input; offset -1 for a skipped input
};

struct FlipBackward final : Node {
  explicit FlipBackward(IntArrayRef dims) : dims(dims) {}
  const char* name() const override { return "FlipBackward"; }
  TensorList apply(TensorList&& g) override { return {g[0].flip(dims)}; }
  DimVector dims;
};

struct TriangleBackward final : Node {
  TriangleBackward(int64_t diagonal, bool lower) : diagonal(diagonal), lower(lower) {}
  const char* name() const override { return lower ? "TrilBackward" : "TriuBackward"; }
  TensorList apply(TensorList&& g) override { return {lower ? g[0].tril(diagonal) : g[0].triu(diagonal)}; }
  int64_t diagonal;
  bool lower;
};

// Padding by -pads crops what was padded and zero-pads what was cropped.
struct PadBackward final : Node {
  explicit PadBackward(IntArrayRef pads) {
    for (int64_t p : pads) negated.push_back(-p);
  }
  const char* name() const override { return "PadBackward"; }
  TensorList apply(TensorList&& g) override { return {pad(g[0], negated)}; }
  DimVector negated;
};

}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  ACCEL_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  // As in PyTorch, 1-D empty tensors are skipped (legacy behaviour kept for compatibility).
  std::vector<const Tensor*> parts;
  for (const Tensor& t : tensors) {
    ops::check_defined(t, "cat");
    if (!(t.dim() == 1 && t.numel() == 0)) parts.push_back(&t);
  }
  if (parts.empty()) return tensors[0].clone();
  const Tensor& first = *parts[0];
  ACCEL_CHECK(first.dim() > 0, "cat: zero-dimensional tensor cannot be concatenated");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  DType dtype = first.dtype();
  int64_t total = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& t = *parts[i];
    ACCEL_CHECK(t.dim() == first.dim(), "cat: tensors must have the same number of dimensions: got ", first.dim(),
                " and ", t.dim(), " (tensor ", i, ")");
    ACCEL_CHECK(t.device() == first.device(), "cat: expected all tensors on ", first.device(), ", got ", t.device());
    for (int64_t k = 0; k < t.dim(); ++k)
      ACCEL_CHECK(k == d || t.size(k) == first.size(k), "cat: sizes of tensors must match except in dimension ", d,
                  ": expected size ", first.size(k), " but got size ", t.size(k), " for tensor number ", i,
                  " in the list (shapes ", first.sizes(), " and ", t.sizes(), ")");
    dtype = promote_types(dtype, t.dtype());
    total += t.size(d);
  }
  DimVector shape(first.sizes());
  shape[d] = total;
  Tensor out = empty(shape, {.dtype = dtype, .device = first.device()});
  {
    NoGradGuard no_grad;
    int64_t offset = 0;
    for (const Tensor* t : parts) {
      out.narrow(d, offset, t->size(d)).copy_(*t);
      offset += t->size(d);
    }
  }
  if (autograd::should_record(tensors)) {
    auto node = autograd::make_node<CatBackward>(tensors);
    node->dim = d;
    int64_t offset = 0;
    for (const Tensor& t : tensors) {
      const bool skipped = t.dim() == 1 && t.numel() == 0;
      node->offsets.push_back(skipped ? -1 : offset);
      node->lengths.push_back(skipped ? 0 : t.size(d));
      if (!skipped) offset += t.size(d);
    }
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  ACCEL_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  ops::check_defined(tensors[0], "stack");
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    ops::check_defined(tensors[i], "stack");
    ACCEL_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: expects each tensor to be equal size, but got ",
                tensors[0].sizes(), " at entry 0 and ", tensors[i].sizes(), " at entry ", i);
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return cat(parts, d);
}

Tensor repeat(const Tensor& x, IntArrayRef repeats) {
  ops::check_defined(x, "repeat");
  ACCEL_CHECK(static_cast<int64_t>(repeats.size()) >= x.dim(), "repeat: number of repeat dims (", repeats.size(),
              ") can not be smaller than number of dimensions of tensor (", x.dim(), ")");
  const size_t lead = repeats.size() - static_cast<size_t>(x.dim());
  // Tile by viewing x as [1, s0, 1, s1, ...], expanding to [r0, s0, r1, s1, ...] and folding pairs.
  DimVector interleaved, expanded, shape;
  for (size_t i = 0; i < repeats.size(); ++i) {
    ACCEL_CHECK(repeats[i] >= 0, "repeat: negative repeat count in ", repeats);
    const int64_t s = i < lead ? 1 : x.size(static_cast<int64_t>(i - lead));
    interleaved.push_back(1);
    interleaved.push_back(s);
    expanded.push_back(repeats[i]);
    expanded.push_back(s);
    shape.push_back(repeats[i] * s);
  }
  return x.reshape(interleaved).expand(expanded).contiguous().view(shape);
}

Tensor flip(const Tensor& x, IntArrayRef dims) {
  ops::check_defined(x, "flip");
  const uint64_t mask = ops::dims_mask(x, dims.empty() ? IntArrayRef() : dims, "flip");
  if (dims.empty()) return x.clone();
  // A view with negative strides exists only inside this op: the copy reads it backwards.
  DimVector strides(x.strides());
  int64_t offset = x.storage_offset();
  for (int64_t d = 0; d < x.dim(); ++d)
    if (mask >> d & 1 && x.size(d) > 0) {
      offset += (x.size(d) - 1) * x.stride(d);
      strides[d] = -strides[d];
    }
  const Tensor reversed(IntrusivePtr<TensorImpl>::make(x.storage(), x.dtype(), DimVector(x.sizes()), strides, offset));
  Tensor out = empty(x.sizes(), {.dtype = x.dtype(), .device = x.device()});
  backend(x.device()).copy(out, reversed);
  if (autograd::should_record(x)) autograd::set_history(out, *autograd::make_node<FlipBackward>({&x}, dims));
  return out;
}

Tensor roll(const Tensor& x, IntArrayRef shifts, IntArrayRef dims) {
  ops::check_defined(x, "roll");
  if (dims.empty()) {
    ACCEL_CHECK(shifts.size() == 1, "roll: without dims, exactly one shift is expected, got ", shifts);
    return roll(x.flatten(), shifts, {0}).view(x.sizes());
  }
  ACCEL_CHECK(shifts.size() == dims.size(), "roll: shifts ", shifts, " and dims ", dims, " must have the same length");
  Tensor out = x;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], x.dim(), "roll");
    const int64_t n = x.size(d);
    if (n == 0) continue;
    const int64_t s = ((shifts[i] % n) + n) % n;
    if (s == 0) continue;
    out = cat({out.narrow(d, n - s, s), out.narrow(d, 0, n - s)}, d);
  }
  return out.is_same(x) ? x.clone() : out;
}

namespace {
Tensor triangle(const Tensor& x, int64_t diagonal, bool lower, const char* op) {
  ops::check_defined(x, op);
  ACCEL_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions, got shape ", x.sizes());
  const Tensor rows = arange(x.size(-2), {.device = x.device()}).unsqueeze(1);
  const Tensor cols = arange(x.size(-1), {.device = x.device()}).unsqueeze(0);
  const Tensor offset = cols - rows;  // j - i
  const Tensor keep = lower ? offset.le(diagonal) : offset.ge(diagonal);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = where(keep, x, ops::scalar_tensor(0, x.dtype(), x.device()));
  }
  if (autograd::should_record(x))
    autograd::set_history(out, *autograd::make_node<TriangleBackward>({&x}, diagonal, lower));
  return out;
}
}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) { return triangle(x, diagonal, true, "tril"); }
Tensor triu(const Tensor& x, int64_t diagonal) { return triangle(x, diagonal, false, "triu"); }

Tensor pad(const Tensor& x, IntArrayRef pads, Scalar value) {
  ops::check_defined(x, "pad");
  ACCEL_CHECK(pads.size() % 2 == 0, "pad: padding length must be divisible by 2, got ", pads);
  ACCEL_CHECK(static_cast<int64_t>(pads.size() / 2) <= x.dim(), "pad: padding length ", pads.size(),
              " is too large for a tensor of ", x.dim(), " dims");
  DimVector shape(x.sizes());
  Tensor source = autograd::alias_without_history(x);  // PadBackward records the gradient
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = x.dim() - 1 - static_cast<int64_t>(i);
    const int64_t before = pads[2 * i], after = pads[2 * i + 1];
    shape[d] = x.size(d) + before + after;
    ACCEL_CHECK(shape[d] >= 0, "pad: padding ", pads, " makes dim ", d, " of shape ", x.sizes(), " negative");
    // Negative padding crops the input.
    const int64_t crop_front = std::max<int64_t>(-before, 0), crop_back = std::max<int64_t>(-after, 0);
    source = source.narrow(d, crop_front, std::max<int64_t>(x.size(d) - crop_front - crop_back, 0));
  }
  Tensor out = full(shape, value, {.dtype = x.dtype(), .device = x.device()});
  Tensor target = out;
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = x.dim() - 1 - static_cast<int64_t>(i);
    target = target.narrow(d, std::max<int64_t>(pads[2 * i], 0), source.size(d));
  }
  target.copy_(source);
  if (autograd::should_record(x)) autograd::set_history(out, *autograd::make_node<PadBackward>({&x}, pads));
  return out;
}

Tensor Tensor::repeat(IntArrayRef repeats) const { return accel::repeat(*this, repeats); }
Tensor Tensor::flip(IntArrayRef dims) const { return accel::flip(*this, dims); }
Tensor Tensor::roll(IntArrayRef shifts, IntArrayRef dims) const { return accel::roll(*this, shifts, dims); }
Tensor Tensor::tril(int64_t diagonal) const { return accel::tril(*this, diagonal); }
Tensor Tensor::triu(int64_t diagonal) const { return accel::triu(*this, diagonal); }

}  // namespace accel
