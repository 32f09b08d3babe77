// The CUDA foundation: device detection, host <-> device copies, fill, dtype conversion and the
// caching allocator. Device tests skip without a GPU; the no-GPU behaviour is tested everywhere.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <accel/accel.h>

using namespace accel;

#define REQUIRE_GPU() \
  if (!cuda::is_available()) GTEST_SKIP() << "no CUDA device"

namespace {

constexpr DType kAllDTypes[] = {kBool, kUInt8, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64};

// Non-negative values that every dtype holds exactly, with fractions for the float conversions.
Tensor sample(DType dtype, int64_t n = 37) {
  return (arange(n, {.dtype = kFloat64}) * 0.75).to(dtype);
}

std::vector<char> bytes(const Tensor& t) {
  const Tensor c = t.cpu().contiguous();
  const char* p = static_cast<const char*>(c.data_ptr());
  return {p, p + c.nbytes()};
}

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no accel::Error thrown)";
}

}  // namespace

TEST(Cuda, DetectionIsConsistentAndNeverThrows) {
  bool available = false;
  int count = -1;
  EXPECT_NO_THROW(available = cuda::is_available());
  EXPECT_NO_THROW(count = cuda::device_count());
  EXPECT_EQ(available, count > 0);
  EXPECT_EQ(cuda::is_available(), available);  // cached, and stable
  EXPECT_NO_THROW(cuda::empty_cache());
  EXPECT_NO_THROW(cuda::synchronize());
  EXPECT_THROW(cuda::memory_stats(count), Error);
  EXPECT_THROW(cuda::synchronize(count), Error);
}

TEST(Cuda, WithoutAGpuCudaTensorsFailClearly) {
  if (cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  const std::string message = message_of([] { zeros({2}, {.device = Device::cuda(0)}); });
  EXPECT_NE(message.find("CUDA is not available"), std::string::npos) << message;
  EXPECT_TRUE(message.find("built without CUDA") != std::string::npos ||
              message.find("no CUDA device found") != std::string::npos)
      << message;
  EXPECT_THROW(ones({3}).to(kCUDA), Error);
}

TEST(Cuda, RoundTripKeepsEveryDType) {
  REQUIRE_GPU();
  for (DType dtype : kAllDTypes) {
    const Tensor host = sample(dtype);
    const Tensor device = host.to(kCUDA);
    EXPECT_TRUE(device.is_cuda());
    EXPECT_EQ(device.dtype(), dtype);
    EXPECT_EQ(device.sizes(), host.sizes());
    const Tensor back = device.to(kCPU);
    EXPECT_TRUE(back.is_cpu());
    EXPECT_EQ(bytes(back), bytes(host)) << name(dtype);
    EXPECT_EQ(device.to_vector<double>(), host.to_vector<double>()) << name(dtype);
  }
}

TEST(Cuda, NonContiguousAndEmptyTensorsRoundTrip) {
  REQUIRE_GPU();
  const Tensor host = arange(12, {.dtype = kFloat32}).view({3, 4});
  EXPECT_EQ(host.t().to(kCUDA).to(kCPU).to_vector<float>(), host.t().contiguous().to_vector<float>());
  const Tensor empty_device = zeros({0, 3}, {.device = Device::cuda(0)});
  EXPECT_EQ(empty_device.to(kCPU).sizes(), IntArrayRef({0, 3}));
}

TEST(Cuda, FactoriesAndFillOnDevice) {
  REQUIRE_GPU();
  const TensorOptions on_gpu{.device = Device::cuda(0)};
  for (DType dtype : kAllDTypes) {
    TensorOptions options = on_gpu;
    options.dtype = dtype;
    EXPECT_EQ(bytes(zeros({5}, options)), bytes(zeros({5}, {.dtype = dtype}))) << name(dtype);
    EXPECT_EQ(bytes(ones({5}, options)), bytes(ones({5}, {.dtype = dtype}))) << name(dtype);
    // Odd sizes past one block exercise the grid-stride loops.
    EXPECT_EQ(bytes(full({100003}, 3, options)), bytes(full({100003}, 3, {.dtype = dtype}))) << name(dtype);
    EXPECT_EQ(bytes(full({7}, 2.5, options)), bytes(full({7}, 2.5, {.dtype = dtype}))) << name(dtype);
  }
  const Tensor t = zeros({4, 5}, on_gpu);
  t.fill_(-1.5);
  EXPECT_EQ(t.to_vector<float>(), std::vector<float>(20, -1.5f));
}

TEST(Cuda, DTypeConversionOnDeviceMatchesTheCpu) {
  REQUIRE_GPU();
  for (DType from : kAllDTypes) {
    const Tensor host = sample(from);
    const Tensor device = host.to(kCUDA);
    for (DType to : kAllDTypes) {
      const Tensor converted = device.to(to);
      EXPECT_TRUE(converted.is_cuda());
      EXPECT_EQ(converted.dtype(), to);
      EXPECT_EQ(bytes(converted), bytes(host.to(to))) << name(from) << " -> " << name(to);
    }
  }
  const Tensor x = tensor({0.1, 65504.0, 1e6, -2.5}, {.dtype = kFloat32});
  EXPECT_EQ(bytes(x.cuda().to(kFloat16)), bytes(x.to(kFloat16)));  // rounding and overflow to inf
  EXPECT_EQ(bytes(x.cuda().to(kBFloat16)), bytes(x.to(kBFloat16)));
}

TEST(Cuda, CopyOnDevice) {
  REQUIRE_GPU();
  const Tensor a = sample(kFloat32).cuda();
  const Tensor b = a.clone();
  EXPECT_NE(a.data_ptr(), b.data_ptr());
  EXPECT_EQ(bytes(b), bytes(a));
  const Tensor dst = zeros({37}, {.dtype = kInt64, .device = Device::cuda(0)});
  dst.copy_(a);
  EXPECT_EQ(bytes(dst), bytes(sample(kFloat32).to(kInt64)));
  dst.copy_(sample(kInt32));  // from the CPU, converting
  EXPECT_EQ(bytes(dst), bytes(sample(kInt64)));
}

TEST(Cuda, UnimplementedOpsThrowClearly) {
  REQUIRE_GPU();
  const Tensor a = ones({3}, {.device = Device::cuda(0)});
  const std::string message = message_of([&] { (void)(a + a); });
  EXPECT_NE(message.find("add is not implemented on CUDA yet"), std::string::npos) << message;
  EXPECT_THROW(a.sum(), Error);
  const std::string strided = message_of([] { ones({3, 4}, {.device = Device::cuda(0)}).t().contiguous(); });
  EXPECT_NE(strided.find("not implemented on CUDA yet"), std::string::npos) << strided;
}

TEST(Cuda, CachingAllocatorReusesFreedBlocks) {
  REQUIRE_GPU();
  cuda::synchronize();
  cuda::empty_cache();
  constexpr int64_t n = 16 << 20;  // 64 MiB of float32: a segment of its own
  void* first = nullptr;
  {
    const Tensor t = empty({n}, {.device = Device::cuda(0)});
    first = t.data_ptr();
  }
  const cuda::MemoryStats before = cuda::memory_stats(0);
  EXPECT_GE(before.cached_bytes, n * 4);
  const Tensor again = empty({n}, {.device = Device::cuda(0)});
  const cuda::MemoryStats after = cuda::memory_stats(0);
  EXPECT_EQ(again.data_ptr(), first);
  EXPECT_EQ(after.cache_hits, before.cache_hits + 1);
  EXPECT_EQ(after.cache_misses, before.cache_misses);
  EXPECT_EQ(after.reserved_bytes, before.reserved_bytes);
  EXPECT_EQ(after.allocated_bytes, before.allocated_bytes + n * 4);
  EXPECT_GE(after.peak_allocated_bytes, after.allocated_bytes);
}

TEST(Cuda, SmallBlocksShareSegmentsAndMerge) {
  REQUIRE_GPU();
  cuda::empty_cache();
  const int64_t reserved = cuda::memory_stats(0).reserved_bytes;
  {
    std::vector<Tensor> small;
    for (int i = 0; i < 100; ++i) small.push_back(empty({100}, {.device = Device::cuda(0)}));  // 512-byte blocks
    EXPECT_EQ(cuda::memory_stats(0).reserved_bytes, reserved + (2 << 20));  // one 2 MiB segment
  }
  cuda::empty_cache();  // the blocks merged back into one free segment, which is released
  EXPECT_EQ(cuda::memory_stats(0).reserved_bytes, reserved);
}

TEST(Cuda, EmptyCacheReleasesFreeSegments) {
  REQUIRE_GPU();
  { const Tensor t = empty({int64_t{32} << 20}, {.device = Device::cuda(0)}); }
  EXPECT_GE(cuda::memory_stats(0).cached_bytes, int64_t{128} << 20);
  cuda::empty_cache();
  const cuda::MemoryStats stats = cuda::memory_stats(0);
  EXPECT_EQ(stats.allocated_bytes, 0);  // no tensor of this test program is alive
  EXPECT_EQ(stats.reserved_bytes, 0);
  EXPECT_EQ(stats.cached_bytes, 0);
  EXPECT_GE(stats.peak_reserved_bytes, int64_t{128} << 20);
}

TEST(Cuda, OutOfMemoryIsAnError) {
  REQUIRE_GPU();
  const std::string message = message_of([] { empty({int64_t{1} << 47}, {.device = Device::cuda(0)}); });
  EXPECT_NE(message.find("CUDA out of memory: tried to allocate"), std::string::npos) << message;
  EXPECT_NE(message.find("cuda:0"), std::string::npos) << message;
  // The device is still usable.
  EXPECT_EQ(ones({3}, {.device = Device::cuda(0)}).to_vector<float>(), std::vector<float>(3, 1.0f));
}

TEST(Cuda, InvalidDeviceIndexIsAnError) {
  REQUIRE_GPU();
  const int missing = cuda::device_count();
  const std::string message = message_of([&] { zeros({2}, {.device = Device::cuda(missing)}); });
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST(Cuda, CopiesBetweenDevices) {
  if (cuda::device_count() < 2) GTEST_SKIP() << "fewer than 2 CUDA devices";
  const Tensor host = sample(kFloat32);
  const Tensor on1 = host.to(Device::cuda(1));
  EXPECT_EQ(on1.device(), Device::cuda(1));
  const Tensor on0 = on1.to(Device::cuda(0));
  EXPECT_EQ(on0.device(), Device::cuda(0));
  EXPECT_EQ(bytes(on0), bytes(host));
  EXPECT_EQ(bytes(full({1000}, 7, {.dtype = kInt64, .device = Device::cuda(1)})), bytes(full({1000}, 7)));
  EXPECT_EQ(bytes(on1.to(kFloat16)), bytes(host.to(kFloat16)));
}
