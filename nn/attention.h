#pragma once
// MultiheadAttention, as torch.nn.MultiheadAttention: queries attend to keys/values in num_heads
// heads of embed_dim / num_heads features each.
//
//   auto attn = std::make_shared<nn::MultiheadAttention>(512, 8, nn::MultiheadAttentionOptions{.batch_first = true});
//   auto [out, weights] = attn->forward(x, x, x, {.key_padding_mask = pad});   // weights [N, L, S]
//   Tensor y = std::get<0>(attn->forward(x, x, x, {.need_weights = false, .is_causal = true}));
//
// Shapes: query [L, N, E] (or [N, L, E] with batch_first, or unbatched [L, E]); key and value
// [S, N, E] likewise. Masks follow PyTorch: a bool mask is true where attending is NOT allowed;
// a floating mask is added to the scores.
#include <cstdint>
#include <memory>
#include <tuple>

#include <accel/nn/linear.h>
#include <accel/nn/module.h>

namespace accel::nn {

struct MultiheadAttentionOptions {
  double dropout = 0.0;  // on the attention weights, in training
  bool bias = true;      // in_proj_bias and out_proj.bias
  bool batch_first = false;
};

struct MultiheadAttentionForwardOptions {
  Tensor key_padding_mask = {};      // [N, S] (unbatched: [S]): keys to ignore per batch element
  Tensor attn_mask = {};             // [L, S] or [N * num_heads, L, S] (unbatched: [num_heads, L, S])
  bool need_weights = true;          // also return the attention weights (else the fused attention runs)
  bool average_attn_weights = true;  // weights [N, L, S] averaged over heads, else [N, num_heads, L, S]
  // Query i attends to keys 0..i. With an attn_mask, PyTorch treats this as a hint that attn_mask is
  // causal and uses attn_mask; without one, accel builds the causal mask (PyTorch requires one).
  bool is_causal = false;
};

// Parameters as PyTorch's: in_proj_weight [3E, E] (xavier-uniform) and in_proj_bias [3E] (zeros)
// hold the query, key and value projections stacked; out_proj is a Linear (bias zeroed).
class MultiheadAttention : public Cloneable<MultiheadAttention> {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, const MultiheadAttentionOptions& options = {});

  void reset() override;
  // (output shaped like query, attention weights or an undefined tensor when !need_weights).
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const MultiheadAttentionForwardOptions& options = {});
  std::tuple<Tensor, Tensor> operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                        const MultiheadAttentionForwardOptions& options = {}) {
    return forward(query, key, value, options);
  }

  int64_t embed_dim, num_heads;
  MultiheadAttentionOptions options;
  Tensor in_proj_weight, in_proj_bias;
  std::shared_ptr<Linear> out_proj;
};

}  // namespace accel::nn
