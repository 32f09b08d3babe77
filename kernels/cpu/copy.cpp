// Copies with dtype conversion, fill and arange.
#include <cstring>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/loops.h>

namespace accel::cpu {
namespace {

template <typename To, typename From>
To convert(From v) {
  constexpr bool from_16bit = std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>;
  if constexpr (std::is_same_v<To, bool> && from_16bit) return static_cast<float>(v) != 0.0f;
  else if constexpr (std::is_same_v<To, bool>) return v != From(0);
  else if constexpr (from_16bit) return static_cast<To>(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) return To(static_cast<float>(v));
  else return static_cast<To>(v);
}

// A contiguous row. Not inlined: inside copy's hundred dispatch cases GCC gives up vectorising it.
template <typename To, typename From>
[[gnu::noinline]] void convert_row(To* __restrict out, const From* __restrict in, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = convert<To>(in[i]);
}

}  // namespace

void CpuBackend::copy(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous() && dst.numel() == src.numel()) {
    char* d = static_cast<char*>(dst.data_ptr());
    const char* s = static_cast<const char*>(src.data_ptr());
    const int64_t item = dst.element_size();
    parallel_for(0, dst.numel(), kGrainSize * 4, [&](int64_t b, int64_t e) {
      std::memcpy(d + b * item, s + b * item, static_cast<size_t>((e - b) * item));
    });
    return;
  }
  ACCEL_DISPATCH(dst.dtype(), "copy", [&]<typename To>() {
    ACCEL_DISPATCH(src.dtype(), "copy", [&]<typename From>() {
      for_each_row<2>({&dst, &src}, [](char** p, const int64_t* s, int64_t n) {
        if (s[0] == sizeof(To) && s[1] == sizeof(From))
          return convert_row(reinterpret_cast<To*>(p[0]), reinterpret_cast<const From*>(p[1]), n);
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<To*>(p[0] + i * s[0]) = convert<To>(*reinterpret_cast<const From*>(p[1] + i * s[1]));
      });
    });
  });
}

void CpuBackend::fill(const Tensor& dst, Scalar value) {
  ACCEL_DISPATCH(dst.dtype(), "fill", [&]<typename T>() {
    const T v = value.to<T>();
    for_each_row<1>({&dst}, [v](char** p, const int64_t* s, int64_t n) {
      if (s[0] == sizeof(T)) std::fill_n(reinterpret_cast<T*>(p[0]), n, v);
      else
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = v;
    });
  });
}

void CpuBackend::arange(const Tensor& dst, double start, double step) {
  ACCEL_DISPATCH_REAL(dst.dtype(), "arange", [&]<typename T>() {
    T* out = dst.data_ptr<T>();
    parallel_for(0, dst.numel(), kGrainSize, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) out[i] = convert<T>(start + static_cast<double>(i) * step);
    });
  });
}

}  // namespace accel::cpu
