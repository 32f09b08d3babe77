#pragma once
// Embedding: a lookup table of num_embeddings vectors of size embedding_dim, indexed by int64 (or
// int32) tensors of any shape; the output has the index shape plus embedding_dim.
//
//   auto tokens = nn::Embedding(vocab_size, 256);
//   auto words = nn::Embedding::from_pretrained(vectors, {.freeze = false});
#include <cstdint>
#include <optional>

#include <accel/nn/module.h>

namespace accel::nn {

struct EmbeddingOptions {
  // This row starts as zeros and gets no gradient (a padding token); negative counts from the end.
  std::optional<int64_t> padding_idx = std::nullopt;
};

struct EmbeddingFromPretrainedOptions {
  bool freeze = true;  // the weight does not require grad
  std::optional<int64_t> padding_idx = std::nullopt;
};

class Embedding : public Cloneable<Embedding> {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, const EmbeddingOptions& options = {});
  // A module whose weight is (a copy of) embeddings [num_embeddings, embedding_dim].
  static Embedding from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options = {});

  // Weight drawn from N(0, 1), padding row zeroed (PyTorch's init).
  void reset() override;
  Tensor forward(const Tensor& indices) override;
  void pretty_print(std::ostream& os) const override;

  int64_t num_embeddings, embedding_dim;
  EmbeddingOptions options;  // padding_idx is stored wrapped into [0, num_embeddings)
  Tensor weight;
};

}  // namespace accel::nn
