// Matrix products. Everything lands in the backend's batched GEMM (out [B, M, N] = a @ b), with
// transposed and broadcast operands passed as strided views rather than copies. The gradients are
// products of the same kind with one operand transposed (a view, so again no copy), written with
// the differentiable ops so that double backward works.
#include <functional>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel {
namespace {

using autograd::Node;
using autograd::SavedTensor;
using autograd::TensorList;

Tensor transposed(const Tensor& t) { return t.transpose(-1, -2); }

// t [..., cols] as [rows, cols], all dims but the last flattened (rows counted rather than -1: a
// dim may be 0); a 2-D t, the common case, as it is, without a view.
Tensor as_rows(const Tensor& t, int64_t cols) {
  if (t.dim() == 2) return t;
  return t.reshape({numel_of(IntArrayRef(t.sizes().data(), t.dim() - 1)), cols});
}

// Products of at most this many multiply-adds gain little from both threads: the input and weight
// gradients of a 128 -> 64 layer at batch 32 take 5.2 + 6.0 us one after the other on two threads,
// 7.7 and 8.3 us side by side on one each.
constexpr double kSideBySideMacs = 1 << 20;
// Products of fewer take a microsecond or two, little more than handing one to the other core: the
// gradients of a tiny layer (64 -> 10 at batch 32) run on the calling thread, 0.5 us sooner each.
constexpr double kSideBySideMinMacs = 1 << 16;

// Computes a node's gradients, gradient(0) ... gradient(count - 1). On the CPU, when the node's two
// products (of `macs` multiply-adds each) are both needed and small but not tiny, they run side by
// side, one per thread, rather than one after the other on both. Not with create_graph: the graph
// is built on the calling thread.
void compute_gradients(const Tensor& like, bool both_products, double macs, int64_t count,
                       const std::function<void(int64_t)>& gradient) {
  const bool side_by_side = both_products && macs >= kSideBySideMinMacs && macs <= kSideBySideMacs;
  if (like.device().is_cpu() && side_by_side && !autograd::GradMode::is_enabled()) {
    cpu::parallel_tasks(count, [&](int64_t which) {
      const NoGradGuard no_grad;  // grad mode is per thread; a worker's is on
      gradient(which);
    });
    return;
  }
  for (int64_t which = 0; which < count; ++which) gradient(which);
}

// out = beta * bias + alpha * a @ b with 2-D (mm, addmm) or 3-D (bmm, baddbmm) operands. Edges:
// bias (when there is one), a, b.
struct GemmBackward final : Node {
  GemmBackward(const char* name, bool batched, bool has_bias, Scalar beta, Scalar alpha)
      : name_(name), batched(batched), has_bias(has_bias), beta(beta), alpha(alpha) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    const size_t first = has_bias ? 1 : 0;
    TensorList grads(first + 2);
    if (has_bias && needs_input_grad(0)) grads[0] = beta.to_double() == 1 ? g[0] : g[0] * beta;
    const Tensor bt = needs_input_grad(first) ? transposed(b.unpack(this)) : Tensor();
    const Tensor at = needs_input_grad(first + 1) ? transposed(a.unpack(this)) : Tensor();
    const double macs = static_cast<double>(g[0].numel()) * static_cast<double>(bt.defined() ? bt.size(-1) : 0);
    compute_gradients(g[0], bt.defined() && at.defined(), macs, 2, [&](int64_t which) {
      if (which == 0 && bt.defined()) grads[first] = scaled(product(g[0], bt));
      if (which == 1 && at.defined()) grads[first + 1] = scaled(product(at, g[0]));
    });
    return grads;
  }
  void release_saved() override {
    a.reset();
    b.reset();
  }
  Tensor product(const Tensor& x, const Tensor& y) const { return batched ? bmm(x, y) : mm(x, y); }
  Tensor scaled(const Tensor& t) const { return alpha.to_double() == 1 ? t : t * alpha; }
  const char* name_;
  bool batched, has_bias;
  Scalar beta, alpha;
  SavedTensor a, b;  // each only when the other needs a gradient
};

// Saves the operands of a @ b that the gradients need: a for b's, b for a's.
template <typename N>
void save_operands(N& node, const Tensor& a, const Tensor& b) {
  if (autograd::requires_grad(b)) node.a = SavedTensor(a);
  if (autograd::requires_grad(a)) node.b = SavedTensor(b);
}

Tensor record_gemm(Tensor out, const char* name, bool batched, const Tensor* bias, const Tensor& a, const Tensor& b,
                   Scalar beta = 1, Scalar alpha = 1) {
  if (!autograd::should_record(a, b) && !(bias && autograd::should_record(*bias))) return out;
  auto node = bias ? autograd::make_node<GemmBackward>({bias, &a, &b}, name, batched, true, beta, alpha)
                   : autograd::make_node<GemmBackward>({&a, &b}, name, batched, false, beta, alpha);
  save_operands(*node, a, b);
  autograd::set_history(out, *node);
  return out;
}

struct DotBackward final : Node {
  const char* name() const override { return "DotBackward"; }
  TensorList apply(TensorList&& g) override {
    return {needs_input_grad(0) ? g[0] * b.unpack(this) : Tensor(), needs_input_grad(1) ? g[0] * a.unpack(this) : Tensor()};
  }
  void release_saved() override {
    a.reset();
    b.reset();
  }
  SavedTensor a, b;
};

// matmul with broadcast batch dims. The gradient is summed back over broadcast batch dims by the
// engine; 1-D operands were promoted to matrices, whose extra dim is dropped again.
struct MatmulBackward final : Node {
  MatmulBackward(bool a_vector, bool b_vector) : a_vector(a_vector), b_vector(b_vector) {}
  const char* name() const override { return "MatmulBackward"; }
  TensorList apply(TensorList&& g) override {
    Tensor grad = g[0];
    if (a_vector) grad = grad.unsqueeze(-2);
    if (b_vector) grad = grad.unsqueeze(-1);
    Tensor ga, gb;
    if (needs_input_grad(0)) {
      const Tensor rhs = b.unpack(this);
      ga = matmul(grad, transposed(b_vector ? rhs.unsqueeze(1) : rhs));
      if (a_vector) ga = ga.squeeze(-2);
    }
    if (needs_input_grad(1)) {
      const Tensor lhs = a.unpack(this);
      gb = matmul(transposed(a_vector ? lhs.unsqueeze(0) : lhs), grad);
      if (b_vector) gb = gb.squeeze(-1);
    }
    return {ga, gb};
  }
  void release_saved() override {
    a.reset();
    b.reset();
  }
  bool a_vector, b_vector;
  SavedTensor a, b;
};

// x @ weight^T + bias over x's rows (all dims but the last flattened).
struct LinearBackward final : Node {
  LinearBackward(IntArrayRef x_sizes, int64_t out_features) : x_sizes(x_sizes), out_features(out_features) {}
  const char* name() const override { return "LinearBackward"; }
  TensorList apply(TensorList&& g) override {
    const Tensor rows = as_rows(g[0], out_features);
    const Tensor w = needs_input_grad(0) ? weight.unpack(this) : Tensor();
    const Tensor x_rows = needs_input_grad(1) ? as_rows(x.unpack(this), x_sizes.back()) : Tensor();
    Tensor gx, gw, gb;
    const double macs = static_cast<double>(rows.numel()) * static_cast<double>(x_sizes.back());
    compute_gradients(rows, w.defined() && x_rows.defined(), macs, 3, [&](int64_t which) {
      if (which == 0 && w.defined()) gx = x_sizes.size() == 2 ? mm(rows, w) : mm(rows, w).reshape(x_sizes);
      if (which == 1 && x_rows.defined()) gw = mm(rows.t(), x_rows);
      if (which == 2 && needs_input_grad(2)) gb = rows.sum({0});  // the bias sum runs alongside
    });
    return {gx, gw, gb};
  }
  void release_saved() override {
    x.reset();
    weight.reset();
  }
  DimVector x_sizes;
  int64_t out_features;
  SavedTensor x, weight;
};

void check_matmul_operands(const char* op, const Tensor& a, const Tensor& b) {
  ops::check_defined(a, op);
  ops::check_defined(b, op);
  ACCEL_CHECK(a.device() == b.device(), op, ": expected both operands on the same device, got ", a.device(), " and ",
              b.device());
  ACCEL_CHECK(a.dtype() == b.dtype(), op, ": expected both operands to have the same dtype, got ", name(a.dtype()),
              " and ", name(b.dtype()));
  ACCEL_CHECK(a.dtype() != kBool && a.dtype() != kUInt8, op, ": not implemented for ", name(a.dtype()));
}

// Views a [..., R, C] operand as [B, R, C] without copying when its batch dims fold into one.
Tensor as_batched(const Tensor& t, int64_t batch) {
  return t.dim() == 3 ? t : t.reshape({batch, t.size(-2), t.size(-1)});
}

// out [B, M, N] = alpha * a @ b + beta * out (or [M, N] from 2-D operands), or + bias [N] in every
// row instead of beta * out when a bias is given (beta 0).
void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1, double beta = 0,
               const Tensor& bias = Tensor()) {
  backend(out.device()).gemm(out, a, b, alpha, beta, bias);
}

// matmul's general case: batch dims broadcast, 1-D operands promoted to matrices (forward only).
Tensor broadcast_matmul(const Tensor& a, const Tensor& b) {
  NoGradGuard no_grad;
  const Tensor lhs = a.dim() == 1 ? a.unsqueeze(0) : a;
  const Tensor rhs = b.dim() == 1 ? b.unsqueeze(1) : b;
  const int64_t m = lhs.size(-2), k = lhs.size(-1), n = rhs.size(-1);
  ACCEL_CHECK(k == rhs.size(-2), "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied");
  const DimVector batch = broadcast_shapes(IntArrayRef(lhs.sizes().data(), lhs.dim() - 2),
                                           IntArrayRef(rhs.sizes().data(), rhs.dim() - 2), "matmul");
  const int64_t batch_size = numel_of(batch);
  DimVector lhs_shape(batch), rhs_shape(batch), out_shape(batch);
  lhs_shape.push_back(m);
  lhs_shape.push_back(k);
  rhs_shape.push_back(k);
  rhs_shape.push_back(n);
  if (a.dim() != 1) out_shape.push_back(m);
  if (b.dim() != 1) out_shape.push_back(n);
  Tensor out = empty(out_shape, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out.view({batch_size, m, n}), as_batched(lhs.expand(lhs_shape), batch_size),
            as_batched(rhs.expand(rhs_shape), batch_size));
  return out;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_matmul_operands("mm", a, b);
  ACCEL_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got shapes ", a.sizes(), " and ", b.sizes());
  ACCEL_CHECK(a.size(1) == b.size(0), "mm: mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x", a.size(1),
              " and ", b.size(0), "x", b.size(1), ")");
  Tensor out = empty({a.size(0), b.size(1)}, {.dtype = a.dtype(), .device = a.device()});
  {
    NoGradGuard no_grad;
    gemm_into(out, a, b);
  }
  return record_gemm(out, "MmBackward", false, nullptr, a, b);
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_matmul_operands("bmm", a, b);
  ACCEL_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-D tensors, got shapes ", a.sizes(), " and ", b.sizes());
  ACCEL_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), "bmm: shapes ", a.sizes(), " and ", b.sizes(),
              " cannot be multiplied");
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out, a, b);
  return record_gemm(out, "BmmBackward", true, nullptr, a, b);
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  check_matmul_operands("addmm", a, b);
  ops::check_defined(bias, "addmm");
  ACCEL_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), "addmm: shapes ", a.sizes(), " and ", b.sizes(),
              " cannot be multiplied");
  Tensor out = empty({a.size(0), b.size(1)}, {.dtype = a.dtype(), .device = a.device()});
  {
    NoGradGuard no_grad;
    const bool use_bias = beta.to_double() != 0;
    if (use_bias) out.copy_(ops::broadcast_to(bias, out.sizes()));
    gemm_into(out, a, b, alpha.to_double(), use_bias ? beta.to_double() : 0);
  }
  return record_gemm(out, "AddmmBackward", false, &bias, a, b, beta, alpha);
}

Tensor baddbmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  check_matmul_operands("baddbmm", a, b);
  ops::check_defined(bias, "baddbmm");
  ACCEL_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1), "baddbmm: shapes ",
              a.sizes(), " and ", b.sizes(), " cannot be multiplied");
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, {.dtype = a.dtype(), .device = a.device()});
  {
    NoGradGuard no_grad;
    const bool use_bias = beta.to_double() != 0;
    if (use_bias) out.copy_(ops::broadcast_to(bias, out.sizes()));
    gemm_into(out, a, b, alpha.to_double(), use_bias ? beta.to_double() : 0);
  }
  return record_gemm(out, "BaddbmmBackward", true, &bias, a, b, beta, alpha);
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_matmul_operands("dot", a, b);
  ACCEL_CHECK(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0), "dot: expected 1-D tensors of the same size, got ",
              a.sizes(), " and ", b.sizes());
  Tensor out = empty({}, {.dtype = a.dtype(), .device = a.device()});
  {
    NoGradGuard no_grad;
    gemm_into(out.view({1, 1, 1}), a.view({1, 1, -1}), b.view({1, -1, 1}));
  }
  if (autograd::should_record(a, b)) {
    auto node = autograd::make_node<DotBackward>({&a, &b});
    save_operands(*node, a, b);
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor outer(const Tensor& a, const Tensor& b) {
  ops::check_defined(a, "outer");
  ops::check_defined(b, "outer");
  ACCEL_CHECK(a.dim() == 1 && b.dim() == 1, "outer: expected 1-D tensors, got ", a.sizes(), " and ", b.sizes());
  return mul(a.unsqueeze(1), b.unsqueeze(0));
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_matmul_operands("matmul", a, b);
  ACCEL_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both arguments need at least 1 dimension, got ", a.dim(), " and ",
              b.dim());
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  if (a.dim() == 2 && b.dim() == 2) return mm(a, b);
  if (a.dim() == 1 && b.dim() == 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (a.dim() == 2 && b.dim() == 1) return mm(a, b.unsqueeze(1)).squeeze(1);
  if (b.dim() <= 2 && a.dim() >= 3) {
    // Fold a's batch dims into its rows: one large GEMM instead of many small ones.
    const Tensor rhs = b.dim() == 1 ? b.unsqueeze(1) : b;
    ACCEL_CHECK(a.size(-1) == rhs.size(0), "matmul: shapes ", a.sizes(), " and ", b.sizes(), " cannot be multiplied");
    DimVector shape(a.sizes());
    Tensor out = mm(a.reshape({-1, a.size(-1)}), rhs);
    if (b.dim() == 1) shape.resize(shape.size() - 1);
    else shape.back() = rhs.size(1);
    return out.view(shape);
  }
  // General batched case: broadcast the batch dims.
  Tensor out = broadcast_matmul(a, b);
  if (autograd::should_record(a, b)) {
    auto node = autograd::make_node<MatmulBackward>({&a, &b}, a.dim() == 1, b.dim() == 1);
    save_operands(*node, a, b);
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_matmul_operands("linear", x, weight);
  ACCEL_CHECK(weight.dim() == 2, "linear: expected a 2-D weight [out_features, in_features], got shape ", weight.sizes());
  ACCEL_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input shape ", x.sizes(),
              " does not match weight shape ", weight.sizes(), " (in_features ", weight.size(1), ")");
  const int64_t out_features = weight.size(0);
  if (bias.defined()) {
    ACCEL_CHECK(bias.dim() == 1 && bias.size(0) == out_features, "linear: bias shape ", bias.sizes(),
                " does not match out_features ", out_features);
    ACCEL_CHECK(bias.device() == x.device(), "linear: expected the bias on ", x.device(), ", got ", bias.device());
  }
  DimVector shape(x.sizes());
  shape.back() = out_features;
  Tensor out = empty(shape, {.dtype = x.dtype(), .device = x.device()});
  {
    NoGradGuard no_grad;
    const Tensor contiguous_bias = bias.defined() ? bias.to(x.dtype()).contiguous() : Tensor();
    gemm_into(as_rows(out, out_features), as_rows(x, weight.size(1)), weight.t(), 1, 0, contiguous_bias);
  }
  if (autograd::should_record(x, weight, bias)) {
    auto node = autograd::make_node<LinearBackward>({&x, &weight, &bias}, x.sizes(), out_features);
    if (autograd::requires_grad(weight)) node->x = SavedTensor(x);
    if (autograd::requires_grad(x)) node->weight = SavedTensor(weight);
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor Tensor::matmul(const Tensor& other) const { return accel::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return accel::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return accel::bmm(*this, other); }
Tensor Tensor::dot(const Tensor& other) const { return accel::dot(*this, other); }
Tensor Tensor::outer(const Tensor& other) const { return accel::outer(*this, other); }

}  // namespace accel
