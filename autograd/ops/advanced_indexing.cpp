// t.index({...}) and t.index_put_({...}, v) with PyTorch's semantics. Integers, slices, None and
// Ellipsis become a view; tensor indices (int64, or bool masks turned into coordinates) are then
// broadcast together and applied as one gather (or scatter) over the flattened indexed dims.
#include <numeric>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>
#include <accel/tensor/indexing.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::TensorList;

struct Indexed {
  Tensor view;                      // x after the basic (view) indices
  std::vector<int64_t> dims;        // dims of `view` indexed by tensors, ascending
  std::vector<Tensor> indices;      // one int64 tensor per entry of dims
};

int64_t dims_consumed(const TensorIndex& index) {
  switch (index.kind()) {
    case TensorIndex::Kind::None: case TensorIndex::Kind::Ellipsis: case TensorIndex::Kind::Boolean: return 0;
    case TensorIndex::Kind::Tensor:
      return (index.tensor().dtype() == kBool || index.tensor().dtype() == kUInt8) ? index.tensor().dim() : 1;
    default: return 1;
  }
}

Indexed apply_basic(const Tensor& x, const std::vector<TensorIndex>& indices) {
  int64_t specified = 0;
  bool ellipsis = false;
  for (const TensorIndex& index : indices) {
    specified += dims_consumed(index);
    if (index.kind() == TensorIndex::Kind::Ellipsis) {
      ACCEL_CHECK(!ellipsis, "index: an index can only have a single ellipsis");
      ellipsis = true;
    }
  }
  ACCEL_CHECK(specified <= x.dim(), "index: too many indices for tensor of dimension ", x.dim(), " (got ", specified,
              ")");
  Indexed r{x, {}, {}};
  int64_t d = 0;  // current dim of r.view
  for (const TensorIndex& index : indices) {
    switch (index.kind()) {
      case TensorIndex::Kind::None: r.view = r.view.unsqueeze(d++); break;
      case TensorIndex::Kind::Ellipsis: d += x.dim() - specified; break;
      case TensorIndex::Kind::Integer: r.view = r.view.select(d, index.integer()); break;
      case TensorIndex::Kind::Boolean:
        r.view = r.view.unsqueeze(d);
        if (!index.boolean()) r.view = r.view.narrow(d, 0, 0);
        ++d;
        break;
      case TensorIndex::Kind::Slice: {
        const auto& s = index.slice();
        r.view = r.view.slice(d++, s.start, s.stop, s.step.value_or(1));
        break;
      }
      case TensorIndex::Kind::Tensor: {
        const Tensor& t = index.tensor();
        ACCEL_CHECK(t.defined(), "index: got an undefined index tensor");
        if (t.dtype() == kBool || t.dtype() == kUInt8) {
          for (int64_t k = 0; k < t.dim(); ++k)
            ACCEL_CHECK(t.size(k) == r.view.size(d + k), "index: the shape of the mask ", t.sizes(), " at index ", k,
                        " does not match the shape of the indexed tensor ", r.view.sizes(), " at index ", d + k);
          const Tensor coords = nonzero(t.to(r.view.device()));
          for (int64_t k = 0; k < t.dim(); ++k) {
            r.dims.push_back(d + k);
            r.indices.push_back(coords.select(1, k));
          }
          d += t.dim();
        } else {
          ACCEL_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, "index: tensors used as indices must be long, int, byte or bool, got ",
                      name(t.dtype()));
          r.dims.push_back(d++);
          r.indices.push_back(t);
        }
        break;
      }
    }
  }
  return r;
}

struct Plan {
  Tensor flat_index;   // [numel(broadcast)] int64 positions in the flattened indexed dims
  DimVector broadcast; // shape of the broadcast index tensors
  Tensor permuted;     // view with indexed dims first
  DimVector rest;      // sizes of the other dims, in order
  int64_t insert_at;   // where the broadcast dims go in the result
};

Plan plan(const Indexed& r) {
  const Tensor& v = r.view;
  Plan p;
  for (const Tensor& t : r.indices) p.broadcast = broadcast_shapes(p.broadcast, t.sizes(), "index");
  // Linear position over the indexed dims (row-major in their order), with bounds checks.
  Tensor flat = zeros(p.broadcast, {.dtype = kInt64, .device = v.device()});
  for (size_t j = 0; j < r.dims.size(); ++j) {
    const int64_t size = v.size(r.dims[j]);
    Tensor idx = r.indices[j].to(v.device(), kInt64);
    if (idx.numel() > 0) {
      const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
      ACCEL_CHECK(lo >= -size && hi < size, "index: index ", lo < -size ? lo : hi, " is out of bounds for dimension ",
                  r.dims[j], " with size ", size);
      idx = where(idx < 0, idx + size, idx);
    }
    flat = flat * size + idx;
  }
  p.flat_index = flat.reshape({-1});
  std::vector<int64_t> order(r.dims.begin(), r.dims.end());
  for (int64_t d = 0; d < v.dim(); ++d)
    if (std::find(r.dims.begin(), r.dims.end(), d) == r.dims.end()) {
      order.push_back(d);
      p.rest.push_back(v.size(d));
    }
  p.permuted = v.permute(order);
  const bool adjacent = r.dims.back() - r.dims.front() + 1 == static_cast<int64_t>(r.dims.size());
  p.insert_at = adjacent ? r.dims.front() : 0;
  return p;
}

// [n, rest...] laid out as the result: broadcast dims at insert_at.
Tensor to_result_layout(const Tensor& gathered, const Plan& p) {
  DimVector shape(p.broadcast);
  for (int64_t s : p.rest) shape.push_back(s);
  Tensor out = gathered.view(shape);
  if (p.insert_at == 0) return out;
  const int64_t nb = static_cast<int64_t>(p.broadcast.size());
  std::vector<int64_t> order;
  for (int64_t k = 0; k < p.insert_at; ++k) order.push_back(nb + k);
  for (int64_t k = 0; k < nb; ++k) order.push_back(k);
  for (int64_t k = nb + p.insert_at; k < out.dim(); ++k) order.push_back(k);
  return out.permute(order);
}

DimVector folded_shape(const Plan& p, int64_t indexed_numel) {
  DimVector shape{indexed_numel};
  for (int64_t s : p.rest) shape.push_back(s);
  return shape;
}

int64_t indexed_numel(const Indexed& r) {
  int64_t n = 1;
  for (int64_t d : r.dims) n *= r.view.size(d);
  return n;
}

// Values get the gradient at the indexed positions (summed back to their shape by the engine);
// self's gradient passes through, except at positions the values overwrote.
struct IndexPutBackward final : Node {
  IndexPutBackward(std::vector<TensorIndex> indices, bool accumulate)
      : indices(std::move(indices)), accumulate(accumulate) {}
  const char* name() const override { return accumulate ? "IndexPutAccumulateBackward" : "IndexPutBackward"; }
  TensorList apply(TensorList&& g) override {
    Tensor self_grad;
    if (needs_input_grad(0)) self_grad = accumulate ? g[0] : g[0].clone().index_put_(indices, 0);
    return {self_grad, needs_input_grad(1) ? g[0].index(indices) : Tensor()};
  }
  std::vector<TensorIndex> indices;
  bool accumulate;
};

// Writes (or, accumulating, adds) value at self's indexed positions.
const Tensor& index_put(const Tensor& self, const std::vector<TensorIndex>& indices, const Tensor& value,
                        bool accumulate) {
  ops::check_defined(self, "index_put_");
  ops::check_defined(value, "index_put_");
  const Indexed r = apply_basic(self, indices);
  if (r.dims.empty()) {  // a view: the in-place op on it records its own gradient
    if (accumulate) r.view.add_(value);
    else r.view.copy_(value);
    return self;
  }
  const Plan p = plan(r);
  ops::check_writable(self, "index_put_");
  {
    NoGradGuard no_grad;
    // Bring value to [n, rest...]: broadcast it to the result layout, then undo the layout's permute.
    DimVector result_shape;
    for (int64_t k = 0; k < p.insert_at; ++k) result_shape.push_back(p.rest[k]);
    for (int64_t s : p.broadcast) result_shape.push_back(s);
    for (size_t k = static_cast<size_t>(p.insert_at); k < p.rest.size(); ++k) result_shape.push_back(p.rest[k]);
    const Tensor expanded = value.to(self.device(), self.dtype()).expand(result_shape);
    const int64_t nb = static_cast<int64_t>(p.broadcast.size());
    std::vector<int64_t> back;
    for (int64_t k = 0; k < nb; ++k) back.push_back(p.insert_at + k);
    for (int64_t k = 0; k < expanded.dim(); ++k)
      if (k < p.insert_at || k >= p.insert_at + nb) back.push_back(k);
    const Tensor src = expanded.permute(back).reshape(folded_shape(p, p.flat_index.numel())).contiguous();
    // Scatter rows of src into the folded destination (through a copy when folding needs one).
    const DimVector folded = folded_shape(p, indexed_numel(r));
    const bool foldable = p.permuted.is_contiguous();
    Tensor destination = foldable ? p.permuted.view(folded) : p.permuted.contiguous().view(folded);
    DimVector index_shape(src.sizes());
    DimVector unit(static_cast<size_t>(src.dim()), 1);
    unit[0] = src.size(0);
    const Tensor index = p.flat_index.view(unit).expand(index_shape).contiguous();
    backend(self.device()).scatter(destination, 0, index, src, accumulate);
    if (!foldable) p.permuted.copy_(destination.view(p.permuted.sizes()));
  }
  self.bump_version();
  if (autograd::should_record(self, value)) {
    auto node = autograd::make_node<IndexPutBackward>({&self, &value}, indices, accumulate);
    autograd::rebase_history(self, *node);
  }
  return self;
}

}  // namespace

Tensor Tensor::index(std::initializer_list<TensorIndex> indices) const {
  return index(std::vector<TensorIndex>(indices));
}

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  ops::check_defined(*this, "index");
  const Indexed r = apply_basic(*this, indices);
  if (r.dims.empty()) return r.view;
  const Plan p = plan(r);
  const Tensor source = p.permuted.reshape(folded_shape(p, indexed_numel(r)));
  return to_result_layout(accel::index_select(source, 0, p.flat_index), p).contiguous();
}

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value, bool accumulate) const {
  return index_put(*this, indices, value, accumulate);
}

const Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, Scalar value, bool accumulate) const {
  return index_put_(indices, ops::scalar_tensor(value, dtype(), device()), accumulate);
}

}  // namespace accel
