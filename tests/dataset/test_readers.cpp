// Readers: IDX (raw, gzip, every truncation), MNIST/Fashion-MNIST (fixtures and the real files),
// CIFAR-10 binary and CSV, with the errors corrupt files raise.
#include <gtest/gtest.h>

#include <filesystem>

#include <accel/accel.h>
#include <accel/data/data.h>

#include "../expect_error.h"
#include "fixtures.h"

namespace {

using namespace accel;
using fixtures::TempDir;

using accel_testing::expect_error;

// A 2x3 uint8 IDX file: 1..6.
std::vector<uint8_t> tiny_idx() { return fixtures::idx_file(0x08, {2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(ReadIdx, RawAndGzipGiveTheSameTensor) {
  TempDir dir;
  const Tensor expected = tensor({{1, 2, 3}, {4, 5, 6}}, {.dtype = kUInt8});
  EXPECT_TRUE(equal(data::read_idx(dir.write("a.idx", tiny_idx())), expected));
  EXPECT_TRUE(equal(data::read_idx(dir.write("a.idx.gz", fixtures::gzip_stored(tiny_idx()))), expected));
}

TEST(ReadIdx, WiderTypesAreBigEndian) {
  TempDir dir;
  EXPECT_TRUE(equal(data::read_idx(dir.write("i32", fixtures::idx_file(0x0C, {2}, {0, 0, 1, 2, 0xFF, 0xFF, 0xFF, 0xFE}))),
                    tensor({258, -2}, {.dtype = kInt32})));
  EXPECT_TRUE(equal(data::read_idx(dir.write("i16", fixtures::idx_file(0x0B, {1}, {0xFF, 0xFD}))),
                    tensor({-3}, {.dtype = kInt32})));
  EXPECT_TRUE(equal(data::read_idx(dir.write("i8", fixtures::idx_file(0x09, {1}, {0x80}))),
                    tensor({-128}, {.dtype = kInt32})));
  EXPECT_TRUE(equal(data::read_idx(dir.write("f32", fixtures::idx_file(0x0D, {1}, {0x3F, 0xC0, 0, 0}))),
                    tensor({1.5f})));
  EXPECT_TRUE(equal(data::read_idx(dir.write("f64", fixtures::idx_file(0x0E, {1}, {0xC0, 0, 0, 0, 0, 0, 0, 0}))),
                    tensor({-2.0}, {.dtype = kFloat64})));
  EXPECT_EQ(data::read_idx(dir.write("empty", fixtures::idx_file(0x08, {0, 28}, {}))).sizes(), IntArrayRef({0, 28}));
}

TEST(ReadIdx, EveryTruncationRaisesAnErrorNamingTheFile) {
  TempDir dir;
  const std::vector<uint8_t> raw = tiny_idx();
  const std::vector<uint8_t> gz = fixtures::gzip_stored(raw);
  for (const auto* whole : {&raw, &gz}) {
    for (size_t n = 0; n < whole->size(); ++n) {
      const std::string path = dir.write("cut" + std::to_string(n), std::vector<uint8_t>(whole->begin(), whole->begin() + n));
      expect_error([&] { data::read_idx(path); }, path);
    }
  }
}

TEST(ReadIdx, CorruptHeadersAndData) {
  TempDir dir;
  std::vector<uint8_t> bad_magic = tiny_idx();
  bad_magic[0] = 1;
  expect_error([&] { data::read_idx(dir.write("magic", bad_magic)); }, "not an IDX file");
  expect_error([&] { data::read_idx(dir.write("type", fixtures::idx_file(0x07, {1}, {0}))); }, "unknown IDX element type");
  expect_error([&] { data::read_idx(dir.write("long", fixtures::idx_file(0x08, {2}, {1, 2, 3}))); }, "need 2 bytes");
  expect_error([&] { data::read_idx(dir.write("huge", fixtures::idx_file(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 2}, {1}))); },
                      "need more data");
  std::vector<uint8_t> gz = fixtures::gzip_stored(tiny_idx());
  gz[gz.size() - 5] ^= 0xFF;  // the CRC
  expect_error([&] { data::read_idx(dir.write("crc.gz", gz)); }, "corrupt or truncated gzip");
  expect_error([&] { data::read_idx(dir.file("missing")); }, "cannot open");
}

// An MNIST-format folder with n 2x2 images (image i filled with i) and labels 9 - i.
void write_mnist(const TempDir& dir, const std::string& prefix, uint32_t n, bool gzip) {
  std::vector<uint8_t> pixels, labels;
  for (uint32_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 4, static_cast<uint8_t>(i));
    labels.push_back(static_cast<uint8_t>(9 - i));
  }
  auto encode = [&](const std::vector<uint8_t>& b) { return gzip ? fixtures::gzip_stored(b) : b; };
  const std::string suffix = gzip ? ".gz" : "";
  dir.write(prefix + "-images-idx3-ubyte" + suffix, encode(fixtures::idx_file(0x08, {n, 2, 2}, pixels)));
  dir.write(prefix + "-labels-idx1-ubyte" + suffix, encode(fixtures::idx_file(0x08, {n}, labels)));
}

TEST(MNIST, ReadsTrainAndTestSplitsRawOrGzip) {
  TempDir dir;
  write_mnist(dir, "train", 3, false);
  write_mnist(dir, "t10k", 2, true);
  const data::MNIST train(dir.file(""), true);
  ASSERT_EQ(train.size(), 3);
  const data::Example e = train.get(2);
  EXPECT_TRUE(equal(e[0], full({1, 2, 2}, 2, {.dtype = kUInt8})));
  EXPECT_EQ(e[1].dtype(), kInt64);
  EXPECT_EQ(e[1].item<int64_t>(), 7);
  const data::FashionMNIST test(dir.file(""), false, kFloat32);
  ASSERT_EQ(test.size(), 2);
  EXPECT_TRUE(allclose(test.get(1)[0], full({1, 2, 2}, 1.f / 255)));
  EXPECT_EQ(test.images().sizes(), IntArrayRef({2, 1, 2, 2}));
  // Batches gather images and labels alike, in the order asked (float32 and uint8 take different
  // paths), check every index, and may be empty.
  for (const data::MNIST* set : {static_cast<const data::MNIST*>(&test), &train}) {
    const std::optional<data::Batch> batch = set->get_batch({1, 0, 1});
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ((*batch)[0].sizes(), IntArrayRef({3, 1, 2, 2}));
    for (int64_t j = 0; j < 3; ++j) EXPECT_TRUE(equal((*batch)[0][j], set->get(j == 1 ? 0 : 1)[0])) << j;
    EXPECT_EQ((*batch)[1].to_vector<int64_t>(), (std::vector<int64_t>{8, 9, 8}));
    expect_error([&] { set->get_batch({0, set->size()}); }, "index " + std::to_string(set->size()) + " is out of range");
    expect_error([&] { set->get_batch({-1}); }, "index -1 is out of range");
    EXPECT_EQ(set->get_batch({})->at(0).sizes(), IntArrayRef({0, 1, 2, 2}));
  }
}

// Every byte value, in every floating dtype, through get, get_batch and images(): the pixel
// divided by 255 in that dtype, bit for bit. float32 batches take a loop of their own, eight pixels at
// a time and then one by one: 3 x 3 images have both.
TEST(MNIST, FloatingImagesArePixelsOver255Exactly) {
  TempDir dir;
  constexpr int kImages = 29;  // 261 pixels: every byte value
  std::vector<uint8_t> pixels(kImages * 9), labels(kImages);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i % 256);
  dir.write("train-images-idx3-ubyte", fixtures::idx_file(0x08, {kImages, 3, 3}, pixels));
  dir.write("train-labels-idx1-ubyte", fixtures::idx_file(0x08, {kImages}, labels));
  const Tensor bytes = tensor(std::vector<int64_t>(pixels.begin(), pixels.end())).reshape({kImages, 1, 3, 3});
  for (DType dtype : {kFloat32, kFloat64, kFloat16, kBFloat16}) {
    const data::MNIST mnist(dir.file(""), true, dtype);
    const Tensor expected = bytes.to(dtype).div(255);
    EXPECT_TRUE(equal(mnist.images(), expected)) << name(dtype);
    EXPECT_TRUE(equal(mnist.get(17)[0], expected[17])) << name(dtype);
    std::vector<int64_t> all(kImages);
    for (int i = 0; i < kImages; ++i) all[i] = (i * 7) % kImages;  // every image, shuffled
    all.push_back(5);
    const std::optional<data::Batch> batch = mnist.get_batch(all);
    ASSERT_TRUE(batch.has_value());
    EXPECT_TRUE(equal((*batch)[0], expected.index_select(0, tensor(all)))) << name(dtype);
    EXPECT_EQ((*batch)[0].dtype(), dtype);
  }
}

TEST(MNIST, MismatchedOrMissingFiles) {
  TempDir dir;
  write_mnist(dir, "train", 3, false);
  dir.write("train-labels-idx1-ubyte", fixtures::idx_file(0x08, {2}, {0, 1}));
  expect_error([&] { data::MNIST(dir.file(""), true); }, "3 images");
  expect_error([&] { data::MNIST(dir.file(""), false); }, "t10k-images-idx3-ubyte");
  expect_error([&] { data::MNIST(dir.file(""), true, kInt32); }, "image dtype");
  dir.write("train-labels-idx1-ubyte", fixtures::idx_file(0x08, {3, 1}, {0, 1, 2}));
  expect_error([&] { data::MNIST(dir.file(""), true); }, "train-labels-idx1-ubyte: expected uint8 labels");
}

TEST(FashionMNIST, RealFilesFromTheDebianPackage) {
  if (!std::filesystem::exists(data::FashionMNIST::kDebianRoot))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/install-deps.sh)";
  const data::FashionMNIST train;  // kDebianRoot, train split, uint8
  const data::FashionMNIST test(data::FashionMNIST::kDebianRoot, false);
  ASSERT_EQ(train.size(), 60000);
  ASSERT_EQ(test.size(), 10000);
  EXPECT_EQ(train.images().sizes(), IntArrayRef({60000, 1, 28, 28}));
  // Expected values read with Python's gzip module.
  EXPECT_EQ(train.labels().narrow(0, 0, 10).to_vector<int64_t>(), (std::vector<int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(test.labels().narrow(0, 0, 10).to_vector<int64_t>(), (std::vector<int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  const Tensor first = train.get(0)[0];
  EXPECT_EQ(first.sizes(), IntArrayRef({1, 28, 28}));
  EXPECT_EQ(first.to(kInt64).sum().item<int64_t>(), 76247);
  EXPECT_EQ(first[0][14].narrow(0, 10, 6).to(kInt64).to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 237, 226, 217, 223}));
  EXPECT_EQ(test.get(0)[0].to(kInt64).sum().item<int64_t>(), 33456);
  const Tensor counts = zeros({10}, {.dtype = kInt64}).index_add(0, train.labels(), ones({60000}, {.dtype = kInt64}));
  EXPECT_TRUE(equal(counts, full({10}, 6000)));  // the classes are balanced
}

// n CIFAR-10 records: record i has label i % 10 and every pixel equal to i.
std::vector<uint8_t> cifar_records(int n) {
  std::vector<uint8_t> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(static_cast<uint8_t>(i % 10));
    out.insert(out.end(), 3072, static_cast<uint8_t>(i));
  }
  return out;
}

TEST(CIFAR10, ReadsTheBinaryBatches) {
  TempDir dir;
  for (int b = 1; b <= 5; ++b) dir.write("data_batch_" + std::to_string(b) + ".bin", cifar_records(b));
  dir.write("test_batch.bin", fixtures::gzip_stored(cifar_records(3)));
  const data::CIFAR10 train(dir.file(""), true);
  ASSERT_EQ(train.size(), 1 + 2 + 3 + 4 + 5);
  EXPECT_EQ(train.images().sizes(), IntArrayRef({15, 3, 32, 32}));
  EXPECT_EQ(train.get(2)[1].item<int64_t>(), 1);  // batch 2's second record
  EXPECT_TRUE(equal(train.get(2)[0], full({3, 32, 32}, 1, {.dtype = kUInt8})));
  const data::CIFAR10 test(dir.file(""), false, kFloat32);
  ASSERT_EQ(test.size(), 3);
  EXPECT_TRUE(allclose(test.get(2)[0], full({3, 32, 32}, 2.f / 255)));
}

TEST(CIFAR10, CorruptFiles) {
  TempDir dir;
  std::vector<uint8_t> records = cifar_records(2);
  const std::string cut = dir.write("test_batch.bin", std::vector<uint8_t>(records.begin(), records.end() - 1));
  expect_error([&] { data::CIFAR10(dir.file(""), false); }, cut);
  records[3073] = 10;
  dir.write("test_batch.bin", records);
  expect_error([&] { data::read_cifar10_batch(dir.file("test_batch.bin")); }, "label 10");
  expect_error([&] { data::CIFAR10(dir.file(""), true); }, "data_batch_1.bin not found");
}

TEST(CSVDataset, FeaturesAndTargetColumn) {
  TempDir dir;
  const std::string path = dir.write("iris.csv", "a,b,label,c\n1, 2.5,0,3\r\n\n-4,5e1,2,6\n");
  const data::CSVDataset last(path, {.header = true});
  ASSERT_EQ(last.size(), 2);
  EXPECT_TRUE(equal(last.get(1)[0], tensor({-4.f, 50.f, 2.f})));
  EXPECT_EQ(last.get(1)[1].item<float>(), 6.f);
  const data::CSVDataset labelled(path, {.header = true, .target_column = 2, .target_dtype = kInt64});
  EXPECT_TRUE(equal(labelled.features(), tensor({{1.f, 2.5f, 3.f}, {-4.f, 50.f, 6.f}})));
  EXPECT_TRUE(equal(labelled.targets(), tensor({0, 2})));
  const data::CSVDataset unlabelled(dir.write("x.tsv", "1\t2\n3\t4"),
                                    {.target_column = std::nullopt, .delimiter = '\t', .dtype = kFloat64});
  ASSERT_EQ(unlabelled.get(1).size(), 1u);
  EXPECT_TRUE(equal(unlabelled.get(1)[0], tensor({3.0, 4.0}, {.dtype = kFloat64})));
}

TEST(CSVDataset, Errors) {
  TempDir dir;
  expect_error([&] { data::CSVDataset(dir.write("a.csv", "1,2\n3,x\n")); }, "a.csv:2 column 2: 'x' is not a number");
  expect_error([&] { data::CSVDataset(dir.write("b.csv", "1,2\n3\n")); }, "b.csv:2: 1 columns, expected 2");
  expect_error([&] { data::CSVDataset(dir.write("c.csv", "1,,2\n")); }, "'' is not a number");
  expect_error([&] { data::CSVDataset(dir.write("d.csv", "h\n"), {.header = true}); }, "no data rows");
  expect_error([&] { data::CSVDataset(dir.write("e.csv", "1,2\n"), {.target_column = 2}); }, "target column 2");
  expect_error([&] { data::CSVDataset(dir.write("f.csv", "1,2.5\n"), {.target_dtype = kInt64}); },
                      "expected an integer");
}

}  // namespace
