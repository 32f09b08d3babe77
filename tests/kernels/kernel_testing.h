#pragma once
// Helpers shared by the kernel tests.
#include <vector>

#include <accel/accel.h>

namespace kernel_testing {

// A plain triple loop in double, the reference for every matrix-product test.
inline accel::Tensor reference_mm(const accel::Tensor& a, const accel::Tensor& b) {
  const auto av = a.contiguous().to_vector<double>(), bv = b.contiguous().to_vector<double>();
  const int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  std::vector<double> out(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < n; ++j) out[i * n + j] += av[i * k + p] * bv[p * n + j];
  return accel::tensor(out, {.dtype = accel::kFloat64}).view({m, n});
}

// The CPU thread count for the lifetime of the object; the previous one is restored after.
struct ThreadCount {
  explicit ThreadCount(int n) { accel::set_num_threads(n); }
  ~ThreadCount() { accel::set_num_threads(saved); }
  int saved = accel::get_num_threads();
};

}  // namespace kernel_testing
