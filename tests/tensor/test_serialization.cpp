// safetensors I/O: round trips, files written by PyTorch, malformed input, atomic writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/tensor/serialization.h>

using namespace accel;
using testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

const fs::path kDataDir = fs::path(ACCEL_TEST_DATA_DIR) / "safetensors";
const fs::path kRepo = fs::path(ACCEL_TEST_DATA_DIR).parent_path().parent_path();

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// The 8-byte little-endian length, the header text, the data.
std::string with_header(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * b));
  return out + header + data;
}

std::string header_of(const std::string& bytes) {
  uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = n << 8 | static_cast<unsigned char>(bytes[b]);
  return bytes.substr(8, n);
}

// tools/safetensors_roundtrip.py's pattern_value: element i of the j-th tensor.
double pattern_value(int64_t j, int64_t i, DType dtype) {
  const int64_t k = (i * 7 + j * 3) % 17;
  if (dtype == kBool) return (i + j) % 3 == 0;
  if (dtype == kUInt8) return static_cast<double>(k);
  if (dtype == kInt32 || dtype == kInt64) return static_cast<double>(k - 8);
  return static_cast<double>(k - 8) / 16;
}

Tensor pattern_tensor(int64_t j, const std::vector<int64_t>& shape, DType dtype) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<double> values;
  for (int64_t i = 0; i < n; ++i) values.push_back(pattern_value(j, i, dtype));
  return tensor(values, {.dtype = dtype}).reshape(shape);
}

// The tensors of tools/safetensors_roundtrip.py's expected_tensors(): the state_dict of
// Sequential(Conv2d(1, 2, 3), BatchNorm2d(2), ReLU(), Flatten(), Linear(8, 3)) and one tensor per dtype.
StateDict expected_tensors() {
  struct Spec {
    std::string name;
    std::vector<int64_t> shape;
    DType dtype;
  };
  const std::vector<Spec> specs = {
      {"0.weight", {2, 1, 3, 3}, kFloat32}, {"0.bias", {2}, kFloat32},
      {"1.weight", {2}, kFloat32},          {"1.bias", {2}, kFloat32},
      {"1.running_mean", {2}, kFloat32},    {"1.running_var", {2}, kFloat32},
      {"1.num_batches_tracked", {}, kInt64}, {"4.weight", {3, 8}, kFloat32},
      {"4.bias", {3}, kFloat32},            {"extra.f64", {2, 3}, kFloat64},
      {"extra.f16", {5}, kFloat16},         {"extra.bf16", {2, 2}, kBFloat16},
      {"extra.i32", {4}, kInt32},           {"extra.u8", {3, 1}, kUInt8},
      {"extra.bool", {6}, kBool},           {"extra.scalar", {}, kFloat32},
      {"extra.empty", {0, 3}, kFloat32},
  };
  StateDict tensors;
  for (size_t j = 0; j < specs.size(); ++j)
    tensors.insert(specs[j].name, pattern_tensor(static_cast<int64_t>(j), specs[j].shape, specs[j].dtype));
  return tensors;
}

// Same names, dtypes, shapes and values; the order is compared separately where it matters.
void expect_same_tensors(const StateDict& got, const StateDict& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, w] : want) {
    SCOPED_TRACE(name);
    const Tensor* g = got.find(name);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->dtype(), w.dtype());
    EXPECT_EQ(g->sizes(), w.sizes());
    EXPECT_TRUE(equal(*g, w));
  }
}

void expect_load_error(const std::string& bytes, const std::string& problem) {
  try {
    load_from_bytes(bytes);
    ADD_FAILURE() << "no error for: " << bytes.substr(std::min<size_t>(8, bytes.size()));
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("load_from_bytes"));
    EXPECT_THAT(e.what(), HasSubstr(problem));
  }
}

// A fresh directory per test, removed afterwards.
class SafeTensorsFiles : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("accel_serialization_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) names.push_back(entry.path().filename());
    return names;
  }
  fs::path dir_;
};

}  // namespace

// ---- round trips ------------------------------------------------------------------------------

TEST(SafeTensors, RoundTripsEveryDTypeInDictOrder) {
  const StateDict tensors = expected_tensors();
  const StateDict loaded = load_from_bytes(save_to_bytes(tensors));
  expect_same_tensors(loaded, tensors);
  EXPECT_EQ(loaded.keys(), tensors.keys());
}

TEST(SafeTensors, SavesNonContiguousTensorsAsTheirValues) {
  const Tensor base = arange(12, {.dtype = kFloat32}).reshape({3, 4});
  StateDict tensors;
  tensors.insert("transposed", base.t());
  tensors.insert("strided", base.slice(1, 0, 4, 2));
  tensors.insert("expanded", tensor({1, 2}, {.dtype = kInt32}).expand({3, 2}));
  tensors.insert("offset", base[2]);
  const StateDict loaded = load_from_bytes(save_to_bytes(tensors));
  for (const auto& [name, t] : tensors) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(loaded[name].is_contiguous());
    EXPECT_TRUE(equal(loaded[name], t));
  }
}

TEST(SafeTensors, DetachesTensorsThatRequireGrad) {
  const Tensor w = randn({2, 3}, {.requires_grad = true});
  const StateDict loaded = load_from_bytes(save_to_bytes({{"w", w * 2}}));
  EXPECT_FALSE(loaded["w"].requires_grad());
  EXPECT_TRUE(equal(loaded["w"], (w * 2).detach()));
}

TEST(SafeTensors, EmptyDictAndMetadataOnly) {
  EXPECT_TRUE(load_from_bytes(save_to_bytes({})).empty());
  const std::string bytes = save_to_bytes({}, {{"epoch", "3"}});
  EXPECT_EQ(header_of(bytes), R"({"__metadata__":{"epoch":"3"}})" + std::string(2, ' '));
  EXPECT_TRUE(load_from_bytes(bytes).empty());
}

TEST_F(SafeTensorsFiles, RoundTripsThroughAFileWithMetadata) {
  const std::string path = dir_ / "model.safetensors";
  const OrderedDict<std::string> metadata = {{"format", "pt"}, {"note", "ünïcode \"quoted\"\n"}};
  save(expected_tensors(), path, metadata);
  expect_same_tensors(load(path), expected_tensors());
  const OrderedDict<std::string> read = load_metadata(path);
  EXPECT_EQ(read.keys(), metadata.keys());
  EXPECT_EQ(read["note"], metadata["note"]);
  EXPECT_THAT(files(), testing::ElementsAre("model.safetensors"));
}

TEST(SafeTensors, LaysOutDataLargestItemsizeFirstAndHeaderInDictOrder) {
  StateDict tensors;
  tensors.insert("u8", tensor({1, 2, 3}, {.dtype = kUInt8}));
  tensors.insert("f32", tensor({1.5, -2.0}));
  tensors.insert("f64", tensor({0.25}, {.dtype = kFloat64}));
  const std::string bytes = save_to_bytes(tensors);
  const std::string header = header_of(bytes);
  // Every tensor starts at a multiple of its itemsize; the data starts 8-aligned.
  EXPECT_EQ(header, R"({"u8":{"dtype":"U8","shape":[3],"data_offsets":[16,19]},)"
                    R"("f32":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                    R"("f64":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}} )");
  EXPECT_EQ((8 + header.size()) % 8, 0u);
  EXPECT_EQ(load_from_bytes(bytes).keys(), tensors.keys());
}

TEST(SafeTensors, SaveRejectsWhatTheFormatCannotHold) {
  EXPECT_THROW(save_to_bytes({{"w", Tensor()}}), Error);
  EXPECT_THROW(save_to_bytes({{"__metadata__", ones({1})}}), Error);
  try {
    save_to_bytes({{std::string("bad\xff", 4), ones({1})}});
    ADD_FAILURE() << "invalid UTF-8 accepted";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("not valid UTF-8"));
  }
}

TEST(SafeTensors, SavesAndLoadsCudaTensors) {
  if (!cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const Tensor t = arange(6, {.dtype = kFloat32, .device = Device::cuda(0)}).reshape({2, 3}).t();
  const StateDict loaded = load_from_bytes(save_to_bytes({{"t", t}}), Device::cuda(0));
  EXPECT_TRUE(loaded["t"].is_cuda());
  EXPECT_TRUE(equal(loaded["t"].cpu(), t.cpu()));
}

// ---- interchange with the Python library ------------------------------------------------------

TEST(SafeTensors, WritesTheSameBytesAsThePythonLibrary) {
  // tools/safetensors_roundtrip.py's python_layout tensors, inserted in the order Python laid them out.
  StateDict tensors;
  tensors.insert("c_i64", tensor(-7));
  tensors.insert("a_f32", tensor({{0.5, -1.0}, {2.0, 1e-3}}));
  tensors.insert("d_bf16", tensor({1.5, -0.25}, {.dtype = kBFloat16}));
  tensors.insert("f_empty", zeros({0, 2}, {.dtype = kFloat16}));
  tensors.insert("b_u8", tensor({1, 2, 3}, {.dtype = kUInt8}));
  tensors.insert("e_bool", tensor({true, false}));
  const std::string python = read_file(kDataDir / "python_layout.safetensors");
  ASSERT_FALSE(python.empty());
  EXPECT_EQ(save_to_bytes(tensors, {{"format", "pt"}}), python);
  expect_same_tensors(load_from_bytes(python), tensors);
}

TEST(SafeTensors, LoadsAPyTorchStateDict) {
  const std::string path = kDataDir / "torch_model.safetensors";
  expect_same_tensors(load(path), expected_tensors());
  const OrderedDict<std::string> metadata = load_metadata(path);
  ASSERT_EQ(metadata.size(), 1u);
  EXPECT_EQ(metadata["format"], "pt");
}

// Runs tools/safetensors_roundtrip.py with the reference PyTorch: accel -> PyTorch and back.
TEST_F(SafeTensorsFiles, RoundTripsWithPyTorch) {
  const fs::path python = kRepo / ".venv-torch" / "bin" / "python";
  if (!fs::exists(python))
    GTEST_SKIP() << python << " not found (tools/setup-reference-torch.sh creates it); "
                 << "the committed fixtures still test files written by PyTorch";
  const fs::path script = kRepo / "tools" / "safetensors_roundtrip.py";
  auto run = [&](const std::string& mode, const fs::path& file) {
    const std::string command = python.string() + " " + script.string() + " " + mode + " " + file.string();
    return std::system(command.c_str());
  };
  const fs::path from_accel = dir_ / "from_accel.safetensors";
  save(expected_tensors(), from_accel, {{"format", "pt"}});
  EXPECT_EQ(run("check", from_accel), 0) << "PyTorch read different tensors (its messages are above)";

  const fs::path from_torch = dir_ / "from_torch.safetensors";
  ASSERT_EQ(run("write", from_torch), 0);
  expect_same_tensors(load(from_torch), expected_tensors());
}

// ---- malformed input --------------------------------------------------------------------------

TEST(SafeTensors, RejectsBadLengthPrefixes) {
  expect_load_error("", "truncated");
  expect_load_error("\x10\0\0", "truncated");
  expect_load_error(with_header("{}").substr(0, 9), "truncated");
  std::string huge(8, '\xff');  // 2^64 - 1
  expect_load_error(huge + "{}", "exceeds the limit");
  std::string over_limit = with_header("{}");
  over_limit[3] = 0x10;  // 2^28 + 2: over the 100 MB cap, so nothing that size is ever allocated
  expect_load_error(over_limit, "exceeds the limit");
  std::string beyond_file = with_header("{}");
  beyond_file[1] = 1;  // 258 bytes claimed, 2 present
  expect_load_error(beyond_file, "truncated");
}

TEST(SafeTensors, RejectsMalformedHeaders) {
  const std::string f32x2 = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string data8(8, '\0');
  std::string ones65 = "1";
  for (int i = 0; i < 64; ++i) ones65 += ",1";
  struct Case {
    std::string header;
    std::string data;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"", "", "does not start with '{'"},
      {"[]", "", "does not start with '{'"},
      {R"({"a":)", "", "not valid JSON"},
      {R"({} x)", "", "not valid JSON"},
      {R"({"a":3})", "", "tensor 'a' is a number, not an object"},
      {R"({"a":[]})", "", "tensor 'a' is an array, not an object"},
      {R"({"a":{"shape":[2],"data_offsets":[0,8]}})", data8, "tensor 'a' has no 'dtype' field"},
      {R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", data8, "tensor 'a' has no 'shape' field"},
      {R"({"a":{"dtype":"F32","shape":[2]}})", data8, "tensor 'a' has no 'data_offsets' field"},
      {R"({"a":{"dtype":"F8_E4M3","shape":[8],"data_offsets":[0,8]}})", data8, "unsupported dtype 'F8_E4M3'"},
      {R"({"a":{"dtype":"float32","shape":[2],"data_offsets":[0,8]}})", data8, "unsupported dtype 'float32'"},
      {R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", data8, "the 'dtype' of tensor 'a' is a number"},
      {R"({"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", data8, "the 'shape' of tensor 'a' is a number"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", data8, "holds a negative number"},
      {R"({"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", data8, "holds a floating-point number"},
      {R"({"a":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]}})", data8,
       "holds a floating-point number"},
      {R"({"a":{"dtype":"F32","shape":["2"],"data_offsets":[0,8]}})", data8, "holds a string"},
      {R"({"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", data8,
       "impossible shape [4294967296, 4294967296]"},
      {R"({"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}})", "",
       "impossible shape"},
      {R"({"a":{"dtype":"U8","shape":[)" + ones65 + R"(],"data_offsets":[0,1]}})", "\x01",
       "the 'shape' of tensor 'a' holds more than 64 numbers"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", data8, "data_offsets must hold 2 numbers"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}})", data8, "holds more than 2 numbers"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", data8, "lie outside"},
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", data8, "lie outside the 8 bytes of data"},
      // A size no file here holds: rejected against the data size, before anything is allocated.
      {R"({"a":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}})", data8, "lie outside"},
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data8,
       "data_offsets [0, 8] hold 8 bytes but shape [3] of F32 needs 12"},
      {R"({"a":)" + f32x2 + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", std::string(12, '\0'),
       "tensor 'b' starts at byte 4 of the data, expected 8 (tensors overlap)"},
      {R"({"a":)" + f32x2 + R"(,"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})", std::string(20, '\0'),
       "expected 8 (a gap)"},
      {R"({"a":)" + f32x2 + "}", std::string(12, '\0'), "the tensors cover 8 bytes but the data holds 12"},
      {R"({"a":)" + f32x2 + R"(,"a":)" + f32x2 + "}", data8, "the key 'a' appears twice"},
      {R"({"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}})", data8,
       "tensor 'a' has two 'dtype' fields"},
      {R"({"__metadata__":{"k":"v","k":"w"}})", "", "the metadata key 'k' appears twice"},
      {R"({"__metadata__":{"k":1}})", "", "the metadata value of 'k' is a number, not a string"},
      {R"({"__metadata__":{"k":{"x":"y"}}})", "", "the metadata value of 'k' is an object, not a string"},
      {R"({"__metadata__":["k"]})", "", "the metadata is an array, not an object"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    expect_load_error(with_header(c.header, c.data), c.problem);
  }
}

TEST(SafeTensors, AcceptsWhatThePythonLibraryAccepts) {
  // Unknown fields (even nested ones) are ignored, "__metadata__" may be null, the header may be
  // padded with spaces, and zero-byte tensors may share an offset.
  const std::string header =
      R"({"__metadata__":null,"a":{"future":{"x":[[1],{"y":null}]},"dtype":"I32","shape":[1],)"
      R"("data_offsets":[0,4]},"e":{"dtype":"F64","shape":[0],"data_offsets":[4,4]},)"
      R"("f":{"dtype":"F32","shape":[2,0],"data_offsets":[4,4]}}     )";
  const StateDict loaded = load_from_bytes(with_header(header, std::string("\x05\0\0\0", 4)));
  EXPECT_EQ(loaded.keys(), (std::vector<std::string>{"a", "e", "f"}));
  EXPECT_EQ(loaded["a"].item<int32_t>(), 5);
  EXPECT_EQ(loaded["f"].sizes(), IntArrayRef({2, 0}));
  EXPECT_TRUE(load_from_bytes(with_header("{}")).empty());
}

TEST_F(SafeTensorsFiles, ErrorsNameTheFile) {
  const std::string missing = dir_ / "missing.safetensors";
  EXPECT_THAT([&] { load(missing); }, testing::ThrowsMessage<Error>(HasSubstr("load('" + missing + "')")));
  const std::string garbage = dir_ / "garbage.safetensors";
  write_file(garbage, with_header("{nope}"));
  EXPECT_THAT([&] { load(garbage); }, testing::ThrowsMessage<Error>(HasSubstr("load('" + garbage + "')")));
  EXPECT_THAT([&] { load_metadata(garbage); },
              testing::ThrowsMessage<Error>(HasSubstr("load_metadata('" + garbage + "')")));
  EXPECT_THAT([&] { load(dir_.string()); }, testing::Throws<Error>());
}

// Every truncation of a valid file fails cleanly (the tensors must tile the data exactly), and random
// corruption of the length and header gives an Error or a valid dict, never a crash (run under asan).
TEST(SafeTensors, FuzzedFilesFailCleanly) {
  const std::string valid = read_file(kDataDir / "torch_model.safetensors");
  ASSERT_FALSE(valid.empty());
  for (size_t n = 0; n < valid.size(); ++n) EXPECT_THROW(load_from_bytes(valid.substr(0, n)), Error) << n;

  const size_t header_end = 8 + header_of(valid).size();
  std::mt19937 rng(20240601);
  int errors = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = valid;
    for (int flips = 1 + trial % 3; flips > 0; --flips)
      bytes[rng() % header_end] ^= static_cast<char>(1 + rng() % 255);
    try {
      load_from_bytes(bytes);
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000);  // the corruption did reach the checks
}

// ---- atomic writes ----------------------------------------------------------------------------

TEST_F(SafeTensorsFiles, FailedSaveLeavesNoTempFileAndKeepsTheOldFile) {
  const std::string path = dir_ / "model.safetensors";
  save({{"w", ones({2})}}, path);
  const std::string before = read_file(path);

  // Fails after the temporary file was created: it is removed and the old file stays.
  EXPECT_THROW(save({{"w", ones({3})}, {"broken", Tensor()}}, path), Error);
  EXPECT_EQ(read_file(path), before);
  EXPECT_THAT(files(), testing::ElementsAre("model.safetensors"));

  const std::string nowhere = dir_ / "no_such_dir" / "model.safetensors";
  EXPECT_THAT([&] { save({{"w", ones({2})}}, nowhere); },
              testing::ThrowsMessage<Error>(HasSubstr("save('" + nowhere + "')")));
  EXPECT_FALSE(fs::exists(dir_ / "no_such_dir"));

  save({{"w", zeros({4})}}, path);  // a successful save replaces the file
  EXPECT_TRUE(equal(load(path)["w"], zeros({4})));
  EXPECT_THAT(files(), testing::ElementsAre("model.safetensors"));
}
