#include <accel/tensor/serialization.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <sstream>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/tensor/factories.h>

namespace accel {
namespace {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; a big-endian host would need byte swaps");

// The Python library's limit: larger headers are refused before they are read.
constexpr uint64_t kMaxHeaderSize = 100'000'000;
// More dimensions than any real tensor has; bounds what a hostile "shape" array can make us store.
constexpr size_t kMaxDims = 64;
constexpr const char* kMetadataKey = "__metadata__";

struct DTypeName {
  DType dtype;
  const char* name;
};
constexpr DTypeName kDTypeNames[] = {
    {kFloat64, "F64"}, {kFloat32, "F32"}, {kFloat16, "F16"}, {kBFloat16, "BF16"},
    {kInt64, "I64"},   {kInt32, "I32"},   {kUInt8, "U8"},    {kBool, "BOOL"},
};

const char* safetensors_name(DType dtype) {
  for (const DTypeName& d : kDTypeNames)
    if (d.dtype == dtype) return d.name;
  ACCEL_FAIL("safetensors: no dtype string for ", dtype);
}

// "load('model.safetensors')": every message says which call and which file failed.
[[noreturn]] void fail_in(const std::string& where, const std::string& problem) {
  throw Error(where + ": " + problem);
}

std::string shape_string(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// ---- reading the header ---------------------------------------------------------------------

struct Entry {
  std::string name;
  std::string dtype_name;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> offsets;
  unsigned fields_seen = 0;  // bits of Field
  DType dtype = kFloat32;    // set by validate_entries
};

struct Header {
  std::vector<Entry> entries;  // in the order the header lists them
  OrderedDict<std::string> metadata;
};

// Builds the Header while the JSON is parsed (SAX), instead of parsing a DOM and walking it: a hostile
// header then costs no more memory than its own text, duplicate keys are seen (a DOM would silently keep
// one), and the order of the keys, which names the tensors' order, is kept.
class HeaderReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit HeaderReader(const std::string& where) : where_(where) {}
  Header take() { return std::move(header_); }

  bool null() override { return scalar("null"); }
  bool boolean(bool) override { return scalar("a boolean"); }
  // nlohmann reports non-negative integers as unsigned, so this one is negative.
  bool number_integer(number_integer_t) override { return scalar("a negative number"); }
  bool number_unsigned(number_unsigned_t value) override {
    if (state_ != State::Dims) return scalar("a number");
    std::vector<uint64_t>& dims = field_ == Field::Shape ? entry().shape : entry().offsets;
    const size_t limit = field_ == Field::Shape ? kMaxDims : 2;
    if (dims.size() == limit) fail_dims("more than " + std::to_string(limit) + " numbers");
    dims.push_back(value);
    return true;
  }
  // Also integers too large for 64 bits.
  bool number_float(number_float_t, const string_t&) override { return scalar("a floating-point number"); }
  bool string(string_t& value) override {
    if (state_ == State::MetadataValue) {
      header_.metadata.insert(key_, value);
      state_ = State::Metadata;
      return true;
    }
    if (state_ == State::FieldValue && field_ == Field::DType) {
      entry().dtype_name = value;
      state_ = State::Tensor;
      return true;
    }
    return scalar("a string");
  }
  bool binary(binary_t&) override { return scalar("binary data"); }

  bool start_object(std::size_t) override {
    switch (state_) {
      case State::Start: state_ = State::Top; return true;
      case State::TopValue:
        if (key_ == kMetadataKey) {
          state_ = State::Metadata;
        } else {
          header_.entries.emplace_back().name = key_;
          state_ = State::Tensor;
        }
        return true;
      case State::FieldValue:
        if (field_ == Field::Unknown) return start_skipping();
        return fail_field("an object");
      case State::Skip: ++skip_depth_; return true;
      default: return scalar("an object");
    }
  }
  bool start_array(std::size_t) override {
    if (state_ == State::FieldValue && (field_ == Field::Shape || field_ == Field::Offsets)) {
      state_ = State::Dims;
      return true;
    }
    if (state_ == State::FieldValue && field_ == Field::Unknown) return start_skipping();
    if (state_ == State::Skip) return ++skip_depth_, true;
    return scalar("an array");
  }
  bool key(string_t& key) override {
    switch (state_) {
      case State::Top:
        if (!top_keys_.insert(key).second) fail("the key '" + key + "' appears twice");
        key_ = key;
        state_ = State::TopValue;
        return true;
      case State::Metadata:
        if (!metadata_keys_.insert(key).second) fail("the metadata key '" + key + "' appears twice");
        key_ = key;
        state_ = State::MetadataValue;
        return true;
      case State::Tensor: {
        field_ = key == "dtype" ? Field::DType : key == "shape" ? Field::Shape
               : key == "data_offsets" ? Field::Offsets : Field::Unknown;
        const unsigned bit = 1u << static_cast<int>(field_);
        if (field_ != Field::Unknown && (entry().fields_seen & bit))
          fail("tensor '" + entry().name + "' has two '" + key + "' fields");
        entry().fields_seen |= bit;
        state_ = State::FieldValue;
        return true;
      }
      default: return true;  // keys of a skipped value
    }
  }
  bool end_object() override {
    switch (state_) {
      case State::Top: state_ = State::Done; return true;
      case State::Metadata: state_ = State::Top; return true;
      case State::Tensor:
        for (auto [field, name] : {std::pair{Field::DType, "dtype"}, {Field::Shape, "shape"},
                                   {Field::Offsets, "data_offsets"}})
          if (!(entry().fields_seen & (1u << static_cast<int>(field))))
            fail("tensor '" + entry().name + "' has no '" + name + "' field");
        state_ = State::Top;
        return true;
      default: return end_skipped();
    }
  }
  bool end_array() override {
    if (state_ != State::Dims) return end_skipped();
    state_ = State::Tensor;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    fail(std::string("the header is not valid JSON: ") + e.what());
  }

 private:
  // Where the parser is: Top is inside the outer object, TopValue just after one of its keys, etc.
  enum class State { Start, Top, TopValue, Metadata, MetadataValue, Tensor, FieldValue, Dims, Skip, Done };
  enum class Field { DType, Shape, Offsets, Unknown };

  [[noreturn]] void fail(const std::string& problem) const { fail_in(where_, problem); }
  Entry& entry() { return header_.entries.back(); }
  const char* field_name() const {
    return field_ == Field::DType ? "dtype" : field_ == Field::Shape ? "shape" : "data_offsets";
  }

  // A value where the state wants something else (or a scalar that is skipped).
  bool scalar(const std::string& what) {
    switch (state_) {
      case State::Skip: return true;
      case State::FieldValue:
        if (field_ == Field::Unknown) return state_ = State::Tensor, true;
        return fail_field(what);
      case State::TopValue:
        if (key_ != kMetadataKey) fail("tensor '" + key_ + "' is " + what + ", not an object");
        if (what == "null") return state_ = State::Top, true;  // no metadata, as in Python
        fail("the metadata is " + what + ", not an object");
      case State::Dims: fail_dims(what);
      case State::MetadataValue: fail("the metadata value of '" + key_ + "' is " + what + ", not a string");
      case State::Start: fail("the header is " + what + ", not a JSON object");
      default: fail("unexpected " + what + " in the header");
    }
  }
  [[noreturn]] bool fail_field(const std::string& what) {
    fail("the '" + std::string(field_name()) + "' of tensor '" + entry().name + "' is " + what);
  }
  [[noreturn]] bool fail_dims(const std::string& what) {
    fail("the '" + std::string(field_name()) + "' of tensor '" + entry().name + "' holds " + what);
  }
  // Fields this version does not know are ignored, as the Python library does.
  bool start_skipping() {
    state_ = State::Skip;
    skip_depth_ = 1;
    return true;
  }
  bool end_skipped() {
    if (state_ != State::Skip) fail("unbalanced JSON in the header");
    if (--skip_depth_ == 0) state_ = State::Tensor;
    return true;
  }

  std::string where_;
  Header header_;
  State state_ = State::Start;
  Field field_ = Field::Unknown;
  std::string key_;
  int64_t skip_depth_ = 0;
  std::unordered_set<std::string> top_keys_;
  std::unordered_set<std::string> metadata_keys_;
};

// Checks every entry against the data section of data_size bytes: known dtype, sizes that fit in
// memory, offsets that match the shape, and tensors that tile the data exactly (no overlaps, holes or
// trailing bytes, as the Python library requires).
void validate_entries(std::vector<Entry>& entries, uint64_t data_size, const std::string& where) {
  for (Entry& e : entries) {
    const std::string tensor = "tensor '" + e.name + "'";
    const DTypeName* dtype = std::find_if(std::begin(kDTypeNames), std::end(kDTypeNames),
                                          [&](const DTypeName& d) { return e.dtype_name == d.name; });
    if (dtype == std::end(kDTypeNames))
      fail_in(where, tensor + " has the unsupported dtype '" + e.dtype_name + "'");
    e.dtype = dtype->dtype;
    // The extent ignores zero sizes: strides are products of the sizes and must fit in int64 even
    // for an empty tensor.
    uint64_t extent = static_cast<uint64_t>(itemsize(e.dtype));
    for (uint64_t d : e.shape)
      if (d > 0 && (__builtin_mul_overflow(extent, d, &extent) ||
                    extent > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())))
        fail_in(where, tensor + " has the impossible shape " + shape_string(e.shape));
    const bool empty = std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end();
    const uint64_t nbytes = empty ? 0 : extent;
    if (e.offsets.size() != 2) fail_in(where, tensor + ": data_offsets must hold 2 numbers");
    const uint64_t begin = e.offsets[0], end = e.offsets[1];
    if (begin > end || end > data_size)
      fail_in(where, tensor + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                         "] lie outside the " + std::to_string(data_size) + " bytes of data");
    if (end - begin != nbytes)
      fail_in(where, tensor + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                         "] hold " + std::to_string(end - begin) + " bytes but shape " +
                         shape_string(e.shape) + " of " + e.dtype_name + " needs " + std::to_string(nbytes));
  }
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->offsets < b->offsets; });
  uint64_t covered = 0;
  for (const Entry* e : by_offset) {
    if (e->offsets[0] != covered)
      fail_in(where, "tensor '" + e->name + "' starts at byte " + std::to_string(e->offsets[0]) +
                         " of the data, expected " + std::to_string(covered) +
                         (e->offsets[0] < covered ? " (tensors overlap)" : " (a gap)"));
    covered = e->offsets[1];
  }
  if (covered != data_size)
    fail_in(where, "the tensors cover " + std::to_string(covered) + " bytes but the data holds " +
                       std::to_string(data_size));
}

// A safetensors file or byte string being read. Sizes are checked against the input's size before
// anything is allocated, so a corrupt length can never make us allocate more than the input holds.
class Reader {
 public:
  Reader(std::istream& in, std::string where) : in_(in), where_(std::move(where)) {
    in_.seekg(0, std::ios::end);
    const std::streamoff size = in_.tellg();
    if (!in_ || size < 0) fail("cannot determine the size");
    size_ = static_cast<uint64_t>(size);
    if (size_ < 8) fail("truncated: " + std::to_string(size_) + " bytes, fewer than the 8-byte header length");
    unsigned char prefix[8];
    read_at(0, prefix, 8);
    uint64_t header_size = 0;
    for (int i = 7; i >= 0; --i) header_size = header_size << 8 | prefix[i];
    if (header_size > kMaxHeaderSize)
      fail("the header length " + std::to_string(header_size) + " exceeds the limit of " +
           std::to_string(kMaxHeaderSize) + " bytes");
    if (header_size > size_ - 8)
      fail("truncated: the header length is " + std::to_string(header_size) + " but only " +
           std::to_string(size_ - 8) + " bytes follow it");
    data_start_ = 8 + header_size;
    header_text_.resize(header_size);
    read_at(8, header_text_.data(), header_size);
  }

  Header header() const {
    // Not JSON's job: the Python library insists on it, and it rejects zero padding early.
    if (header_text_.empty() || header_text_[0] != '{') fail("the header does not start with '{'");
    HeaderReader reader(where_);
    nlohmann::json::sax_parse(header_text_, &reader);
    Header header = reader.take();
    validate_entries(header.entries, size_ - data_start_, where_);
    return header;
  }

  Tensor read(const Entry& e, Device device) {
    DimVector shape;
    for (uint64_t d : e.shape) shape.push_back(static_cast<int64_t>(d));
    Tensor t = empty(shape, {.dtype = e.dtype});
    const uint64_t nbytes = e.offsets[1] - e.offsets[0];
    if (nbytes > 0) read_at(data_start_ + e.offsets[0], t.data_ptr(), nbytes);
    return device.is_cpu() ? t : t.to(device);
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { fail_in(where_, problem); }
  void read_at(uint64_t offset, void* out, uint64_t n) {
    in_.seekg(static_cast<std::streamoff>(offset));
    in_.read(static_cast<char*>(out), static_cast<std::streamsize>(n));
    if (!in_ || static_cast<uint64_t>(in_.gcount()) != n)
      fail("read error at byte " + std::to_string(offset) + " (was the file changed while it was read?)");
  }

  std::istream& in_;
  std::string where_;
  uint64_t size_ = 0;
  uint64_t data_start_ = 0;
  std::string header_text_;
};

StateDict read_tensors(std::istream& in, const std::string& where, Device device) {
  Reader reader(in, where);
  const Header header = reader.header();
  StateDict tensors;
  for (const Entry& e : header.entries) tensors.insert(e.name, reader.read(e, device));
  return tensors;
}

// ---- writing --------------------------------------------------------------------------------

std::string json_string(const std::string& s, const std::string& where) {
  try {
    return nlohmann::json(s).dump();
  } catch (const nlohmann::json::exception&) {
    fail_in(where, "the name or metadata '" + s + "' is not valid UTF-8");
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

using Sink = std::function<void(const void* data, size_t size)>;

// Writes the file through `sink`. The data is laid out largest itemsize first (stable, so in the
// dict's order within an itemsize): every tensor then starts at a multiple of its itemsize, as in
// files written by Python, which readers that map the file rely on. The header lists the tensors in
// the dict's order, which is the order load returns them in.
void write_tensors(const StateDict& tensors, const OrderedDict<std::string>& metadata, const Sink& sink,
                   const std::string& where) {
  std::vector<std::string> names;
  std::vector<Tensor> host;  // contiguous CPU copies (or the tensors themselves when they already are)
  for (const auto& [name, t] : tensors) {
    if (name == kMetadataKey) fail_in(where, "a tensor cannot be named '__metadata__'");
    if (!t.defined()) fail_in(where, "tensor '" + name + "' is undefined");
    names.push_back(name);
    host.push_back(t.detach().cpu().contiguous());
  }
  std::vector<size_t> layout(host.size());
  std::iota(layout.begin(), layout.end(), 0);
  std::stable_sort(layout.begin(), layout.end(),
                   [&](size_t a, size_t b) { return host[a].element_size() > host[b].element_size(); });
  std::vector<uint64_t> begin(host.size());
  uint64_t offset = 0;
  for (size_t i : layout) {
    begin[i] = offset;
    offset += static_cast<uint64_t>(host[i].nbytes());
  }

  // Compact JSON, as the Python library writes it, so that the same tensors give the same bytes.
  std::vector<std::string> items;
  if (!metadata.empty()) {
    std::vector<std::string> pairs;
    for (const auto& [key, value] : metadata) pairs.push_back(json_string(key, where) + ":" + json_string(value, where));
    items.push_back("\"__metadata__\":{" + join(pairs) + "}");
  }
  for (size_t i = 0; i < host.size(); ++i) {
    const Tensor& t = host[i];
    std::vector<std::string> sizes;
    for (int64_t d : t.sizes()) sizes.push_back(std::to_string(d));
    items.push_back(json_string(names[i], where) + ":{\"dtype\":\"" + safetensors_name(t.dtype()) +
                    "\",\"shape\":[" + join(sizes) + "],\"data_offsets\":[" + std::to_string(begin[i]) + "," +
                    std::to_string(begin[i] + static_cast<uint64_t>(t.nbytes())) + "]}");
  }
  std::string header = "{" + join(items) + "}";
  header.resize((header.size() + 7) / 8 * 8, ' ');  // the data starts 8-byte aligned
  if (header.size() > kMaxHeaderSize) fail_in(where, "the header would exceed the limit readers accept");

  unsigned char prefix[8];
  for (int b = 0; b < 8; ++b) prefix[b] = static_cast<unsigned char>(static_cast<uint64_t>(header.size()) >> (8 * b));
  sink(prefix, 8);
  sink(header.data(), header.size());
  for (size_t j : layout)
    if (host[j].nbytes() > 0) sink(host[j].data_ptr(), static_cast<size_t>(host[j].nbytes()));
}

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// Removes the temporary file unless the rename happened.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!committed_) std::remove(path_.c_str());
  }
  const std::string& path() const { return path_; }
  void commit() { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

}  // namespace

void save(const StateDict& tensors, const std::string& path, const OrderedDict<std::string>& metadata) {
  const std::string where = "save(" + quoted(path) + ")";
  auto system_error = [&](const std::string& what) { fail_in(where, what + ": " + std::strerror(errno)); };
  // The sequence number keeps two threads saving to the same path from sharing a temporary file.
  static std::atomic<uint64_t> sequence{0};
  TempFile temp(path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(sequence++));

  const int fd = ::open(temp.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) system_error("cannot create " + quoted(temp.path()));
  try {
    write_tensors(tensors, metadata, [&](const void* data, size_t size) {
      for (const char* p = static_cast<const char*>(data); size > 0;) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) system_error("cannot write " + quoted(temp.path()));
        p += n;
        size -= static_cast<size_t>(n);
      }
    }, where);
    // Flushed before the rename: after a crash the path holds the old file or the complete new one.
    if (::fsync(fd) != 0) system_error("cannot flush " + quoted(temp.path()));
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) system_error("cannot close " + quoted(temp.path()));
  if (std::rename(temp.path().c_str(), path.c_str()) != 0) system_error("cannot rename " + quoted(temp.path()));
  temp.commit();
}

StateDict load(const std::string& path, Device device) {
  const std::string where = "load(" + quoted(path) + ")";
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_in(where, std::string("cannot open the file: ") + std::strerror(errno));
  return read_tensors(in, where, device);
}

OrderedDict<std::string> load_metadata(const std::string& path) {
  const std::string where = "load_metadata(" + quoted(path) + ")";
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_in(where, std::string("cannot open the file: ") + std::strerror(errno));
  return Reader(in, where).header().metadata;
}

std::string save_to_bytes(const StateDict& tensors, const OrderedDict<std::string>& metadata) {
  std::string bytes;
  write_tensors(tensors, metadata, [&](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
  }, "save_to_bytes");
  return bytes;
}

StateDict load_from_bytes(const std::string& bytes, Device device) {
  std::istringstream in(bytes);
  return read_tensors(in, "load_from_bytes", device);
}

}  // namespace accel
