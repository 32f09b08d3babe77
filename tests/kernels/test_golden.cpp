// Golden values from the reference PyTorch (tools/gen_golden.py writes tests/data/golden/<family>.json).
// Every case runs the same op through accel's public API and must match PyTorch's shape, dtype (type
// promotion) and values: float32 within rtol 1e-5 / atol 1e-6, float64 within 1e-10, integers and
// bools exactly, NaN exactly where PyTorch has NaN. One test per case, named <family>_<case>; an op
// name this file does not know fails its case (never a silent skip).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/accel.h>

namespace {

using json = nlohmann::json;
using accel::DType;
using accel::Scalar;
using accel::Tensor;

const char* const kFamilies[] = {"unary", "binary", "reduce", "linalg", "shape", "nn", "loss", "attention"};

std::string data_dir() {
  if (const char* env = std::getenv("ACCEL_TEST_DATA_DIR"); env && *env) return env;
#ifdef ACCEL_TEST_DATA_DIR
  return ACCEL_TEST_DATA_DIR;
#else
  return "tests/data";
#endif
}

// ---- reading the JSON ------------------------------------------------------------------------

DType dtype_from_name(const std::string& name) {
  static const std::map<std::string, DType> names = {
      {"bool", accel::kBool},         {"uint8", accel::kUInt8},       {"int32", accel::kInt32},
      {"int64", accel::kInt64},       {"float16", accel::kFloat16},   {"bfloat16", accel::kBFloat16},
      {"float32", accel::kFloat32},   {"float64", accel::kFloat64}};
  auto it = names.find(name);
  if (it == names.end()) throw std::runtime_error("golden: unknown dtype '" + name + "'");
  return it->second;
}

// A JSON number, or "nan" / "inf" / "-inf".
double number(const json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::runtime_error("golden: bad number '" + s + "'");
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  return v.get<double>();
}

int64_t integer(const json& v) { return v.is_boolean() ? int64_t{v.get<bool>()} : v.get<int64_t>(); }

std::vector<int64_t> shape_of(const json& t) { return t.at("shape").get<std::vector<int64_t>>(); }

// The large inputs of the Fashion-MNIST-sized cases: multiples of 1/16 in [-1, 1] from a hash of
// the flat index (the same formula as pattern_values() in tools/gen_golden.py).
double pattern_value(int64_t i, int64_t seed) {
  const uint64_t h = ((static_cast<uint64_t>(i) + static_cast<uint64_t>(seed)) * 2654435761ULL) & 0xFFFFFFFFULL;
  return (static_cast<double>((h >> 8) % 33) - 16.0) / 16.0;
}

// Builds a tensor by writing its elements straight into fresh storage (so the inputs do not depend on
// accel's own conversion kernels).
Tensor build_tensor(const json& t) {
  const std::vector<int64_t> shape = shape_of(t);
  const DType dtype = dtype_from_name(t.at("dtype").get<std::string>());
  Tensor out = accel::empty(shape, {.dtype = dtype});
  const int64_t n = out.numel();
  std::function<double(int64_t)> value_at;
  if (t.contains("pattern")) {
    const int64_t seed = t.at("pattern").get<int64_t>();
    value_at = [seed](int64_t i) { return pattern_value(i, seed); };
  } else {
    const json& values = t.at("values");
    if (static_cast<int64_t>(values.size()) != n) throw std::runtime_error("golden: value count does not match shape");
    if (dtype == accel::kInt64) {  // exact, no trip through double
      auto* p = out.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = integer(values[static_cast<size_t>(i)]);
      return out;
    }
    value_at = [&values](int64_t i) { return number(values[static_cast<size_t>(i)]); };
  }
  switch (dtype) {
    case accel::kBool: {
      auto* p = out.data_ptr<bool>();
      for (int64_t i = 0; i < n; ++i) p[i] = value_at(i) != 0;
      break;
    }
    case accel::kUInt8: {
      auto* p = out.data_ptr<uint8_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(value_at(i));
      break;
    }
    case accel::kInt32: {
      auto* p = out.data_ptr<int32_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int32_t>(value_at(i));
      break;
    }
    case accel::kInt64: {
      auto* p = out.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int64_t>(value_at(i));
      break;
    }
    case accel::kFloat16: {
      auto* p = out.data_ptr<accel::Half>();
      for (int64_t i = 0; i < n; ++i) p[i] = accel::Half(static_cast<float>(value_at(i)));
      break;
    }
    case accel::kBFloat16: {
      auto* p = out.data_ptr<accel::BFloat16>();
      for (int64_t i = 0; i < n; ++i) p[i] = accel::BFloat16(static_cast<float>(value_at(i)));
      break;
    }
    case accel::kFloat32: {
      auto* p = out.data_ptr<float>();
      for (int64_t i = 0; i < n; ++i) p[i] = static_cast<float>(value_at(i));
      break;
    }
    case accel::kFloat64: {
      auto* p = out.data_ptr<double>();
      for (int64_t i = 0; i < n; ++i) p[i] = value_at(i);
      break;
    }
  }
  return out;
}

// ---- one case ---------------------------------------------------------------------------------

struct GoldenCase {
  std::string family;
  std::string name;
  std::shared_ptr<const json> file;  // keeps the parsed file (and its shared tensors) alive
  const json* body = nullptr;        // the case; null when the file could not be read
  std::string load_error;
};

// gtest prints the parameter of a failing test; the case's name says it all.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.family << "/" << c.name; }

// What an op lambda sees: the case's inputs (built on demand) and arguments.
class Ctx {
 public:
  Ctx(const json& body, const json& shared) : body_(body), shared_(shared) {}

  bool has(const char* name) const { return body_.at("inputs").contains(name); }
  Tensor in(const char* name) const {
    if (!has(name)) throw std::runtime_error(std::string("golden: missing input '") + name + "'");
    return tensor(body_.at("inputs").at(name));
  }
  Tensor opt(const char* name) const { return has(name) ? in(name) : Tensor(); }
  std::optional<Tensor> opt_tensor(const char* name) const {
    return has(name) ? std::optional<Tensor>(in(name)) : std::nullopt;
  }
  std::vector<Tensor> list(const char* name) const {
    std::vector<Tensor> out;
    for (const json& t : body_.at("inputs").at(name)) out.push_back(tensor(t));
    return out;
  }

  bool has_arg(const char* name) const { return args().contains(name) && !args().at(name).is_null(); }
  const json& arg(const char* name) const {
    if (!has_arg(name)) throw std::runtime_error(std::string("golden: missing argument '") + name + "'");
    return args().at(name);
  }
  int64_t i(const char* name) const { return integer(arg(name)); }
  int64_t i(const char* name, int64_t def) const { return has_arg(name) ? i(name) : def; }
  std::optional<int64_t> opt_i(const char* name) const {
    return has_arg(name) ? std::optional<int64_t>(i(name)) : std::nullopt;
  }
  double d(const char* name) const { return number(arg(name)); }
  double d(const char* name, double def) const { return has_arg(name) ? d(name) : def; }
  std::optional<double> opt_d(const char* name) const {
    return has_arg(name) ? std::optional<double>(d(name)) : std::nullopt;
  }
  bool b(const char* name) const { return arg(name).get<bool>(); }
  bool b(const char* name, bool def) const { return has_arg(name) ? b(name) : def; }
  std::string s(const char* name) const { return arg(name).get<std::string>(); }
  std::vector<int64_t> ints(const char* name) const {
    std::vector<int64_t> out;
    for (const json& v : arg(name)) out.push_back(integer(v));
    return out;
  }
  std::optional<DType> opt_dtype(const char* name) const {
    return has_arg(name) ? std::optional<DType>(dtype_from_name(s(name))) : std::nullopt;
  }
  // The kind of a scalar (bool, int or float) matters for type promotion, and JSON keeps it.
  Scalar scalar(const char* name) const {
    const json& v = arg(name);
    if (v.is_boolean()) return Scalar(v.get<bool>());
    if (v.is_number_integer()) return Scalar(v.get<int64_t>());
    return Scalar(number(v));
  }
  Scalar scalar(const char* name, Scalar def) const { return has_arg(name) ? scalar(name) : def; }
  std::optional<Scalar> opt_scalar(const char* name) const {
    return has_arg(name) ? std::optional<Scalar>(scalar(name)) : std::nullopt;
  }
  accel::Reduction reduction() const {
    const std::string r = s("reduction");
    if (r == "none") return accel::Reduction::None;
    if (r == "sum") return accel::Reduction::Sum;
    if (r == "mean") return accel::Reduction::Mean;
    throw std::runtime_error("golden: unknown reduction '" + r + "'");
  }

 private:
  const json& args() const { return body_.at("args"); }
  Tensor tensor(const json& t) const {
    Tensor out = build_tensor(t.contains("ref") ? shared_.at(t.at("ref").get<std::string>()) : t);
    // The same values in a transposed layout, for the strided paths.
    if (t.value("noncontiguous", false)) out = out.mT().contiguous().mT();
    return out;
  }

  const json& body_;
  const json& shared_;
};

using Outputs = std::vector<Tensor>;
using OpFn = std::function<Outputs(const Ctx&)>;

Outputs one(Tensor t) { return {std::move(t)}; }
Outputs two(std::tuple<Tensor, Tensor> t) { return {std::get<0>(t), std::get<1>(t)}; }

// ---- the op table: JSON op name -> accel call ---------------------------------------------------

#define UNARY(op) {#op, [](const Ctx& c) { return one(accel::op(c.in("x"))); }}
#define BINARY(op) {#op, [](const Ctx& c) { return one(accel::op(c.in("a"), c.in("b"))); }}

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = {
      // unary
      UNARY(neg), UNARY(abs), UNARY(sign), UNARY(exp), UNARY(exp2), UNARY(log), UNARY(log2), UNARY(log1p),
      UNARY(expm1), UNARY(sqrt), UNARY(rsqrt), UNARY(reciprocal), UNARY(sin), UNARY(cos), UNARY(tan),
      UNARY(tanh), UNARY(sigmoid), UNARY(relu), UNARY(silu), UNARY(erf), UNARY(floor), UNARY(ceil),
      UNARY(round), UNARY(trunc), UNARY(square), UNARY(logical_not), UNARY(isnan), UNARY(isinf),
      UNARY(isfinite),
      {"gelu", [](const Ctx& c) { return one(accel::gelu(c.in("x"), c.s("approximate"))); }},
      {"leaky_relu", [](const Ctx& c) { return one(accel::leaky_relu(c.in("x"), c.d("negative_slope"))); }},
      {"elu", [](const Ctx& c) { return one(accel::elu(c.in("x"), c.d("alpha"))); }},
      {"softplus",
       [](const Ctx& c) { return one(accel::softplus(c.in("x"), c.d("beta"), c.d("threshold"))); }},
      {"pow_scalar", [](const Ctx& c) { return one(accel::pow(c.in("x"), c.scalar("exponent"))); }},
      {"pow_scalar_base", [](const Ctx& c) { return one(accel::pow(c.scalar("base"), c.in("exponent"))); }},
      {"clamp",
       [](const Ctx& c) {
         const std::optional<Scalar> lo = c.opt_scalar("min"), hi = c.opt_scalar("max");
         return one(accel::clamp(c.in("x"), lo, hi));
       }},
      {"clamp_tensor",
       [](const Ctx& c) {
         const std::optional<Tensor> lo = c.opt_tensor("min"), hi = c.opt_tensor("max");
         return one(accel::clamp(c.in("x"), lo, hi));
       }},

      // binary
      {"add", [](const Ctx& c) { return one(accel::add(c.in("a"), c.in("b"), c.scalar("alpha", 1))); }},
      {"sub", [](const Ctx& c) { return one(accel::sub(c.in("a"), c.in("b"), c.scalar("alpha", 1))); }},
      BINARY(mul), BINARY(floor_divide), BINARY(maximum), BINARY(minimum), BINARY(fmod), BINARY(remainder),
      BINARY(atan2), BINARY(eq), BINARY(ne), BINARY(lt), BINARY(le), BINARY(gt), BINARY(ge),
      BINARY(logical_and), BINARY(logical_or), BINARY(logical_xor),
      {"pow", [](const Ctx& c) { return one(accel::pow(c.in("a"), c.in("b"))); }},
      {"div", [](const Ctx& c) { return one(accel::div(c.in("a"), c.in("b"), c.s("rounding_mode"))); }},
      {"where", [](const Ctx& c) { return one(accel::where(c.in("condition"), c.in("a"), c.in("b"))); }},
      {"where_scalar_other",
       [](const Ctx& c) { return one(accel::where(c.in("condition"), c.in("a"), c.scalar("value"))); }},
      {"where_scalar_self",
       [](const Ctx& c) { return one(accel::where(c.in("condition"), c.scalar("value"), c.in("b"))); }},
      {"masked_fill",
       [](const Ctx& c) { return one(accel::masked_fill(c.in("x"), c.in("mask"), c.scalar("value"))); }},
      {"lerp", [](const Ctx& c) { return one(accel::lerp(c.in("start"), c.in("end"), c.in("weight"))); }},
      {"lerp_scalar",
       [](const Ctx& c) { return one(accel::lerp(c.in("start"), c.in("end"), c.scalar("weight"))); }},
      {"addcmul",
       [](const Ctx& c) {
         return one(accel::addcmul(c.in("x"), c.in("tensor1"), c.in("tensor2"), c.scalar("value", 1)));
       }},
      {"addcdiv",
       [](const Ctx& c) {
         return one(accel::addcdiv(c.in("x"), c.in("tensor1"), c.in("tensor2"), c.scalar("value", 1)));
       }},
      {"isclose",
       [](const Ctx& c) {
         return one(accel::isclose(c.in("a"), c.in("b"), c.d("rtol"), c.d("atol"), c.b("equal_nan")));
       }},

      // reductions
      {"sum",
       [](const Ctx& c) {
         return one(accel::sum(c.in("x"), c.ints("dims"), c.b("keepdim"), c.opt_dtype("dtype")));
       }},
      {"mean",
       [](const Ctx& c) {
         return one(accel::mean(c.in("x"), c.ints("dims"), c.b("keepdim"), c.opt_dtype("dtype")));
       }},
      {"prod",
       [](const Ctx& c) {
         return one(accel::prod(c.in("x"), c.opt_i("dim"), c.b("keepdim", false), c.opt_dtype("dtype")));
       }},
      {"max", [](const Ctx& c) { return one(accel::max(c.in("x"))); }},
      {"min", [](const Ctx& c) { return one(accel::min(c.in("x"))); }},
      {"max_dim", [](const Ctx& c) { return two(accel::max(c.in("x"), c.i("dim"), c.b("keepdim"))); }},
      {"min_dim", [](const Ctx& c) { return two(accel::min(c.in("x"), c.i("dim"), c.b("keepdim"))); }},
      {"argmax", [](const Ctx& c) { return one(accel::argmax(c.in("x"), c.opt_i("dim"), c.b("keepdim"))); }},
      {"argmin", [](const Ctx& c) { return one(accel::argmin(c.in("x"), c.opt_i("dim"), c.b("keepdim"))); }},
      {"amax", [](const Ctx& c) { return one(accel::amax(c.in("x"), c.ints("dims"), c.b("keepdim"))); }},
      {"amin", [](const Ctx& c) { return one(accel::amin(c.in("x"), c.ints("dims"), c.b("keepdim"))); }},
      {"var",
       [](const Ctx& c) {
         return one(accel::var(c.in("x"), c.ints("dims"), c.i("correction"), c.b("keepdim")));
       }},
      {"std",
       [](const Ctx& c) {
         return one(accel::std(c.in("x"), c.ints("dims"), c.i("correction"), c.b("keepdim")));
       }},
      {"norm",
       [](const Ctx& c) { return one(accel::norm(c.in("x"), c.d("p"), c.ints("dims"), c.b("keepdim"))); }},
      {"logsumexp",
       [](const Ctx& c) { return one(accel::logsumexp(c.in("x"), c.ints("dims"), c.b("keepdim"))); }},
      {"all", [](const Ctx& c) { return one(accel::all(c.in("x"), c.ints("dims"), c.b("keepdim"))); }},
      {"any", [](const Ctx& c) { return one(accel::any(c.in("x"), c.ints("dims"), c.b("keepdim"))); }},
      {"cumsum", [](const Ctx& c) { return one(accel::cumsum(c.in("x"), c.i("dim"), c.opt_dtype("dtype"))); }},
      {"sort",
       [](const Ctx& c) {
         return two(accel::sort(c.in("x"), c.i("dim"), c.b("descending"), c.b("stable")));
       }},
      {"argsort",
       [](const Ctx& c) {
         return one(accel::argsort(c.in("x"), c.i("dim"), c.b("descending"), c.b("stable")));
       }},
      {"topk",
       [](const Ctx& c) {
         return two(accel::topk(c.in("x"), c.i("k"), c.i("dim"), c.b("largest"), c.b("sorted")));
       }},

      // linear algebra
      BINARY(matmul), BINARY(mm), BINARY(bmm), BINARY(dot), BINARY(outer),
      {"addmm",
       [](const Ctx& c) {
         return one(accel::addmm(c.in("bias"), c.in("a"), c.in("b"), c.scalar("beta"), c.scalar("alpha")));
       }},
      {"baddbmm",
       [](const Ctx& c) {
         return one(accel::baddbmm(c.in("bias"), c.in("a"), c.in("b"), c.scalar("beta"), c.scalar("alpha")));
       }},
      {"linear", [](const Ctx& c) { return one(accel::linear(c.in("x"), c.in("weight"), c.opt("bias"))); }},

      // shape and indexing
      {"cat", [](const Ctx& c) { return one(accel::cat(c.list("tensors"), c.i("dim"))); }},
      {"stack", [](const Ctx& c) { return one(accel::stack(c.list("tensors"), c.i("dim"))); }},
      {"split", [](const Ctx& c) { return accel::split(c.in("x"), c.i("split_size"), c.i("dim")); }},
      {"split_sizes",
       [](const Ctx& c) {
         const std::vector<int64_t> sizes = c.ints("split_sizes");
         return accel::split(c.in("x"), accel::IntArrayRef(sizes), c.i("dim"));
       }},
      {"chunk", [](const Ctx& c) { return accel::chunk(c.in("x"), c.i("chunks"), c.i("dim")); }},
      {"repeat", [](const Ctx& c) { return one(accel::repeat(c.in("x"), c.ints("repeats"))); }},
      {"flip", [](const Ctx& c) { return one(accel::flip(c.in("x"), c.ints("dims"))); }},
      {"roll", [](const Ctx& c) { return one(accel::roll(c.in("x"), c.ints("shifts"), c.ints("dims"))); }},
      {"tril", [](const Ctx& c) { return one(accel::tril(c.in("x"), c.i("diagonal"))); }},
      {"triu", [](const Ctx& c) { return one(accel::triu(c.in("x"), c.i("diagonal"))); }},
      {"pad", [](const Ctx& c) { return one(accel::pad(c.in("x"), c.ints("pads"), c.scalar("value"))); }},
      {"index_select",
       [](const Ctx& c) { return one(accel::index_select(c.in("x"), c.i("dim"), c.in("index"))); }},
      {"gather", [](const Ctx& c) { return one(accel::gather(c.in("x"), c.i("dim"), c.in("index"))); }},
      {"scatter",
       [](const Ctx& c) { return one(accel::scatter(c.in("x"), c.i("dim"), c.in("index"), c.in("src"))); }},
      {"scatter_value",
       [](const Ctx& c) {
         return one(accel::scatter(c.in("x"), c.i("dim"), c.in("index"), c.scalar("value")));
       }},
      {"scatter_add",
       [](const Ctx& c) {
         return one(accel::scatter_add(c.in("x"), c.i("dim"), c.in("index"), c.in("src")));
       }},
      {"index_add",
       [](const Ctx& c) {
         return one(accel::index_add(c.in("x"), c.i("dim"), c.in("index"), c.in("source"), c.scalar("alpha", 1)));
       }},
      {"masked_select", [](const Ctx& c) { return one(accel::masked_select(c.in("x"), c.in("mask"))); }},
      {"nonzero", [](const Ctx& c) { return one(accel::nonzero(c.in("x"))); }},
      {"one_hot", [](const Ctx& c) { return one(accel::one_hot(c.in("indices"), c.i("num_classes"))); }},
      {"index",
       [](const Ctx& c) {
         // Items: {"tensor": input}, {"slice": [start, stop, step]}, {"int": i}, {"none": true},
         // {"ellipsis": true}; x[items...] in Python.
         std::vector<accel::TensorIndex> items;
         for (const json& it : c.arg("indices")) {
           if (it.contains("tensor")) {
             items.emplace_back(c.in(it.at("tensor").get<std::string>().c_str()));
           } else if (it.contains("slice")) {
             const json& s = it.at("slice");
             auto part = [&](size_t k) {
               return s.at(k).is_null() ? std::optional<int64_t>() : std::optional<int64_t>(s.at(k).get<int64_t>());
             };
             items.emplace_back(accel::indexing::Slice(part(0), part(1), part(2)));
           } else if (it.contains("int")) {
             items.emplace_back(it.at("int").get<int64_t>());
           } else if (it.contains("none")) {
             items.emplace_back(accel::indexing::None);
           } else if (it.contains("ellipsis")) {
             items.emplace_back(accel::indexing::Ellipsis);
           } else {
             throw std::runtime_error("golden: unknown index item " + it.dump());
           }
         }
         return one(c.in("x").index(items));
       }},

      // neural-network functions
      {"softmax", [](const Ctx& c) { return one(accel::softmax(c.in("x"), c.i("dim"))); }},
      {"log_softmax", [](const Ctx& c) { return one(accel::log_softmax(c.in("x"), c.i("dim"))); }},
      {"conv1d",
       [](const Ctx& c) {
         return one(accel::conv1d(c.in("input"), c.in("weight"), c.opt("bias"), c.ints("stride"), c.ints("padding"),
                                  c.ints("dilation"), c.i("groups")));
       }},
      {"conv2d",
       [](const Ctx& c) {
         return one(accel::conv2d(c.in("input"), c.in("weight"), c.opt("bias"), c.ints("stride"), c.ints("padding"),
                                  c.ints("dilation"), c.i("groups")));
       }},
      {"max_pool2d",
       [](const Ctx& c) {
         return one(accel::max_pool2d(c.in("input"), c.ints("kernel_size"), c.ints("stride"), c.ints("padding"),
                                      c.ints("dilation"), c.b("ceil_mode")));
       }},
      {"max_pool2d_with_indices",
       [](const Ctx& c) {
         return two(accel::max_pool2d_with_indices(c.in("input"), c.ints("kernel_size"), c.ints("stride"),
                                                   c.ints("padding"), c.ints("dilation"), c.b("ceil_mode")));
       }},
      {"avg_pool2d",
       [](const Ctx& c) {
         return one(accel::avg_pool2d(c.in("input"), c.ints("kernel_size"), c.ints("stride"), c.ints("padding"),
                                      c.b("ceil_mode"), c.b("count_include_pad"), c.opt_i("divisor_override")));
       }},
      {"adaptive_avg_pool2d",
       [](const Ctx& c) { return one(accel::adaptive_avg_pool2d(c.in("input"), c.ints("output_size"))); }},
      {"batch_norm",
       [](const Ctx& c) {
         // The running stats are updated in place in training; the case checks them afterwards.
         const Tensor running_mean = c.opt("running_mean"), running_var = c.opt("running_var");
         Tensor y = accel::batch_norm(c.in("input"), c.opt("weight"), c.opt("bias"), running_mean, running_var,
                                      c.b("training"), c.d("momentum"), c.d("eps"));
         if (running_mean.defined()) return Outputs{y, running_mean, running_var};
         return one(y);
       }},
      {"layer_norm",
       [](const Ctx& c) {
         return one(accel::layer_norm(c.in("input"), c.ints("normalized_shape"), c.opt("weight"), c.opt("bias"),
                                      c.d("eps")));
       }},
      {"group_norm",
       [](const Ctx& c) {
         return one(accel::group_norm(c.in("input"), c.i("num_groups"), c.opt("weight"), c.opt("bias"), c.d("eps")));
       }},
      {"embedding",
       [](const Ctx& c) { return one(accel::embedding(c.in("weight"), c.in("indices"), c.opt_i("padding_idx"))); }},

      // losses
      {"cross_entropy",
       [](const Ctx& c) {
         return one(accel::cross_entropy(c.in("input"), c.in("target"),
                                         {.weight = c.opt("weight"),
                                          .ignore_index = c.i("ignore_index", -100),
                                          .reduction = c.reduction(),
                                          .label_smoothing = c.d("label_smoothing", 0.0)}));
       }},
      {"nll_loss",
       [](const Ctx& c) {
         return one(accel::nll_loss(c.in("log_probs"), c.in("target"),
                                    {.weight = c.opt("weight"),
                                     .ignore_index = c.i("ignore_index", -100),
                                     .reduction = c.reduction()}));
       }},
      {"mse_loss", [](const Ctx& c) { return one(accel::mse_loss(c.in("input"), c.in("target"), c.reduction())); }},
      {"l1_loss", [](const Ctx& c) { return one(accel::l1_loss(c.in("input"), c.in("target"), c.reduction())); }},
      {"smooth_l1_loss",
       [](const Ctx& c) {
         return one(accel::smooth_l1_loss(c.in("input"), c.in("target"), c.reduction(), c.d("beta")));
       }},
      {"huber_loss",
       [](const Ctx& c) { return one(accel::huber_loss(c.in("input"), c.in("target"), c.reduction(), c.d("delta"))); }},
      {"binary_cross_entropy",
       [](const Ctx& c) {
         return one(accel::binary_cross_entropy(c.in("input"), c.in("target"), c.opt("weight"), c.reduction()));
       }},
      {"binary_cross_entropy_with_logits",
       [](const Ctx& c) {
         return one(accel::binary_cross_entropy_with_logits(c.in("input"), c.in("target"), c.opt("weight"),
                                                            c.reduction(), c.opt("pos_weight")));
       }},

      // attention
      {"scaled_dot_product_attention",
       [](const Ctx& c) {
         return one(accel::scaled_dot_product_attention(c.in("query"), c.in("key"), c.in("value"), c.opt("attn_mask"),
                                                        0.0, c.b("is_causal"), c.opt_d("scale")));
       }},
  };
  return table;
}

#undef UNARY
#undef BINARY

// ---- comparison -------------------------------------------------------------------------------

struct Tolerance {
  double rtol, atol;
};

Tolerance tolerance(DType dtype) {
  switch (dtype) {
    case accel::kFloat64: return {1e-10, 1e-10};
    case accel::kFloat32: return {1e-5, 1e-6};
    // Only a few type-promotion cases produce these; half precision has ~3 (bf16: ~2) digits.
    case accel::kFloat16: return {1e-3, 1e-5};
    case accel::kBFloat16: return {1e-2, 1e-5};
    default: return {0, 0};
  }
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
  os << "]";
  return os.str();
}

// Empty when `got` matches `expected`, else what differs (the first few elements, and how many).
std::string compare(const Tensor& got, const json& expected) {
  const std::vector<int64_t> want_shape = shape_of(expected);
  const std::vector<int64_t> got_shape = got.sizes().vec();
  if (got_shape != want_shape) return "shape " + shape_str(got_shape) + ", PyTorch " + shape_str(want_shape);
  const std::string want_dtype = expected.at("dtype").get<std::string>();
  if (want_dtype != accel::name(got.dtype())) {
    return std::string("dtype ") + accel::name(got.dtype()) + ", PyTorch " + want_dtype;
  }
  const int64_t stride = expected.value("sample_stride", int64_t{1});
  const json& values = expected.at("values");
  const DType dtype = got.dtype();
  const Tolerance tol = tolerance(dtype);

  std::ostringstream diff;
  diff.precision(17);
  int64_t bad = 0;
  double worst = 0;
  auto report = [&](size_t k, const auto& g, const auto& e) {
    if (bad++ < 8) diff << "\n  [" << static_cast<int64_t>(k) * stride << "] accel " << g << ", PyTorch " << e;
  };
  if (accel::is_floating_point(dtype)) {
    const std::vector<double> g = got.to_vector<double>();
    for (size_t k = 0; k < values.size(); ++k) {
      const double e = number(values[k]);
      const double a = g[k * static_cast<size_t>(stride)];
      bool ok;
      if (std::isnan(e)) ok = std::isnan(a);
      else if (std::isinf(e)) ok = a == e;
      else ok = std::isfinite(a) && std::abs(a - e) <= tol.atol + tol.rtol * std::abs(e);
      if (!ok) {
        if (std::isfinite(a) && std::isfinite(e)) worst = std::max(worst, std::abs(a - e));
        report(k, a, e);
      }
    }
  } else if (dtype == accel::kBool) {
    const std::vector<bool> g = got.to_vector<bool>();
    for (size_t k = 0; k < values.size(); ++k) {
      const bool e = integer(values[k]) != 0;
      const bool a = g[k * static_cast<size_t>(stride)];
      if (a != e) report(k, a, e);
    }
  } else {
    const std::vector<int64_t> g = got.to_vector<int64_t>();
    for (size_t k = 0; k < values.size(); ++k) {
      const int64_t e = integer(values[k]);
      const int64_t a = g[k * static_cast<size_t>(stride)];
      if (a != e) report(k, a, e);
    }
  }
  if (bad == 0) return "";
  std::ostringstream os;
  os << bad << " of " << values.size() << (stride > 1 ? " sampled" : "") << " elements differ";
  if (worst > 0) os << " (max abs diff " << worst << ")";
  os << diff.str();
  return os.str();
}

// ---- loading and the tests --------------------------------------------------------------------

std::vector<GoldenCase> load_cases() {
  std::vector<GoldenCase> cases;
  for (const char* family : kFamilies) {
    const std::string path = data_dir() + "/golden/" + family + ".json";
    auto fail = [&](const std::string& why) {
      cases.push_back({family, "file_unreadable", nullptr, nullptr, path + ": " + why});
    };
    std::ifstream in(path);
    if (!in) {
      fail("cannot open (regenerate with .venv-torch/bin/python tools/gen_golden.py)");
      continue;
    }
    auto doc = std::make_shared<json>();
    try {
      in >> *doc;
    } catch (const std::exception& e) {
      fail(e.what());
      continue;
    }
    if (!doc->contains("cases") || doc->at("cases").empty()) {
      fail("no cases");
      continue;
    }
    for (const json& c : doc->at("cases")) cases.push_back({family, c.at("name").get<std::string>(), doc, &c, ""});
  }
  return cases;
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, MatchesPyTorch) {
  const GoldenCase& gc = GetParam();
  ASSERT_TRUE(gc.load_error.empty()) << gc.load_error;
  const json& body = *gc.body;
  const std::string op = body.at("op").get<std::string>();
  const auto it = op_table().find(op);
  ASSERT_TRUE(it != op_table().end()) << "op '" << op << "' has no entry in test_golden.cpp's op table";

  static const json kNoTensors = json::object();
  const json& shared = gc.file->contains("tensors") ? gc.file->at("tensors") : kNoTensors;
  Outputs got;
  try {
    got = it->second(Ctx(body, shared));
  } catch (const std::exception& e) {
    FAIL() << op << " threw: " << e.what() << "\n  case: " << body.at("args").dump();
  }
  const json& expected = body.at("outputs");
  ASSERT_EQ(got.size(), expected.size()) << op << " returned " << got.size() << " tensors, PyTorch "
                                         << expected.size();
  for (size_t k = 0; k < got.size(); ++k) {
    ASSERT_TRUE(got[k].defined()) << "output " << k << " is undefined";
    const std::string diff = compare(got[k], expected[k]);
    EXPECT_TRUE(diff.empty()) << op << " output " << k << ": " << diff << "\n  args: " << body.at("args").dump();
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, Golden, ::testing::ValuesIn(load_cases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.family + "_" + info.param.name;
                         });

// Guards the data itself: every family is present, and every op in it has an accel mapping (the
// per-case tests fail too, but this names all unmapped ops at once).
TEST(GoldenData, EveryFamilyLoadsAndEveryOpIsMapped) {
  std::map<std::string, int> per_family;
  std::vector<std::string> unmapped;
  for (const GoldenCase& gc : load_cases()) {
    ASSERT_TRUE(gc.load_error.empty()) << gc.load_error;
    ++per_family[gc.family];
    const std::string op = gc.body->at("op").get<std::string>();
    if (!op_table().count(op)) unmapped.push_back(gc.family + "/" + op);
  }
  for (const char* family : kFamilies) EXPECT_GT(per_family[family], 0) << family;
  EXPECT_TRUE(unmapped.empty()) << "unmapped ops, e.g. " << (unmapped.empty() ? "" : unmapped.front());
}

}  // namespace
