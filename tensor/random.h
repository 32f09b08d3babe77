#pragma once
// Random numbers from Philox4x32-10, a counter-based generator: the value of element i of a draw
// depends only on (seed, offset + i), so any thread split and any device produce the same stream.
#include <array>
#include <cstdint>
#include <mutex>

namespace accel {

// One Philox4x32-10 block: four 32-bit words for counter `counter` under key `seed`.
inline std::array<uint32_t, 4> philox4x32(uint64_t seed, uint64_t counter) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t{0xD2511F53u} * c0;
    const uint64_t p1 = uint64_t{0xCD9E8D57u} * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = static_cast<uint32_t>(p1);
    c2 = n2;
    c3 = static_cast<uint32_t>(p0);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {c0, c1, c2, c3};
}

// Element i of a draw uses block (offset + i / 2); each block yields two 64-bit words.
struct PhiloxDraw {
  uint64_t seed;
  uint64_t offset;  // in blocks

  uint64_t bits64(int64_t i) const {
    const auto b = philox4x32(seed, offset + static_cast<uint64_t>(i) / 2);
    return (i & 1) ? (uint64_t{b[3]} << 32 | b[2]) : (uint64_t{b[1]} << 32 | b[0]);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform(int64_t i) const { return static_cast<double>(bits64(i) >> 11) * 0x1.0p-53; }
  // Standard normal: elements 2j and 2j+1 are the Box-Muller pair of block j.
  double normal(int64_t i) const;
  static constexpr uint64_t blocks_for(int64_t n) { return static_cast<uint64_t>(n + 1) / 2; }
};

class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // PyTorch's default
  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}

  void manual_seed(uint64_t seed);
  uint64_t seed() const;
  uint64_t offset() const;
  void set_offset(uint64_t offset);
  // Reserves the blocks for a draw of n elements and returns where it starts.
  PhiloxDraw draw(int64_t n);

 private:
  mutable std::mutex mutex_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

Generator& default_generator();
// Seeds the default generator (torch.manual_seed).
void manual_seed(uint64_t seed);

}  // namespace accel
