#pragma once
// The random numbers of one example. Random transforms draw from sample_generator(); the DataLoader
// installs, around each get(i), a generator seeded from (loader seed, epoch, batch, position in the
// batch), so an epoch's augmentations depend only on the seed, never on the number of workers or on
// which thread fetched the example. Outside a loader (a direct dataset.get(i)) it is accel's default
// generator, seeded by accel::manual_seed.
#include <cstdint>

#include <accel/tensor/random.h>

namespace accel::data {

Generator& sample_generator();

// Mixes the words into one 64-bit seed (splitmix64 steps): nearby inputs give unrelated seeds.
uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0);

// Makes sample_generator() on this thread a fresh generator seeded with `seed` for the scope's life.
class SampleGeneratorScope {
 public:
  explicit SampleGeneratorScope(uint64_t seed);
  ~SampleGeneratorScope();
  SampleGeneratorScope(const SampleGeneratorScope&) = delete;
  SampleGeneratorScope& operator=(const SampleGeneratorScope&) = delete;

 private:
  Generator generator_;
  Generator* previous_;
};

}  // namespace accel::data
