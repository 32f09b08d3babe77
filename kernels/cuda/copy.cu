// Fill and dtype conversion for contiguous tensors.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstring>
#include <type_traits>

#include <accel/kernels/cuda/kernels.h>
#include <accel/kernels/cuda/runtime.h>

namespace accel::cuda::detail {
namespace {

constexpr int kThreads = 256;

// Grid-stride loops cover any n; past this many blocks, more would only queue behind the first.
unsigned blocks_for(int64_t n) {
  return static_cast<unsigned>(std::min<int64_t>((n + kThreads - 1) / kThreads, int64_t{1} << 16));
}

// accel's 16-bit storage types on the device: the same bits, with CUDA's arithmetic.
template <typename T> struct device_type { using type = T; };
template <> struct device_type<Half> { using type = __half; };
template <> struct device_type<BFloat16> { using type = __nv_bfloat16; };

template <typename T>
constexpr bool is_16bit = std::is_same_v<T, __half> || std::is_same_v<T, __nv_bfloat16>;

// The rules of kernels/cpu/copy.cpp: 16-bit floats convert through float32, bool is `!= 0`.
template <typename To, typename From>
__device__ To convert(From v) {
  if constexpr (is_16bit<From>) return convert<To>(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, bool>) return v != From(0);
  else if constexpr (std::is_same_v<To, __half>) return __float2half_rn(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, __nv_bfloat16>) return __float2bfloat16_rn(static_cast<float>(v));
  else return static_cast<To>(v);
}

template <typename To, typename From>
__global__ void cast_kernel(To* dst, const From* src, int64_t n) {
  const int64_t stride = int64_t{gridDim.x} * blockDim.x;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) dst[i] = convert<To>(src[i]);
}

template <typename T>
__global__ void fill_kernel(T* dst, int64_t n, T value) {
  const int64_t stride = int64_t{gridDim.x} * blockDim.x;
  for (int64_t i = int64_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) dst[i] = value;
}

template <typename T>
void launch_fill(void* dst, int64_t n, uint64_t pattern) {
  fill_kernel<<<blocks_for(n), kThreads, 0, cudaStreamLegacy>>>(static_cast<T*>(dst), n, static_cast<T>(pattern));
}

}  // namespace

void fill(void* dst, int64_t n, int64_t itemsize, uint64_t pattern) {
  unsigned char bytes[8];
  std::memcpy(bytes, &pattern, sizeof bytes);
  // Zeros, and any value whose bytes are all alike, take the copy engine's memset.
  if (std::all_of(bytes, bytes + itemsize, [&](unsigned char b) { return b == bytes[0]; })) {
    ACCEL_CUDA_CHECK(cudaMemsetAsync(dst, bytes[0], static_cast<size_t>(n * itemsize), cudaStreamLegacy));
    return;
  }
  switch (itemsize) {
    case 2: launch_fill<uint16_t>(dst, n, pattern); break;
    case 4: launch_fill<uint32_t>(dst, n, pattern); break;
    case 8: launch_fill<uint64_t>(dst, n, pattern); break;
    default: ACCEL_FAIL("cuda fill: unsupported element size ", itemsize);
  }
  ACCEL_CUDA_CHECK(cudaGetLastError());
}

void cast(void* dst, DType dst_dtype, const void* src, DType src_dtype, int64_t n) {
  ACCEL_DISPATCH(dst_dtype, "cuda cast", [&]<typename To>() {
    ACCEL_DISPATCH(src_dtype, "cuda cast", [&]<typename From>() {
      using D = typename device_type<To>::type;
      using S = typename device_type<From>::type;
      cast_kernel<<<blocks_for(n), kThreads, 0, cudaStreamLegacy>>>(static_cast<D*>(dst), static_cast<const S*>(src),
                                                                    n);
    });
  });
  ACCEL_CUDA_CHECK(cudaGetLastError());
}

}  // namespace accel::cuda::detail
