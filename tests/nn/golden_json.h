#pragma once
// Reads tests/data/golden/<file>.json (written by the tools/gen_*golden.py scripts) and turns its
// tensors ({"shape", "dtype", "values"}; NaN and infinities as strings) into accel tensors.
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

// float32 and float64 tensors (all that the nn golden files hold).
inline accel::Tensor tensor(const json& t) {
  std::vector<double> values;
  for (const json& v : t.at("values")) values.push_back(number(v));
  const std::string dtype = t.at("dtype").get<std::string>();
  if (dtype != "float32" && dtype != "float64") throw std::runtime_error("golden: unexpected dtype " + dtype);
  const auto shape = t.at("shape").get<std::vector<int64_t>>();
  accel::Tensor flat = accel::tensor(values, {.dtype = accel::kFloat64});
  return flat.view(shape).to(dtype == "float32" ? accel::kFloat32 : accel::kFloat64);
}

}  // namespace golden
