#include <accel/nn/attention.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <vector>

#include <accel/nn/init.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::nn {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr const char* kOp = "MultiheadAttention";

// PyTorch's masks as one additive mask: bool true (not allowed) -> -inf, floating masks as given.
Tensor additive(const Tensor& mask, DType dtype, const char* what) {
  if (mask.dtype() == kBool)
    return zeros(mask.sizes(), {.dtype = dtype, .device = mask.device()}).masked_fill(mask, kNegInf);
  ACCEL_CHECK(mask.is_floating_point(), kOp, ": ", what, " must be bool or floating, got ", name(mask.dtype()));
  return mask.to(dtype);
}

// key_padding_mask, attn_mask and (when asked and no attn_mask is given) the causal mask, merged
// into one additive mask that broadcasts to the scores [N, H, L, S]; undefined when none applies.
Tensor merged_mask(const MultiheadAttentionForwardOptions& o, int64_t N, int64_t H, int64_t L, int64_t S, bool batched,
                   DType dtype, Device device) {
  Tensor mask;
  if (o.attn_mask.defined()) {
    const Tensor& m = o.attn_mask;
    const bool per_head = m.dim() == 3 && m.size(0) == N * H;
    ACCEL_CHECK((m.dim() == 2 || per_head) && m.size(-2) == L && m.size(-1) == S, kOp, ": attn_mask must be [", L, ", ",
                S, "] or [", N * H, ", ", L, ", ", S, "] (batch * num_heads, target, source), got shape ", m.sizes());
    mask = additive(m, dtype, "attn_mask");
    mask = per_head ? mask.view({N, H, L, S}) : mask.view({1, 1, L, S});
  } else if (o.is_causal) {
    const Tensor future = arange(S, {.device = device}).unsqueeze(0) > arange(L, {.device = device}).unsqueeze(1);
    mask = additive(future, dtype, "causal mask").view({1, 1, L, S});
  }
  if (o.key_padding_mask.defined()) {
    const Tensor& m = o.key_padding_mask;
    ACCEL_CHECK(batched ? (m.dim() == 2 && m.size(0) == N && m.size(1) == S) : (m.dim() == 1 && m.size(0) == S), kOp,
                ": key_padding_mask must be [", batched ? std::to_string(N) + ", " : "", S,
                "] (batch, source), got shape ", m.sizes());
    const Tensor padding = additive(m, dtype, "key_padding_mask").view({N, 1, 1, S});
    mask = mask.defined() ? mask + padding : padding;
  }
  return mask;
}

// softmax over the keys; a query that may see no key gets zero weights (as the fused attention
// does) rather than PyTorch's NaN.
Tensor attention_weights(Tensor scores, const Tensor& mask) {
  if (!mask.defined()) return softmax(scores, -1);
  scores = scores + mask;
  const Tensor empty_rows = (scores == kNegInf).all({-1}, true);
  return softmax(scores.masked_fill(empty_rows, 0), -1).masked_fill(empty_rows, 0);
}

}  // namespace

MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads, const MultiheadAttentionOptions& options)
    : embed_dim(embed_dim), num_heads(num_heads), options(options) {
  reset();
}

void MultiheadAttention::reset() {
  ACCEL_CHECK(embed_dim > 0 && num_heads > 0 && embed_dim % num_heads == 0, kOp, ": embed_dim (", embed_dim,
              ") must be a positive multiple of num_heads (", num_heads, ")");
  ACCEL_CHECK(options.dropout >= 0 && options.dropout <= 1, kOp, ": dropout must be in [0, 1], got ", options.dropout);
  in_proj_weight = register_parameter("in_proj_weight", empty({3 * embed_dim, embed_dim}));
  in_proj_bias = register_parameter("in_proj_bias", options.bias ? empty({3 * embed_dim}) : Tensor());
  out_proj = register_module("out_proj", Linear(embed_dim, embed_dim, {.bias = options.bias}));
  // PyTorch's _reset_parameters: out_proj.weight keeps Linear's init.
  init::xavier_uniform_(in_proj_weight);
  if (options.bias) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
}

std::tuple<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                       const MultiheadAttentionForwardOptions& o) {
  ACCEL_CHECK(query.defined() && key.defined() && value.defined(), kOp, ": query, key and value must be defined");
  const bool batched = query.dim() == 3;
  ACCEL_CHECK((batched || query.dim() == 2) && key.dim() == query.dim() && value.dim() == query.dim(), kOp,
              ": query, key and value must all be 3-D (batched) or 2-D (unbatched), got shapes ", query.sizes(), ", ",
              key.sizes(), " and ", value.sizes());
  // Computed batch-major: [N, L, E].
  auto batch_major = [&](const Tensor& t) {
    return !batched ? t.unsqueeze(0) : options.batch_first ? t : t.transpose(0, 1);
  };
  const Tensor q = batch_major(query), k = batch_major(key), v = batch_major(value);
  const int64_t N = q.size(0), L = q.size(1), S = k.size(1), E = embed_dim, H = num_heads, D = E / H;
  ACCEL_CHECK(q.size(2) == E && k.size(2) == E && v.size(2) == E, kOp, ": expected embed_dim ", E,
              " as the last dim of query, key and value, got shapes ", query.sizes(), ", ", key.sizes(), " and ",
              value.sizes());
  ACCEL_CHECK(k.size(0) == N && v.size(0) == N && v.size(1) == S, kOp,
              ": query, key and value must agree in batch size and key and value in length, got shapes ", query.sizes(),
              ", ", key.sizes(), " and ", value.sizes());

  // Self-attention projects once with the stacked weight; otherwise each input with its slice.
  std::vector<Tensor> projected;
  if (query.is_same(key) && key.is_same(value)) {
    projected = linear(q, in_proj_weight, in_proj_bias).chunk(3, -1);
  } else {
    const std::vector<Tensor> w = in_proj_weight.chunk(3, 0);
    const std::vector<Tensor> b = in_proj_bias.defined() ? in_proj_bias.chunk(3, 0) : std::vector<Tensor>(3);
    projected = {linear(q, w[0], b[0]), linear(k, w[1], b[1]), linear(v, w[2], b[2])};
  }
  auto split_heads = [&](const Tensor& t) { return t.reshape({N, -1, H, D}).transpose(1, 2); };  // [N, H, *, D]
  const Tensor qh = split_heads(projected[0]), kh = split_heads(projected[1]), vh = split_heads(projected[2]);

  const Tensor mask = merged_mask(o, N, H, L, S, batched, q.dtype(), q.device());
  const double dropout_p = is_training() ? options.dropout : 0.0;
  Tensor out, weights;
  if (o.need_weights) {
    weights = attention_weights(matmul(qh * (1.0 / std::sqrt(static_cast<double>(D))), kh.mT()), mask);
    if (dropout_p > 0) weights = dropout(weights, dropout_p, true);
    out = matmul(weights, vh);
    if (o.average_attn_weights) weights = weights.mean({1});
    if (!batched) weights = weights.squeeze(0);
  } else {
    out = scaled_dot_product_attention(qh, kh, vh, mask, dropout_p);
  }
  out = out_proj->forward(out.transpose(1, 2).reshape({N, L, E}));
  out = !batched ? out.squeeze(0) : options.batch_first ? out : out.transpose(0, 1);
  return {out, weights};
}

}  // namespace accel::nn
