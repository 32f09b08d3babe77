// Convolutions whose float32 GEMMs pack the patches straight from the image (kernels/cpu/
// conv_patches.h: stride 1, output rows as wide as the input's, 8 or more input channels per
// group): forward, input and weight gradients against the float64 kernels, which unroll the
// patches with im2col. The cases put runs of pixels before the first channel and past the last,
// whole output rows in the padding, partial panels, several k slices, tiles of output rows,
// groups and more images than partial sums.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/tensor/backend.h>

#include "kernel_testing.h"

using namespace accel;
using kernel_testing::ThreadCount;

namespace {

Backend& cpu_backend() { return backend(kCPU); }

struct Case {
  std::string name;
  int64_t batch, in_channels, out_channels, height, width, kh, kw;
  std::vector<int64_t> padding, dilation{1, 1};
  int64_t groups = 1;
};

struct Results {
  Tensor output, grad_input, grad_weight;
};

Results run(const Case& c, const Tensor& x, const Tensor& w, const Tensor& b, const Tensor& dy) {
  const Results r{conv2d(x, w, b, 1, c.padding, c.dilation, c.groups), empty(x.sizes(), {.dtype = x.dtype()}),
                  empty(w.sizes(), {.dtype = w.dtype()})};
  cpu_backend().conv2d_backward_input(r.grad_input, dy, w, {1, 1}, c.padding, c.dilation, c.groups);
  cpu_backend().conv2d_backward_weight(r.grad_weight, dy, x, {1, 1}, c.padding, c.dilation, c.groups);
  return r;
}

void expect_close(const Tensor& got, const Tensor& expected, const std::string& what) {
  const double scale = std::max(1.0, expected.abs().max().item<double>());
  EXPECT_TRUE(allclose(got.to(kFloat64), expected, 1e-4, 1e-4 * scale)) << what;
}

}  // namespace

TEST(ConvPatches, MatchTheUnrolledPatches) {
  manual_seed(11);
  const Case cases[] = {
      {"the CNN's 3x3 padded by 1, two k slices", 2, 32, 8, 14, 14, 3, 3, {1, 1}},
      {"5x5 padded by 2: runs two rows before the image", 3, 8, 4, 9, 7, 5, 5, {2, 2}},
      {"dilated 3x3", 2, 8, 5, 8, 9, 3, 3, {2, 2}, {2, 2}},
      {"3x1 unpadded: fewer output rows, 27 patch rows", 2, 9, 2, 6, 5, 3, 1, {0, 0}},
      {"1x3 padded (2, 1): output rows all padding", 2, 8, 3, 4, 5, 1, 3, {2, 1}},
      {"one-pixel-wide image", 2, 8, 2, 5, 1, 3, 1, {1, 0}},
      {"kernel larger than the image", 2, 8, 3, 2, 3, 5, 5, {2, 2}},
      {"one image in tiles of output rows", 1, 8, 6, 20, 20, 3, 3, {1, 1}},
      {"groups", 2, 16, 4, 7, 6, 3, 3, {1, 1}, {1, 1}, 2},
      {"more images than partial sums", 19, 8, 5, 5, 6, 3, 3, {1, 1}},
  };
  for (const Case& c : cases) {
    const Tensor x = randn({c.batch, c.in_channels, c.height, c.width});
    const Tensor w = randn({c.out_channels, c.in_channels / c.groups, c.kh, c.kw}), b = randn({c.out_channels});
    const Tensor dy = randn_like(conv2d(x, w, b, 1, c.padding, c.dilation, c.groups));
    const Results expected = run(c, x.to(kFloat64), w.to(kFloat64), b.to(kFloat64), dy.to(kFloat64));
    Results one_thread;
    {
      ThreadCount threads(1);
      one_thread = run(c, x, w, b, dy);
    }
    expect_close(one_thread.output, expected.output, c.name + ": output");
    expect_close(one_thread.grad_input, expected.grad_input, c.name + ": input gradient");
    expect_close(one_thread.grad_weight, expected.grad_weight, c.name + ": weight gradient");
    for (int count : {2, 3}) {
      ThreadCount threads(count);
      const Results r = run(c, x, w, b, dy);
      EXPECT_TRUE(equal(r.output, one_thread.output)) << c.name << ", " << count << " threads";
      EXPECT_TRUE(equal(r.grad_input, one_thread.grad_input)) << c.name << ", " << count << " threads";
      EXPECT_TRUE(equal(r.grad_weight, one_thread.grad_weight)) << c.name << ", " << count << " threads";
    }
  }
}

// Images at the very start and end of their allocation, with taps reaching far before and past
// them: the runs outside are read under a mask only (AddressSanitizer checks the build that runs it).
TEST(ConvPatches, ImagesAtTheEdgesOfTheirMemory) {
  manual_seed(12);
  const Tensor x = randn({1, 8, 3, 4}), w = randn({2, 8, 7, 7}), dy = randn({1, 2, 3, 4});
  const Tensor expected = conv2d(x.to(kFloat64), w.to(kFloat64), {}, 1, {3, 3});
  expect_close(conv2d(x, w, {}, 1, {3, 3}), expected, "7x7 on 3x4");
  const Tensor grad = empty(w.sizes()), grad64 = empty(w.sizes(), {.dtype = kFloat64});
  cpu_backend().conv2d_backward_weight(grad, dy, x, {1, 1}, {3, 3}, {1, 1}, 1);
  cpu_backend().conv2d_backward_weight(grad64, dy.to(kFloat64), x.to(kFloat64), {1, 1}, {3, 3}, {1, 1}, 1);
  expect_close(grad, grad64, "weight gradient");
}
