#include <accel/data/sample_random.h>

namespace accel::data {
namespace {

thread_local Generator* installed = nullptr;

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

Generator& sample_generator() { return installed ? *installed : default_generator(); }

uint64_t mix_seed(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
  return splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b) ^ c);
}

SampleGeneratorScope::SampleGeneratorScope(uint64_t seed) : generator_(seed), previous_(installed) {
  installed = &generator_;
}

SampleGeneratorScope::~SampleGeneratorScope() { installed = previous_; }

}  // namespace accel::data
