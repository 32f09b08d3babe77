#include <accel/nn/embedding.h>

#include <ostream>

#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, const EmbeddingOptions& options)
    : num_embeddings(num_embeddings), embedding_dim(embedding_dim), options(options) {
  reset();
}

void Embedding::reset() {
  ACCEL_CHECK(num_embeddings > 0 && embedding_dim > 0,
              "Embedding: num_embeddings and embedding_dim must be positive, got ", num_embeddings, " and ",
              embedding_dim);
  if (options.padding_idx) {
    const int64_t idx = *options.padding_idx;
    ACCEL_CHECK(idx >= -num_embeddings && idx < num_embeddings, "Embedding: padding_idx ", idx, " is out of range for ",
                num_embeddings, " embeddings");
    if (idx < 0) options.padding_idx = idx + num_embeddings;
  }
  Tensor table = randn({num_embeddings, embedding_dim});
  if (options.padding_idx) table[*options.padding_idx].zero_();
  weight = register_parameter("weight", table);
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& options) {
  ACCEL_CHECK(embeddings.defined() && embeddings.dim() == 2,
              "Embedding::from_pretrained: embeddings must be 2-D [num_embeddings, embedding_dim], got shape ",
              embeddings.defined() ? embeddings.sizes() : IntArrayRef{});
  Embedding module(embeddings.size(0), embeddings.size(1), {.padding_idx = options.padding_idx});
  // The pretrained rows are kept as they are, padding row included (as in PyTorch).
  module.weight.set_data(embeddings.detach().clone());
  module.weight.requires_grad_(!options.freeze);
  return module;
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(weight, indices, options.padding_idx); }

void Embedding::pretty_print(std::ostream& os) const {
  os << "Embedding(" << num_embeddings << ", " << embedding_dim;
  if (options.padding_idx) os << ", padding_idx=" << *options.padding_idx;
  os << ")";
}

}  // namespace accel::nn
