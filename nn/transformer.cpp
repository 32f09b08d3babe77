#include <accel/nn/transformer.h>

#include <accel/tensor/error.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

TransformerEncoderLayer::TransformerEncoderLayer(int64_t d_model, int64_t nhead,
                                                 const TransformerEncoderLayerOptions& options)
    : d_model(d_model), nhead(nhead), options(options) {
  reset();
}

void TransformerEncoderLayer::reset() {
  const auto& o = options;
  ACCEL_CHECK(o.activation == "relu" || o.activation == "gelu",
              "TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got \"", o.activation, "\"");
  ACCEL_CHECK(o.dim_feedforward > 0, "TransformerEncoderLayer: dim_feedforward must be positive, got ",
              o.dim_feedforward);
  // Registered in PyTorch's order, so that state dicts list the same keys in the same order.
  self_attn = register_module(
      "self_attn",
      MultiheadAttention(d_model, nhead, {.dropout = o.dropout, .bias = o.bias, .batch_first = o.batch_first}));
  linear1 = register_module("linear1", Linear(d_model, o.dim_feedforward, {.bias = o.bias}));
  dropout = register_module("dropout", Dropout({.p = o.dropout}));
  linear2 = register_module("linear2", Linear(o.dim_feedforward, d_model, {.bias = o.bias}));
  norm1 = register_module("norm1", LayerNorm(d_model, {.eps = o.layer_norm_eps, .bias = o.bias}));
  norm2 = register_module("norm2", LayerNorm(d_model, {.eps = o.layer_norm_eps, .bias = o.bias}));
  dropout1 = register_module("dropout1", Dropout({.p = o.dropout}));
  dropout2 = register_module("dropout2", Dropout({.p = o.dropout}));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src, const TransformerEncoderLayerForwardOptions& o) {
  Tensor x = src;
  if (options.norm_first) {
    x = x + self_attention_block(norm1->forward(x), o);
    return x + feed_forward_block(norm2->forward(x));
  }
  x = norm1->forward(x + self_attention_block(x, o));
  return norm2->forward(x + feed_forward_block(x));
}

Tensor TransformerEncoderLayer::self_attention_block(const Tensor& x, const TransformerEncoderLayerForwardOptions& o) {
  const Tensor attended = std::get<0>(self_attn->forward(x, x, x,
                                                         {.key_padding_mask = o.src_key_padding_mask,
                                                          .attn_mask = o.src_mask,
                                                          .need_weights = false,
                                                          .is_causal = o.is_causal}));
  return dropout1->forward(attended);
}

Tensor TransformerEncoderLayer::feed_forward_block(const Tensor& x) {
  const Tensor hidden = linear1->forward(x);
  const Tensor activated = options.activation == "gelu" ? gelu(hidden) : relu(hidden);
  return dropout2->forward(linear2->forward(dropout->forward(activated)));
}

}  // namespace accel::nn
