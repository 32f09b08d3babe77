#pragma once
// Reads tests/data/golden/<file>.json (written by the tools/gen_*golden.py scripts) and turns its
// tensors ({"shape", "dtype", "values"}; NaN and infinities as strings) into accel tensors. Shared
// by the test suites of every layer.
#include <cstdlib>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <accel/accel.h>

namespace golden {

using json = nlohmann::ordered_json;  // keeps the state dicts' key order

inline std::string data_dir() {
  if (const char* env = std::getenv("ACCEL_TEST_DATA_DIR"); env && *env) return env;
  return ACCEL_TEST_DATA_DIR;
}

inline json load(const std::string& file) {
  const std::string path = data_dir() + "/golden/" + file;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

inline double number(const json& v) {
  if (!v.is_string()) return v.get<double>();
  const std::string s = v.get<std::string>();
  if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (s == "inf") return std::numeric_limits<double>::infinity();
  if (s == "-inf") return -std::numeric_limits<double>::infinity();
  throw std::runtime_error("golden: unexpected number " + s);
}

// A float32, float64, int64 or bool tensor.
inline accel::Tensor tensor(const json& t) {
  const std::string dtype = t.at("dtype").get<std::string>();
  const auto shape = t.at("shape").get<std::vector<int64_t>>();
  if (dtype == "int64") return accel::tensor(t.at("values").get<std::vector<int64_t>>()).view(shape);
  if (dtype == "bool") {
    std::vector<bool> flags;
    for (const json& b : t.at("values")) flags.push_back(b.get<bool>());
    return accel::tensor(flags).view(shape);
  }
  if (dtype != "float32" && dtype != "float64") throw std::runtime_error("golden: unexpected dtype " + dtype);
  std::vector<double> values;
  for (const json& v : t.at("values")) values.push_back(number(v));
  accel::Tensor flat = accel::tensor(values, {.dtype = accel::kFloat64});
  return flat.view(shape).to(dtype == "float32" ? accel::kFloat32 : accel::kFloat64);
}

// The case called `name` in a golden file's "cases".
inline const json& find_case(const json& file, const std::string& name) {
  for (const json& c : file.at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no golden case " + name);
}

}  // namespace golden
