#pragma once
// TransformerEncoderLayer, as torch.nn.TransformerEncoderLayer: self-attention and a feed-forward
// block, each with dropout and a residual connection, normalized after (post-norm, the default)
// or before (norm_first, pre-norm) each block.
//
//   auto layer = std::make_shared<nn::TransformerEncoderLayer>(
//       256, 8, nn::TransformerEncoderLayerOptions{.dim_feedforward = 1024, .batch_first = true, .norm_first = true});
//   Tensor y = layer->forward(x, {.is_causal = true});   // a decoder-only (GPT) block
#include <cstdint>
#include <memory>
#include <string>

#include <accel/nn/attention.h>
#include <accel/nn/dropout.h>
#include <accel/nn/linear.h>
#include <accel/nn/module.h>
#include <accel/nn/normalization.h>

namespace accel::nn {

struct TransformerEncoderLayerOptions {
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  std::string activation = "relu";  // of the feed-forward block: "relu" or "gelu"
  double layer_norm_eps = 1e-5;
  bool batch_first = false;  // src [N, S, E] instead of [S, N, E]
  bool norm_first = false;
  bool bias = true;  // in the linear layers, the attention and the layer norms
};

struct TransformerEncoderLayerForwardOptions {
  Tensor src_mask = {};              // the attention's attn_mask: [S, S] or [N * nhead, S, S]
  Tensor src_key_padding_mask = {};  // [N, S]: positions to ignore
  bool is_causal = false;            // as MultiheadAttention's: a causal mask (built when src_mask is absent)
};

// Submodules named as PyTorch's: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2.
class TransformerEncoderLayer : public Cloneable<TransformerEncoderLayer> {
 public:
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, const TransformerEncoderLayerOptions& options = {});

  void reset() override;
  Tensor forward(const Tensor& src, const TransformerEncoderLayerForwardOptions& options);
  // Without masks; lets the layer sit in a Sequential.
  Tensor forward(const Tensor& src) override { return forward(src, {}); }
  using Module::operator();
  Tensor operator()(const Tensor& src, const TransformerEncoderLayerForwardOptions& options) {
    return forward(src, options);
  }

  int64_t d_model, nhead;
  TransformerEncoderLayerOptions options;
  std::shared_ptr<MultiheadAttention> self_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2;
  std::shared_ptr<LayerNorm> norm1, norm2;

 private:
  Tensor self_attention_block(const Tensor& x, const TransformerEncoderLayerForwardOptions& options);
  Tensor feed_forward_block(const Tensor& x);
};

}  // namespace accel::nn
