// Uniform, normal and integer draws from the Philox stream (tensor/random.h). Element i of a draw
// always gets the same number, whatever the thread split.
#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/parallel.h>
#include <accel/tensor/factories.h>

namespace accel::cpu {
namespace {

// Draws into a contiguous tensor; strided destinations are drawn contiguously and copied.
template <typename F>
void draw(CpuBackend& self, const Tensor& dst, const char* op, F value_of) {
  if (!dst.is_contiguous()) {
    const Tensor tmp = empty(dst.sizes(), {.dtype = dst.dtype()});
    draw(self, tmp, op, value_of);
    self.copy(dst, tmp);
    return;
  }
  ACCEL_DISPATCH_REAL(dst.dtype(), op, [&]<typename T>() {
    T* out = dst.data_ptr<T>();
    parallel_for(0, dst.numel(), kGrainSize / 16, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = static_cast<T>(value_of(i));
    });
  });
}

}  // namespace

void CpuBackend::uniform(const Tensor& dst, double from, double to, Generator& gen) {
  const PhiloxDraw d = gen.draw(dst.numel());
  const double span = to - from;
  draw(*this, dst, "uniform", [&](int64_t i) { return static_cast<float>(from + span * d.uniform(i)); });
}

void CpuBackend::normal(const Tensor& dst, double mean, double std, Generator& gen) {
  const PhiloxDraw d = gen.draw(dst.numel());
  draw(*this, dst, "normal", [&](int64_t i) { return mean + std * d.normal(i); });
}

void CpuBackend::random_int(const Tensor& dst, int64_t low, int64_t high, Generator& gen) {
  const PhiloxDraw d = gen.draw(dst.numel());
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  // A power-of-two range takes a mask: the same numbers as the 64-bit division, in a cycle. Two
  // loops, not a test in one: with the test inside, the draw took twice as long.
  if ((range & (range - 1)) == 0) {
    draw(*this, dst, "randint", [&](int64_t i) { return static_cast<int64_t>(static_cast<uint64_t>(low) + (d.bits64(i) & (range - 1))); });
    return;
  }
  draw(*this, dst, "randint", [&](int64_t i) { return static_cast<int64_t>(static_cast<uint64_t>(low) + d.bits64(i) % range); });
}

}  // namespace accel::cpu
