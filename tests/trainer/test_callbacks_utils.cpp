// The original's test_utils.py (§2.6): remove_padding and the process-zero helpers (the
// LimitBatches tests are in test_callbacks.cpp, next to LimitBatchesCallback's).
#include <gtest/gtest.h>

#include <accel/accel.h>
#include <accel/trainer/process_zero.h>
#include <accel/trainer/remove_padding.h>

namespace accel::trainer {
namespace {

TEST(RemovePadding, CanRemovePadding1d) {
  EXPECT_TRUE(equal(remove_padding(tensor({0, 1, 2, 3, -1, -1}), -1), tensor({0, 1, 2, 3})));
}

TEST(RemovePadding, CanRemovePadding2d) {
  Tensor padded = tensor({0, 1, 1, 2, -1, -1, -1, -1}).view({4, 2});
  EXPECT_TRUE(equal(remove_padding(padded, -1), tensor({0, 1, 1, 2}).view({2, 2})));
}

TEST(RemovePadding, CanRemovePadding3d) {
  Tensor padded = tensor({0, 1, 1, 2, -1, -1, -1, -1}).view({2, 2, 2});
  EXPECT_TRUE(equal(remove_padding(padded, -1), tensor({0, 1, 1, 2}).view({1, 2, 2})));
}

TEST(RemovePadding, CanRemovePaddingLastRow) {
  for (const std::vector<int64_t>& shape : {std::vector<int64_t>{3, 4}, {3, 4, 2}, {3, 4, 2, 5}}) {
    Tensor t = ones(shape);
    t.select(0, 2).fill_(-1);
    std::vector<int64_t> expected_shape = shape;
    expected_shape[0] = 2;
    EXPECT_TRUE(equal(remove_padding(t, -1), ones(expected_shape))) << shape.size() << "-d";
  }
}

TEST(ProcessZeroHelpers, AreTransparentWithoutMultipleProcesses) {
  auto fun = [] { return 42; };
  EXPECT_EQ(local_process_zero_only(fun)(), std::optional<int>(42));
  EXPECT_EQ(world_process_zero_only(fun)(), std::optional<int>(42));
  EXPECT_EQ(local_process_zero_first(fun)(), 42);
}

TEST(ProcessZeroHelpers, PassArgumentsAndSupportVoid) {
  int calls = 0;
  local_process_zero_only([&calls](int n) { calls += n; })(2);
  world_process_zero_only([&calls] { ++calls; })();
  local_process_zero_first([&calls](int n) { calls += n; })(10);
  EXPECT_EQ(calls, 13);
  EXPECT_EQ(local_process_zero_first([](int a, int b) { return a * b; })(6, 7), 42);
}

TEST(ProcessZeroHelpers, OnlyRankZeroRunsTheOnlyForms) {
  // Rank 1 of 2 on a single node: the *_only forms skip f; waiting for the other process needs
  // the distributed layer, which is reported rather than hanging.
  setenv("WORLD_SIZE", "2", 1);
  setenv("RANK", "1", 1);
  setenv("LOCAL_WORLD_SIZE", "2", 1);
  setenv("LOCAL_RANK", "1", 1);
  int calls = 0;
  EXPECT_THROW(local_process_zero_only([&calls] { return ++calls; })(), Error);
  EXPECT_THROW(world_process_zero_only([&calls] { return ++calls; })(), Error);
  EXPECT_EQ(calls, 0);
  for (const char* name : {"WORLD_SIZE", "RANK", "LOCAL_WORLD_SIZE", "LOCAL_RANK"}) unsetenv(name);
}

}  // namespace
}  // namespace accel::trainer
