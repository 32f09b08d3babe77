#pragma once
// The fixed problem of tools/gen_optim_golden.py (tests/data/golden/optim.json): parameters W[3,4] and
// b[3], data x[6,4] and y[6,3], loss = mean((x @ W.T + b - y)^2), in float64; and the error check
// the optimizer tests share.
#include <cstdlib>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <accel/accel.h>

#include "../expect_error.h"

namespace optim_test {

using json = nlohmann::json;

inline const json& golden() {
  static const json file = [] {
    std::string dir = "tests/data";
    if (const char* env = std::getenv("ACCEL_TEST_DATA_DIR"); env && *env) dir = env;
#ifdef ACCEL_TEST_DATA_DIR
    else dir = ACCEL_TEST_DATA_DIR;
#endif
    std::ifstream in(dir + "/golden/optim.json");
    if (!in) throw std::runtime_error("cannot open " + dir + "/golden/optim.json");
    return json::parse(in);
  }();
  return file;
}

inline accel::Tensor float64_tensor(const std::vector<int64_t>& shape, const std::vector<double>& values) {
  accel::Tensor t = accel::empty(shape, {.dtype = accel::kFloat64});
  if (static_cast<size_t>(t.numel()) != values.size()) throw std::runtime_error("golden: size mismatch");
  for (size_t i = 0; i < values.size(); ++i) t.data_ptr<double>()[i] = values[i];
  return t;
}

inline accel::Tensor golden_tensor(const json& t) {
  return float64_tensor(t.at("shape").get<std::vector<int64_t>>(), t.at("values").get<std::vector<double>>());
}

struct Problem {
  accel::Tensor W, b, x, y;

  Problem() {
    const json& p = golden().at("problem");
    W = golden_tensor(p.at("W")).requires_grad_();
    b = golden_tensor(p.at("b")).requires_grad_();
    x = golden_tensor(p.at("x"));
    y = golden_tensor(p.at("y"));
  }
  std::vector<accel::Tensor> params() const { return {W, b}; }
  accel::Tensor loss() const { return (x.matmul(W.t()) + b - y).pow(2).mean(); }
  // One training step: fresh gradients, then the update.
  void step(accel::optim::Optimizer& optimizer) const {
    optimizer.zero_grad();
    loss().backward();
    optimizer.step();
  }
};

using accel_testing::expect_error;

}  // namespace optim_test
