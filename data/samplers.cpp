#include <accel/data/samplers.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <string>

#include <accel/data/sample_random.h>
#include <accel/tensor/error.h>
#include <accel/tensor/factories.h>

namespace accel::data {
namespace {

uint64_t seed_or_draw(std::optional<uint64_t> seed) {
  return seed ? *seed : default_generator().draw(1).bits64(0);
}

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
  Generator generator(seed);
  return randperm(n, {}, &generator).to_vector<int64_t>();
}

int64_t from_environment(const char* variable, int64_t fallback) {
  const char* value = std::getenv(variable);
  if (!value || !*value) return fallback;
  char* end = nullptr;
  const long long parsed = std::strtoll(value, &end, 10);
  ACCEL_CHECK(*end == '\0', "DistributedSampler: $", variable, "='", value, "' is not an integer");
  return parsed;
}

}  // namespace

SequentialSampler::SequentialSampler(int64_t size) : size_(size) {
  ACCEL_CHECK(size >= 0, "SequentialSampler: negative size ", size);
}

std::vector<int64_t> SequentialSampler::indices(int64_t /*epoch*/) const {
  std::vector<int64_t> out(size_);
  std::iota(out.begin(), out.end(), 0);
  return out;
}

RandomSampler::RandomSampler(int64_t dataset_size, RandomSamplerOptions options)
    : dataset_size_(dataset_size),
      num_samples_(options.num_samples.value_or(dataset_size)),
      replacement_(options.replacement),
      seed_(seed_or_draw(options.seed)) {
  ACCEL_CHECK(dataset_size >= 0, "RandomSampler: negative dataset size ", dataset_size);
  ACCEL_CHECK(num_samples_ >= 0, "RandomSampler: negative num_samples ", num_samples_);
  ACCEL_CHECK(dataset_size > 0 || num_samples_ == 0, "RandomSampler: cannot draw ", num_samples_,
              " samples from an empty dataset");
}

std::vector<int64_t> RandomSampler::indices(int64_t epoch) const {
  const uint64_t seed = mix_seed(seed_, static_cast<uint64_t>(epoch));
  if (replacement_) {
    if (num_samples_ == 0) return {};
    Generator generator(seed);
    return randint(0, dataset_size_, {num_samples_}, {}, &generator).to_vector<int64_t>();
  }
  std::vector<int64_t> out;
  out.reserve(num_samples_);
  for (uint64_t round = 0; static_cast<int64_t>(out.size()) < num_samples_; ++round) {
    const std::vector<int64_t> perm = permutation(dataset_size_, mix_seed(seed, round));
    const auto take = std::min<int64_t>(dataset_size_, num_samples_ - static_cast<int64_t>(out.size()));
    out.insert(out.end(), perm.begin(), perm.begin() + take);
  }
  return out;
}

SubsetRandomSampler::SubsetRandomSampler(std::vector<int64_t> indices, std::optional<uint64_t> seed)
    : indices_(std::move(indices)), seed_(seed_or_draw(seed)) {}

std::vector<int64_t> SubsetRandomSampler::indices(int64_t epoch) const {
  const std::vector<int64_t> perm = permutation(size(), mix_seed(seed_, static_cast<uint64_t>(epoch)));
  std::vector<int64_t> out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = indices_[perm[i]];
  return out;
}

DistributedSampler::DistributedSampler(int64_t dataset_size, DistributedSamplerOptions options)
    : dataset_size_(dataset_size),
      num_replicas_(options.num_replicas ? *options.num_replicas : from_environment("WORLD_SIZE", 1)),
      rank_(options.rank ? *options.rank : from_environment("RANK", 0)),
      shuffle_(options.shuffle),
      seed_(options.seed),
      drop_last_(options.drop_last) {
  ACCEL_CHECK(dataset_size >= 0, "DistributedSampler: negative dataset size ", dataset_size);
  ACCEL_CHECK(num_replicas_ >= 1, "DistributedSampler: num_replicas must be at least 1, got ", num_replicas_);
  ACCEL_CHECK(rank_ >= 0 && rank_ < num_replicas_, "DistributedSampler: invalid rank ", rank_,
              ", expected a value in [0, ", num_replicas_ - 1, "]");
  num_samples_ = drop_last_ ? dataset_size_ / num_replicas_ : (dataset_size_ + num_replicas_ - 1) / num_replicas_;
}

std::vector<int64_t> DistributedSampler::indices(int64_t /*epoch*/) const {
  std::vector<int64_t> all;
  if (shuffle_) {
    // seed + epoch, as PyTorch (which seeds its generator with that sum).
    all = permutation(dataset_size_, seed_ + static_cast<uint64_t>(epoch_));
  } else {
    all.resize(dataset_size_);
    std::iota(all.begin(), all.end(), 0);
  }
  const int64_t total = num_samples_ * num_replicas_;
  // Padding repeats the list from its start as often as needed (total < dataset_size when dropping).
  std::vector<int64_t> out;
  out.reserve(num_samples_);
  for (int64_t i = rank_; i < total; i += num_replicas_) out.push_back(all[i % dataset_size_]);
  return out;
}

BatchSampler::BatchSampler(std::shared_ptr<Sampler> sampler, int64_t batch_size, bool drop_last)
    : sampler_(std::move(sampler)), batch_size_(batch_size), drop_last_(drop_last) {
  ACCEL_CHECK(sampler_ != nullptr, "BatchSampler: null sampler");
  ACCEL_CHECK(batch_size >= 1, "BatchSampler: batch_size must be at least 1, got ", batch_size);
}

int64_t BatchSampler::size() const {
  const int64_t n = sampler_->size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

std::vector<std::vector<int64_t>> BatchSampler::batches(int64_t epoch) const {
  const std::vector<int64_t> order = sampler_->indices(epoch);
  std::vector<std::vector<int64_t>> out;
  for (size_t start = 0; start < order.size(); start += batch_size_) {
    const size_t end = std::min(order.size(), start + static_cast<size_t>(batch_size_));
    if (drop_last_ && end - start < static_cast<size_t>(batch_size_)) break;
    out.emplace_back(order.begin() + start, order.begin() + end);
  }
  return out;
}

}  // namespace accel::data
