// Matrix products. Everything lands in the backend's batched GEMM (out [B, M, N] = a @ b), with
// transposed and broadcast operands passed as strided views rather than copies.
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

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

// out [B, M, N] = alpha * a @ b + beta * out.
void gemm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha = 1, double beta = 0) {
  backend(out.device()).gemm(out, a, b, alpha, beta);
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_matmul_operands("mm", a, b);
  ACCEL_CHECK(a.dim() == 2 && b.dim() == 2, "mm: expected 2-D tensors, got shapes ", a.sizes(), " and ", b.sizes());
  ACCEL_CHECK(a.size(1) == b.size(0), "mm: mat1 and mat2 shapes cannot be multiplied (", a.size(0), "x", a.size(1),
              " and ", b.size(0), "x", b.size(1), ")");
  Tensor out = empty({a.size(0), b.size(1)}, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out.unsqueeze(0), a.unsqueeze(0), b.unsqueeze(0));
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_matmul_operands("bmm", a, b);
  ACCEL_CHECK(a.dim() == 3 && b.dim() == 3, "bmm: expected 3-D tensors, got shapes ", a.sizes(), " and ", b.sizes());
  ACCEL_CHECK(a.size(0) == b.size(0) && a.size(2) == b.size(1), "bmm: shapes ", a.sizes(), " and ", b.sizes(),
              " cannot be multiplied");
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out, a, b);
  return out;
}

Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  check_matmul_operands("addmm", a, b);
  ops::check_defined(bias, "addmm");
  ACCEL_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(0), "addmm: shapes ", a.sizes(), " and ", b.sizes(),
              " cannot be multiplied");
  Tensor out = empty({a.size(0), b.size(1)}, {.dtype = a.dtype(), .device = a.device()});
  const bool use_bias = beta.to_double() != 0;
  if (use_bias) out.copy_(ops::broadcast_to(bias, out.sizes()));
  gemm_into(out.unsqueeze(0), a.unsqueeze(0), b.unsqueeze(0), alpha.to_double(), use_bias ? beta.to_double() : 0);
  return out;
}

Tensor baddbmm(const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  check_matmul_operands("baddbmm", a, b);
  ops::check_defined(bias, "baddbmm");
  ACCEL_CHECK(a.dim() == 3 && b.dim() == 3 && a.size(0) == b.size(0) && a.size(2) == b.size(1), "baddbmm: shapes ",
              a.sizes(), " and ", b.sizes(), " cannot be multiplied");
  Tensor out = empty({a.size(0), a.size(1), b.size(2)}, {.dtype = a.dtype(), .device = a.device()});
  const bool use_bias = beta.to_double() != 0;
  if (use_bias) out.copy_(ops::broadcast_to(bias, out.sizes()));
  gemm_into(out, a, b, alpha.to_double(), use_bias ? beta.to_double() : 0);
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  check_matmul_operands("dot", a, b);
  ACCEL_CHECK(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0), "dot: expected 1-D tensors of the same size, got ",
              a.sizes(), " and ", b.sizes());
  Tensor out = empty({}, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out.view({1, 1, 1}), a.view({1, 1, -1}), b.view({1, -1, 1}));
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
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = empty(out_shape, {.dtype = a.dtype(), .device = a.device()});
  gemm_into(out.view({batch_size, m, n}), as_batched(lhs.expand(lhs_shape), batch_size),
            as_batched(rhs.expand(rhs_shape), batch_size));
  if (a.dim() == 1) out = out.squeeze(-2);
  if (b.dim() == 1) out = out.squeeze(-1);
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_matmul_operands("linear", x, weight);
  ACCEL_CHECK(weight.dim() == 2, "linear: expected a 2-D weight [out_features, in_features], got shape ", weight.sizes());
  ACCEL_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input shape ", x.sizes(),
              " does not match weight shape ", weight.sizes(), " (in_features ", weight.size(1), ")");
  const int64_t out_features = weight.size(0);
  const Tensor rows = x.reshape({-1, weight.size(1)});
  Tensor out = empty({rows.size(0), out_features}, {.dtype = x.dtype(), .device = x.device()});
  if (bias.defined()) {
    ACCEL_CHECK(bias.dim() == 1 && bias.size(0) == out_features, "linear: bias shape ", bias.sizes(),
                " does not match out_features ", out_features);
    out.copy_(ops::broadcast_to(bias, out.sizes()));
  }
  gemm_into(out.unsqueeze(0), rows.unsqueeze(0), weight.t().unsqueeze(0), 1, bias.defined() ? 1 : 0);
  DimVector shape(x.sizes());
  shape.back() = out_features;
  return out.view(shape);
}

Tensor Tensor::matmul(const Tensor& other) const { return accel::matmul(*this, other); }
Tensor Tensor::mm(const Tensor& other) const { return accel::mm(*this, other); }
Tensor Tensor::bmm(const Tensor& other) const { return accel::bmm(*this, other); }
Tensor Tensor::dot(const Tensor& other) const { return accel::dot(*this, other); }
Tensor Tensor::outer(const Tensor& other) const { return accel::outer(*this, other); }

}  // namespace accel
