#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <accel/accel.h>

using namespace accel;

namespace {
using V = std::vector<double>;
using I = std::vector<int64_t>;

V values(const Tensor& t) { return t.to_vector<double>(); }
I ints(const Tensor& t) { return t.to_vector<int64_t>(); }

const std::vector<DType> kAllTypes = {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kUInt8, kBool};

// The message of the accel::Error that fn throws.
template <typename F>
std::string error_of(F fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST(IndexSelect, RowsAndColumnsOfEveryDtype) {
  for (DType dtype : kAllTypes) {
    const Tensor x = tensor({{1, 0, 3}, {4, 5, 0}, {0, 8, 9}}, {.dtype = dtype});
    const Tensor rows = x.index_select(0, tensor({2, 0}));
    EXPECT_EQ(rows.dtype(), dtype);
    const V expect_rows = dtype == kBool ? V{0, 1, 1, 1, 0, 1} : V{0, 8, 9, 1, 0, 3};
    EXPECT_EQ(values(rows), expect_rows) << dtype;
    const V expect_cols = dtype == kBool ? V{0, 0, 1, 1, 1, 1} : V{0, 0, 5, 5, 8, 8};
    EXPECT_EQ(values(x.index_select(1, tensor({1, 1}))), expect_cols) << dtype;
  }
  const Tensor x = tensor({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(values(x.index_select(-1, tensor(1))), (V{2, 4}));  // a 0-dim index keeps the dim
  EXPECT_EQ(x.index_select(0, tensor(1)).sizes(), IntArrayRef({1, 2}));
  EXPECT_EQ(x.index_select(0, zeros({0}, {.dtype = kInt64})).sizes(), IntArrayRef({0, 2}));
  EXPECT_EQ(values(tensor(7.f).index_select(0, tensor({0}))), V{7});
  EXPECT_EQ(values(x.t().index_select(0, tensor({1}))), (V{2, 4}));
  EXPECT_EQ(values(x.index_select(0, tensor({1, 0, 1, 0}).slice(0, 0, 4, 2))), (V{3, 4, 3, 4}));  // strided index
}

TEST(IndexSelect, LargeAndNonContiguousMatchLoops) {
  manual_seed(0);
  const Tensor x = randn({500, 300});
  const Tensor index = randint(0, 500, {400});
  const std::vector<float> data = x.to_vector<float>();
  const I idx = ints(index);
  std::vector<double> expect;
  for (int64_t i : idx)
    for (int64_t c = 0; c < 300; ++c) expect.push_back(data[i * 300 + c]);
  EXPECT_EQ(values(x.index_select(0, index)), expect);
  EXPECT_EQ(values(x.t().index_select(1, index).t().contiguous()), expect);
  const Tensor cols = randint(0, 300, {1000});
  EXPECT_EQ(values(x.index_select(1, cols)), values(x.contiguous().t().index_select(0, cols).t().contiguous()));
}

TEST(Gather, PyTorchExamples) {
  const Tensor t = tensor({{1, 2}, {3, 4}});
  EXPECT_EQ(ints(t.gather(1, tensor({{0, 0}, {1, 0}}))), (I{1, 1, 4, 3}));
  EXPECT_EQ(ints(t.gather(0, tensor({{1, 0}, {0, 0}}))), (I{3, 2, 1, 2}));
  // The index may be smaller than the input in every dim.
  const Tensor x = arange(12).view({3, 4});
  EXPECT_EQ(ints(x.gather(1, tensor({{3}, {0}}))), (I{3, 4}));
  EXPECT_EQ(x.gather(1, tensor({{3}, {0}})).sizes(), IntArrayRef({2, 1}));
  EXPECT_EQ(ints(x.t().gather(0, tensor({{2, 1, 0}}))), (I{2, 5, 8}));
  EXPECT_EQ(ints(tensor(5).gather(0, tensor(0))), I{5});
  for (DType dtype : kAllTypes)
    EXPECT_EQ(values(tensor({0, 1, 2}, {.dtype = dtype}).gather(0, tensor({2, 2, 0}))),
              dtype == kBool ? (V{1, 1, 0}) : (V{2, 2, 0}));
}

TEST(Scatter, AssignTensorAndScalar) {
  const Tensor src = arange(1, 11).view({2, 5});
  const Tensor index = tensor({{0, 1, 2, 0}});
  EXPECT_EQ(ints(zeros({3, 5}, {.dtype = kInt64}).scatter(0, index, src)),
            (I{1, 0, 0, 4, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0}));
  EXPECT_EQ(ints(zeros({3, 5}, {.dtype = kInt64}).scatter(1, tensor({{0, 1, 2}, {0, 1, 4}}), src)),
            (I{1, 2, 3, 0, 0, 6, 7, 0, 0, 8, 0, 0, 0, 0, 0}));
  const Tensor z = zeros({2, 4});
  z.scatter_(1, tensor({{2}, {3}}), 1.23);
  EXPECT_EQ(values(z), (V{0, 0, 1.23f, 0, 0, 0, 0, 1.23f}));
  for (DType dtype : kAllTypes) {
    const Tensor out = zeros({4}, {.dtype = dtype}).scatter(0, tensor({3, 1}), ones({2}, {.dtype = dtype}));
    EXPECT_EQ(values(out), (V{0, 1, 0, 1})) << dtype;
  }
  // Non-contiguous destination: writes land in the viewed storage.
  const Tensor base = zeros({3, 2});
  base.t().scatter_(1, tensor({{2}, {0}}), tensor({{5.f}, {6.f}}));
  EXPECT_EQ(values(base), (V{0, 6, 0, 0, 5, 0}));
}

TEST(Scatter, AddAccumulatesDuplicatesDeterministically) {
  EXPECT_EQ(values(zeros({3}).scatter_add(0, tensor({0, 0, 2, 0}), tensor({1.f, 2.f, 3.f, 4.f}))), (V{7, 0, 3}));
  EXPECT_EQ(ints(zeros({3, 5}, {.dtype = kInt64}).scatter_add(0, tensor({{0, 1, 2, 0, 0}}), ones({1, 5}, {.dtype = kInt64}))),
            (I{1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}));
  const Tensor acc = ones({2, 2}, {.dtype = kInt32});
  acc.scatter_add_(1, tensor({{1, 1}, {0, 0}}), tensor({{2, 3}, {4, 5}}, {.dtype = kInt32}));
  EXPECT_EQ(ints(acc), (I{1, 6, 10, 1}));

  // Many duplicates into few bins: the sum order is fixed (index order within each line), so
  // results equal a sequential loop bit for bit.
  manual_seed(3);
  const Tensor src = randn({200000});
  const Tensor index = randint(0, 7, {200000});
  const Tensor out = zeros({7}).scatter_add(0, index, src);
  std::vector<float> expect(7, 0.f);
  const std::vector<float> s = src.to_vector<float>();
  const I idx = ints(index);
  for (size_t i = 0; i < s.size(); ++i) expect[idx[i]] += s[i];
  EXPECT_EQ(out.to_vector<float>(), expect);
  EXPECT_EQ(values(zeros({7}).scatter_add(0, index, src)), values(out));

  // Many lines in parallel, each with duplicates.
  const Tensor src2 = randn({3000, 40});
  const Tensor index2 = randint(0, 5, {3000, 40});
  const Tensor out2 = zeros({3000, 5}).scatter_add(1, index2, src2);
  const std::vector<float> s2 = src2.to_vector<float>();
  const I idx2 = ints(index2);
  std::vector<float> expect2(3000 * 5, 0.f);
  for (int64_t r = 0; r < 3000; ++r)
    for (int64_t c = 0; c < 40; ++c) expect2[r * 5 + idx2[r * 40 + c]] += s2[r * 40 + c];
  EXPECT_EQ(out2.to_vector<float>(), expect2);
}

TEST(IndexAdd, RowsAlphaAndDuplicates) {
  const Tensor x = ones({5, 3});
  const Tensor t = tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}, {7.f, 8.f, 9.f}});
  EXPECT_EQ(values(x.index_add(0, tensor({0, 4, 2}), t)), (V{2, 3, 4, 1, 1, 1, 8, 9, 10, 1, 1, 1, 5, 6, 7}));
  EXPECT_EQ(values(x.index_add(0, tensor({0, 4, 2}), t, 2)), (V{3, 5, 7, 1, 1, 1, 15, 17, 19, 1, 1, 1, 9, 11, 13}));
  EXPECT_EQ(values(x.index_add(0, tensor({1, 1, 1}), t).slice(0, 1, 2)), (V{13, 16, 19}));
  EXPECT_EQ(values(zeros({2, 2}).index_add(1, tensor({1, 1, 0}), t.slice(0, 0, 2))), (V{3, 3, 6, 9}));
  const Tensor y = zeros({3}, {.dtype = kInt64});
  y.index_add_(0, tensor({2, 0, 2}), tensor({1, 2, 3}), 10);
  EXPECT_EQ(ints(y), (I{20, 0, 40}));
  EXPECT_THROW(y.index_add_(0, tensor({0}), tensor({1}), 0.5), Error);  // float alpha on integers
}

TEST(MaskedSelectNonzeroOneHot, Values) {
  const Tensor x = tensor({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(values(x.masked_select(tensor({{true, false}, {false, true}}))), (V{1, 4}));
  EXPECT_EQ(values(x.masked_select(tensor({true, false}))), (V{1, 3}));  // the mask broadcasts
  EXPECT_EQ(values(tensor({5.f}).masked_select(tensor({{true}, {true}}))), (V{5, 5}));  // and so does x
  EXPECT_EQ(x.masked_select(zeros({2}, {.dtype = kBool})).sizes(), IntArrayRef({0}));

  EXPECT_EQ(ints(tensor({{0, 1}, {2, 0}}).nonzero()), (I{0, 1, 1, 0}));
  EXPECT_EQ(tensor({{0, 1}, {2, 0}}).nonzero().sizes(), IntArrayRef({2, 2}));
  EXPECT_EQ(ints(tensor({0.f, -1.f, std::nanf(""), 0.f}).nonzero()), (I{1, 2}));
  EXPECT_EQ(tensor(3).nonzero().sizes(), IntArrayRef({1, 0}));
  EXPECT_EQ(tensor(0).nonzero().sizes(), IntArrayRef({0, 0}));
  EXPECT_EQ(zeros({0, 3}).nonzero().sizes(), IntArrayRef({0, 2}));
  EXPECT_EQ(ints(tensor({false, true, true}).nonzero()), (I{1, 2}));
  EXPECT_EQ(ints(tensor({{0, 1}, {2, 0}}).t().nonzero()), (I{0, 1, 1, 0}));

  EXPECT_EQ(ints(one_hot(tensor({0, 2, 1}))), (I{1, 0, 0, 0, 0, 1, 0, 1, 0}));
  EXPECT_EQ(one_hot(tensor({{0}, {1}}), 4).sizes(), IntArrayRef({2, 1, 4}));
  EXPECT_EQ(one_hot(tensor({1}), 4).dtype(), kInt64);
  EXPECT_THROW(one_hot(tensor({-1, 0})), Error);
  EXPECT_THROW(one_hot(tensor({3}), 3), Error);
  EXPECT_THROW(one_hot(tensor({1}, {.dtype = kInt32})), Error);
  EXPECT_THROW(one_hot(zeros({0}, {.dtype = kInt64})), Error);
}

TEST(Nonzero, LargeInputsMatchLoop) {
  manual_seed(4);
  const Tensor x = (rand({300, 500}) > 0.7).permute({1, 0});  // non-contiguous, 150000 elements
  const std::vector<bool> mask = x.contiguous().to_vector<bool>();
  I expect;
  for (int64_t i = 0; i < 500; ++i)
    for (int64_t j = 0; j < 300; ++j)
      if (mask[i * 300 + j]) {
        expect.push_back(i);
        expect.push_back(j);
      }
  EXPECT_EQ(ints(x.nonzero()), expect);
  EXPECT_EQ(ints(x.to(kFloat16).nonzero()), expect);
}

TEST(Indexing, OutOfRangeIndicesAreErrorsNamingTheOpIndexAndSize) {
  const Tensor x = zeros({3, 4});
  const std::string message = error_of([&] { x.index_select(1, tensor({0, 4})); });
  EXPECT_NE(message.find("index_select"), std::string::npos) << message;
  EXPECT_NE(message.find("index 4"), std::string::npos) << message;
  EXPECT_NE(message.find("size 4"), std::string::npos) << message;
  EXPECT_THROW(x.index_select(0, tensor({-1})), Error);
  EXPECT_THROW(x.gather(0, tensor({{3, 0, 0, 0}})), Error);
  EXPECT_THROW(x.gather(1, tensor({{-1}})), Error);
  EXPECT_THROW(x.scatter(0, tensor({{3}}), ones({1, 1})), Error);
  EXPECT_THROW(x.scatter_add(1, tensor({{4}}), ones({1, 1})), Error);
  EXPECT_THROW(x.scatter(1, tensor({{9}}), 1.0), Error);
  EXPECT_THROW(x.index_add(0, tensor({3}), ones({1, 4})), Error);
  EXPECT_EQ(values(x), V(12, 0));  // nothing was written
}

TEST(Indexing, BadDtypesShapesAndDims) {
  const Tensor x = zeros({3, 4});
  const Tensor i32 = tensor({0, 1}, {.dtype = kInt32});
  EXPECT_NE(error_of([&] { x.gather(0, i32.view({1, 2})); }).find("int64"), std::string::npos);
  EXPECT_THROW(x.scatter(0, i32.view({1, 2}), ones({1, 2})), Error);
  EXPECT_THROW(x.scatter_add(0, tensor({{0}}, {.dtype = kUInt8}), ones({1, 1})), Error);
  EXPECT_THROW(x.index_select(0, tensor({0.5f})), Error);
  EXPECT_THROW(x.index_add(0, tensor({0}, {.dtype = kUInt8}), ones({1, 4})), Error);
  // index_select and index_add also take int32 indices, as PyTorch does.
  EXPECT_EQ(values(arange(6.f).view({3, 2}).index_select(0, i32)), (V{0, 1, 2, 3}));
  EXPECT_EQ(values(x.index_add(0, i32, ones({2, 4})).sum({1})), (V{4, 4, 0}));
  EXPECT_THROW(x.index_select(0, tensor({3}, {.dtype = kInt32})), Error);

  EXPECT_THROW(x.index_select(2, tensor({0})), Error);        // dim out of range
  EXPECT_THROW(x.index_select(0, tensor({{0}})), Error);      // 2-D index
  EXPECT_THROW(x.gather(0, tensor({0})), Error);              // ndim mismatch
  EXPECT_THROW(x.gather(0, zeros({1, 5}, {.dtype = kInt64})), Error);  // index larger than x
  EXPECT_THROW(x.gather(-3, zeros({1, 1}, {.dtype = kInt64})), Error);
  EXPECT_THROW(x.scatter(0, zeros({1, 2}, {.dtype = kInt64}), ones({1, 1})), Error);  // index larger than src
  EXPECT_THROW(x.scatter(0, zeros({1, 1}, {.dtype = kInt64}), ones({1, 1}, {.dtype = kFloat64})), Error);
  EXPECT_THROW(x.index_add(0, tensor({0, 1}), ones({3, 4})), Error);  // index count != source.size(dim)
  EXPECT_THROW(x.index_add(0, tensor({0}), ones({1, 3})), Error);     // other dims must match
  EXPECT_THROW(x.index_add(0, tensor({0}), ones({1, 4}, {.dtype = kInt64})), Error);
  EXPECT_THROW(x.masked_select(ones({3, 4})), Error);                 // mask must be bool
  EXPECT_THROW(x.masked_select(ones({2}, {.dtype = kBool})), Error);  // does not broadcast
  EXPECT_THROW(zeros({1}).expand({3}).scatter_(0, tensor({0}), ones({1})), Error);  // overlapping memory
  EXPECT_THROW(index_select(Tensor(), 0, tensor({0})), Error);
}
