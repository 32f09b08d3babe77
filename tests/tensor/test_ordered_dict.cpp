// OrderedDict keeps insertion order; Tensor::set_data changes a tensor's data for every handle.
#include <gtest/gtest.h>

#include <accel/accel.h>
#include <accel/tensor/ordered_dict.h>

using namespace accel;

TEST(OrderedDict, KeepsInsertionOrderAndRejectsDuplicates) {
  OrderedDict<int> d;
  d.insert("b", 1);
  d.insert("a", 2);
  d.set("c", 3);
  d.set("b", 4);  // replaced in place
  EXPECT_EQ(d.keys(), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(d.values(), (std::vector<int>{4, 2, 3}));
  EXPECT_EQ(d["a"], 2);
  EXPECT_TRUE(d.contains("c"));
  EXPECT_EQ(d.find("z"), nullptr);
  EXPECT_THROW(d.insert("a", 5), Error);
  EXPECT_THROW(d["z"], Error);
  EXPECT_TRUE(d.erase("a"));
  EXPECT_FALSE(d.erase("a"));
  EXPECT_EQ(d.size(), 2u);
  std::string order;
  for (const auto& [key, value] : d) order += key;
  EXPECT_EQ(order, "bc");
}

TEST(SetData, EveryHandleSeesTheNewDataAndHistoryStays) {
  const Tensor w = ones({2, 3}).requires_grad_();
  const Tensor alias = w;
  w.set_data(zeros({4}, {.dtype = kFloat64}));
  EXPECT_EQ(alias.sizes(), IntArrayRef({4}));
  EXPECT_EQ(alias.dtype(), kFloat64);
  EXPECT_TRUE(alias.requires_grad());
  EXPECT_TRUE(alias.is_leaf());
  (alias * 2.0).sum().backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{2, 2, 2, 2}));
  EXPECT_THROW(w.set_data(tensor({1, 2})), Error);  // int64 data for a tensor that requires grad
  EXPECT_THROW(w.set_data(Tensor()), Error);
}
