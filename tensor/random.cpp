#include <accel/tensor/random.h>

#include <cmath>
#include <numbers>

namespace accel {

double PhiloxDraw::normal(int64_t i) const {
  const auto b = philox4x32(seed, offset + static_cast<uint64_t>(i) / 2);
  const uint64_t w0 = uint64_t{b[1]} << 32 | b[0];
  const uint64_t w1 = uint64_t{b[3]} << 32 | b[2];
  // u1 in (0, 1] so that log(u1) is finite.
  const double u1 = static_cast<double>((w0 >> 11) + 1) * 0x1.0p-53;
  const double u2 = static_cast<double>(w1 >> 11) * 0x1.0p-53;
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * std::numbers::pi * u2;
  return (i & 1) ? radius * std::sin(angle) : radius * std::cos(angle);
}

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard lock(mutex_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() const {
  std::lock_guard lock(mutex_);
  return seed_;
}

uint64_t Generator::offset() const {
  std::lock_guard lock(mutex_);
  return offset_;
}

void Generator::set_offset(uint64_t offset) {
  std::lock_guard lock(mutex_);
  offset_ = offset;
}

PhiloxDraw Generator::draw(int64_t n) {
  std::lock_guard lock(mutex_);
  const PhiloxDraw d{seed_, offset_};
  offset_ += PhiloxDraw::blocks_for(n);
  return d;
}

Generator& default_generator() {
  static Generator generator;
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace accel
