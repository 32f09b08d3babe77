#include <accel/autograd/view_inplace.h>

#include <accel/autograd/meta.h>
#include <accel/tensor/factories.h>

namespace accel::autograd {
namespace {

// Sizes, strides and offset of a tensor inside its storage.
struct Geometry {
  DimVector sizes, strides;
  int64_t offset;
  explicit Geometry(const TensorImpl& t)
      : sizes(t.sizes()), strides(t.strides()), offset(t.storage_offset()) {}
  // Elements from the first to one past the last (strides are non-negative for a base).
  int64_t extent() const {
    int64_t e = 1;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 0) return 0;
      e += (sizes[d] - 1) * strides[d];
    }
    return e;
  }
};

// A zeroed buffer laid out like the base, so that base and view geometries index into it.
Tensor zeros_like_storage(const Geometry& base, const Tensor& like) {
  return zeros({base.extent()}, {.dtype = like.dtype(), .device = like.device()});
}

Tensor in_buffer(const Tensor& buffer, const Geometry& g, const Geometry& base) {
  return buffer.as_strided(g.sizes, g.strides, g.offset - base.offset);
}

// grad(base) with the view's region replaced by fn's gradient for the view's old value.
class CopySlices final : public Node {
 public:
  CopySlices(Geometry base, Geometry view, IntrusivePtr<Node> fn)
      : base_(std::move(base)), view_(std::move(view)), fn_(std::move(fn)) {}
  const char* name() const override { return "CopySlices"; }
  bool supports_double_backward() const override { return false; }
  void release_saved() override { fn_->release_saved(); }

  TensorList apply(TensorList&& grads) override {
    NoGradGuard no_grad;
    const Tensor buffer = zeros_like_storage(base_, grads[0]);
    const Tensor result = in_buffer(buffer, base_, base_);
    result.copy_(grads[0]);
    const Tensor slice = in_buffer(buffer, view_, base_);
    TensorList fn_grads = fn_->apply({slice.clone()});
    if (fn_grads[0].defined()) slice.copy_(fn_grads[0]);
    else slice.zero_();
    fn_grads[0] = result;
    return fn_grads;
  }

 private:
  Geometry base_, view_;
  IntrusivePtr<Node> fn_;
};

// The view's gradient placed into a zero gradient for the base.
class ViewOfBaseBackward final : public Node {
 public:
  ViewOfBaseBackward(Geometry base, Geometry view) : base_(std::move(base)), view_(std::move(view)) {}
  const char* name() const override { return "AsStridedBackward"; }
  bool supports_double_backward() const override { return false; }

  TensorList apply(TensorList&& grads) override {
    NoGradGuard no_grad;
    const Tensor buffer = zeros_like_storage(base_, grads[0]);
    in_buffer(buffer, view_, base_).copy_(grads[0]);
    return {in_buffer(buffer, base_, base_)};
  }

 private:
  Geometry base_, view_;
};

}  // namespace

void rebase_view_history(const Tensor& self, Node& fn) {
  const Tensor base(IntrusivePtr<TensorImpl>::reclaim_copy(self.impl()->view_base()));
  Geometry base_geometry(*base.impl()), view_geometry(*self.impl());

  auto copy_slices = IntrusivePtr<CopySlices>::make(base_geometry, view_geometry,
                                                    IntrusivePtr<Node>::reclaim_copy(&fn));
  auto& edges = copy_slices->mutable_next_edges();
  edges = fn.next_edges();
  edges[0] = gradient_edge(base);
  fn.add_output(self);
  Meta& base_meta = ensure_meta(base);
  base_meta.grad_fn = copy_slices;
  base_meta.output_nr = copy_slices->add_output(base);
  base.impl()->set_requires_grad(true);

  auto view_fn = make_node<ViewOfBaseBackward>({&base}, base_geometry, view_geometry);
  set_history(self, *view_fn);
}

}  // namespace accel::autograd
