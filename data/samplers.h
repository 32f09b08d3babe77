#pragma once
// Samplers: the order in which a DataLoader visits a dataset's indices, as torch.utils.data's.
// A sampler returns the whole index list of one epoch; the loader asks for epoch 0, 1, 2, ... on
// its successive iterations, so seeded random samplers reshuffle every epoch reproducibly.
// Shuffled orders come from accel's generator, so they differ from PyTorch's for the same seed.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace accel::data {

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The number of indices per epoch.
  virtual int64_t size() const = 0;
  virtual std::vector<int64_t> indices(int64_t epoch) const = 0;
};

// 0, 1, ..., size - 1.
class SequentialSampler : public Sampler {
 public:
  explicit SequentialSampler(int64_t size);
  int64_t size() const override { return size_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  int64_t size_;
};

struct RandomSamplerOptions {
  bool replacement = false;
  // Indices per epoch (default: the dataset size). Without replacement, more than the dataset size
  // gives whole permutations one after another, then part of one, as PyTorch.
  std::optional<int64_t> num_samples = std::nullopt;
  // Unset: drawn from accel's default generator (accel::manual_seed) when the sampler is made.
  std::optional<uint64_t> seed = std::nullopt;
};

// A random permutation of 0..dataset_size-1 per epoch (or draws with replacement).
class RandomSampler : public Sampler {
 public:
  explicit RandomSampler(int64_t dataset_size, RandomSamplerOptions options = {});
  int64_t size() const override { return num_samples_; }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  int64_t dataset_size_;
  int64_t num_samples_;
  bool replacement_;
  uint64_t seed_;
};

// The given indices in a random order per epoch.
class SubsetRandomSampler : public Sampler {
 public:
  explicit SubsetRandomSampler(std::vector<int64_t> indices, std::optional<uint64_t> seed = std::nullopt);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  std::vector<int64_t> indices(int64_t epoch) const override;

 private:
  std::vector<int64_t> indices_;
  uint64_t seed_;
};

struct DistributedSamplerOptions {
  std::optional<int64_t> num_replicas = std::nullopt;  // unset: $WORLD_SIZE (set by accel-run/torchrun), else 1
  std::optional<int64_t> rank = std::nullopt;  // unset: $RANK, else 0
  bool shuffle = true;
  uint64_t seed = 0;  // must be the same on every rank
  // true: drop the tail so that the size divides evenly; false: pad by repeating indices from the start.
  bool drop_last = false;
};

// This rank's share of the dataset: the (shuffled, padded or truncated) index list taken from
// position `rank` in steps of `num_replicas`, so every rank gets the same number of indices and
// together they cover the dataset. As in PyTorch, the shuffle depends on seed + the epoch given to
// set_epoch (the same on every rank), not on the loader's epoch: call set_epoch before each epoch.
class DistributedSampler : public Sampler {
 public:
  explicit DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options = {});
  int64_t size() const override { return num_samples_; }
  // The loader's epoch argument is ignored (see above).
  std::vector<int64_t> indices(int64_t epoch) const override;
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  int64_t num_replicas() const { return num_replicas_; }
  int64_t rank() const { return rank_; }

 private:
  int64_t dataset_size_;
  int64_t num_replicas_;
  int64_t rank_;
  bool shuffle_;
  uint64_t seed_;
  bool drop_last_;
  int64_t num_samples_;
  int64_t epoch_ = 0;
};

// Groups a sampler's indices into batches of batch_size (the last one smaller unless drop_last).
class BatchSampler {
 public:
  BatchSampler(std::shared_ptr<Sampler> sampler, int64_t batch_size, bool drop_last = false);
  // The number of batches per epoch.
  int64_t size() const;
  std::vector<std::vector<int64_t>> batches(int64_t epoch) const;

 private:
  std::shared_ptr<Sampler> sampler_;
  int64_t batch_size_;
  bool drop_last_;
};

}  // namespace accel::data
