// Transformer building blocks: embedding lookup (with its own node, for padding_idx), dropout and
// scaled-dot-product attention, composed of differentiable ops so that their gradients follow
// from those ops.
#include <cmath>
#include <limits>

#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

// The gradient rows are added into the looked-up rows; the padding row gets none. Written with
// differentiable ops, so double backward works.
struct EmbeddingBackward final : autograd::Node {
  const char* name() const override { return "EmbeddingBackward"; }
  autograd::TensorList apply(autograd::TensorList&& g) override {
    const Tensor index = indices.unpack(this);
    Tensor rows = g[0].reshape({index.numel(), weight_sizes[1]});
    if (padding_idx) rows = rows.masked_fill((index == *padding_idx).unsqueeze(1), 0);
    return {zeros(weight_sizes, {.dtype = rows.dtype(), .device = rows.device()}).index_add(0, index, rows)};
  }
  void release_saved() override { indices.reset(); }
  autograd::SavedTensor indices;  // flat int64
  DimVector weight_sizes;
  std::optional<int64_t> padding_idx;  // wrapped into range
};

}  // namespace

using ops::check_defined;

Tensor embedding(const Tensor& weight, const Tensor& indices, std::optional<int64_t> padding_idx) {
  check_defined(weight, "embedding");
  check_defined(indices, "embedding");
  ACCEL_CHECK(weight.dim() == 2, "embedding: weight must be 2-D [num_embeddings, embedding_dim], got shape ",
              weight.sizes());
  ACCEL_CHECK(indices.dtype() == kInt64 || indices.dtype() == kInt32, "embedding: indices must be int64 or int32, got ",
              name(indices.dtype()));
  const int64_t rows = weight.size(0);
  ACCEL_CHECK(!padding_idx || (*padding_idx >= -rows && *padding_idx < rows), "embedding: padding_idx ",
              padding_idx.value_or(0), " is out of range for ", rows, " embeddings");
  ACCEL_CHECK(indices.device() == weight.device(), "embedding: indices on ", indices.device(),
              " and weight on ", weight.device(), " differ in device");
  const Tensor flat = indices.reshape({-1}).to(kInt64);
  const Tensor bad = (flat < 0) | (flat >= rows);
  ACCEL_CHECK(!bad.any().item<bool>(), "embedding: index ", flat.masked_select(bad)[0].item<int64_t>(),
              " is out of range for ", rows, " embeddings");
  DimVector shape(indices.sizes());
  shape.push_back(weight.size(1));
  // Written through a 2-D view of the final output, so that the output is no view.
  Tensor out = empty(shape, weight.options());
  backend(weight.device()).index_select(out.view({flat.numel(), weight.size(1)}), weight, 0, flat);
  if (autograd::should_record(weight)) {
    auto node = autograd::make_node<EmbeddingBackward>({&weight});
    node->indices = autograd::SavedTensor(flat);
    node->weight_sizes = DimVector(weight.sizes());
    if (padding_idx) node->padding_idx = *padding_idx < 0 ? *padding_idx + rows : *padding_idx;
    autograd::set_history(out, *node);
  }
  return out;
}

Tensor dropout(const Tensor& input, double p, bool training, Generator* generator) {
  check_defined(input, "dropout");
  ACCEL_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, got ", p);
  if (!training || p == 0) return input;
  ACCEL_CHECK(input.is_floating_point(), "dropout: expected a floating input, got ", name(input.dtype()));
  // A product rather than fresh zeros keeps input in the graph (and NaN stays NaN), as in PyTorch.
  if (p == 1) return input * 0;
  // Half-precision uniforms are too coarse near 1 for an unbiased keep rate.
  const DType noise_dtype = promote_types(input.dtype(), kFloat32);
  const Tensor keep = rand(input.sizes(), {.dtype = noise_dtype, .device = input.device()}, generator) >= p;
  return input * (keep.to(input.dtype()) / (1 - p));
}

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal,
                                    std::optional<double> scale) {
  const char* op = "scaled_dot_product_attention";
  check_defined(query, op);
  check_defined(key, op);
  check_defined(value, op);
  ACCEL_CHECK(query.dim() >= 2 && key.dim() >= 2 && value.dim() >= 2, op,
              ": query, key and value need at least 2 dims, got shapes ", query.sizes(), ", ", key.sizes(), " and ",
              value.sizes());
  ACCEL_CHECK(query.is_floating_point() && key.dtype() == query.dtype() && value.dtype() == query.dtype(), op,
              ": expected query, key and value of one floating dtype, got ", name(query.dtype()), ", ",
              name(key.dtype()), " and ", name(value.dtype()));
  ACCEL_CHECK(query.size(-1) == key.size(-1), op, ": query [..., L, E] and key [..., S, E] differ in E, shapes ",
              query.sizes(), " and ", key.sizes());
  ACCEL_CHECK(key.size(-2) == value.size(-2), op, ": key [..., S, E] and value [..., S, Ev] differ in S, shapes ",
              key.sizes(), " and ", value.sizes());
  ACCEL_CHECK(!(is_causal && attn_mask.defined()), op, ": an explicit attn_mask should not be set when is_causal");
  ACCEL_CHECK(dropout_p >= 0 && dropout_p <= 1, op, ": dropout_p has to be between 0 and 1, got ", dropout_p);

  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  const int64_t L = query.size(-2), S = key.size(-2);
  const double s = scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
  // Scaling q (L x E) is cheaper than scaling the scores (L x S) when E < S, the usual case.
  Tensor scores = matmul(query * s, key.mT());
  if (is_causal) {
    // Aligned top-left as in PyTorch: query i sees keys 0..i.
    const Tensor future = arange(S, {.device = query.device()}).unsqueeze(0) >
                          arange(L, {.device = query.device()}).unsqueeze(1);
    scores = scores.masked_fill(future, kNegInf);
  }
  Tensor empty_rows;
  if (attn_mask.defined()) {
    ACCEL_CHECK(attn_mask.dtype() == kBool || attn_mask.dtype() == query.dtype(), op,
                ": expected a bool attn_mask or one of the query's dtype ", name(query.dtype()), ", got ",
                name(attn_mask.dtype()));
    ACCEL_CHECK(broadcast_shapes(scores.sizes(), attn_mask.sizes(), op) == DimVector(scores.sizes()), op,
                ": attn_mask of shape ", attn_mask.sizes(), " does not broadcast to the attention shape ",
                scores.sizes());
    scores = attn_mask.dtype() == kBool ? scores.masked_fill(attn_mask.logical_not(), kNegInf) : scores + attn_mask;
    // PyTorch's safe softmax: a query that may see no key attends to nothing (zeros, not NaN). Its
    // scores are zeroed first so that neither the values nor the gradients see a NaN.
    empty_rows = (scores == kNegInf).all({-1}, true);
    scores = scores.masked_fill(empty_rows, 0);
  }
  Tensor weights = softmax(scores, -1);
  if (empty_rows.defined()) weights = weights.masked_fill(empty_rows, 0);
  if (dropout_p > 0) weights = dropout(weights, dropout_p, true);
  return matmul(weights, value);
}

}  // namespace accel
