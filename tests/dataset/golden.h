#pragma once
// tests/data/golden/data_samplers.json, written by tools/gen_data_golden.py with the reference PyTorch.
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

inline const nlohmann::json& data_golden() {
  static const nlohmann::json golden = [] {
    const char* env = std::getenv("ACCEL_TEST_DATA_DIR");
    const std::string path = std::string(env && *env ? env : ACCEL_TEST_DATA_DIR) + "/golden/data_samplers.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(in);
  }();
  return golden;
}
