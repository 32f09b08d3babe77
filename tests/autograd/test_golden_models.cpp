// Whole-model gradients against the reference PyTorch (tools/gen_autograd_golden.py writes
// tests/data/golden/autograd_models.json): a small MLP and a small CNN with fixed weights and inputs,
// built from accel's functional ops; the logits, the loss, the batch-norm running statistics and the
// gradient of every parameter and of the input must match PyTorch's.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <accel/accel.h>

#include "../golden_json.h"

namespace {

using golden::json;
using accel::Tensor;

const json& golden_case(const std::string& name) {
  static const json file = golden::load("autograd_models.json");
  return golden::find_case(file, name);
}


struct Model {
  std::map<std::string, Tensor> p;    // parameters (leaves requiring grad)
  std::map<std::string, Tensor> buf;  // batch-norm running statistics
  Tensor x, target;
};

struct Outputs {
  Tensor logits, loss;
};

Outputs mlp(const Model& m) {
  Tensor h = accel::relu(accel::linear(m.x, m.p.at("fc1.weight"), m.p.at("fc1.bias")));
  h = accel::relu(accel::linear(h, m.p.at("fc2.weight"), m.p.at("fc2.bias")));
  Tensor logits = accel::linear(h, m.p.at("fc3.weight"), m.p.at("fc3.bias"));
  return {logits, accel::cross_entropy(logits, m.target)};
}

Outputs cnn(const Model& m) {
  Tensor h = accel::conv2d(m.x, m.p.at("conv1.weight"), m.p.at("conv1.bias"), 1, 1);
  h = accel::batch_norm(h, m.p.at("bn.weight"), m.p.at("bn.bias"), m.buf.at("bn.running_mean"),
                        m.buf.at("bn.running_var"), /*training=*/true, 0.1, 1e-5);
  h = accel::max_pool2d(accel::relu(h), 2);
  h = accel::conv2d(h, m.p.at("conv2.weight"), m.p.at("conv2.bias"), 1, 1, 1, /*groups=*/2);
  h = accel::adaptive_avg_pool2d(h, 2).flatten(1);
  Tensor logits = accel::linear(h, m.p.at("fc.weight"), m.p.at("fc.bias"));
  return {logits, accel::cross_entropy(logits, m.target, {.label_smoothing = 0.1})};
}

// |actual - expected| <= atol + rtol * |expected| elementwise. The tiny atol covers entries that are
// zero in exact arithmetic: conv1's bias gradient (batch norm cancels any per-channel shift) is
// rounding noise of about 1e-9 in float32.
void expect_close(const std::string& what, const Tensor& actual, const json& expected) {
  ASSERT_TRUE(actual.defined()) << what << ": undefined (no gradient reached it)";
  const Tensor ref = golden::tensor(expected);
  ASSERT_EQ(actual.sizes().vec(), ref.sizes().vec()) << what << ": shape";
  ASSERT_EQ(actual.dtype(), ref.dtype()) << what << ": dtype";
  const double rtol = 1e-5, atol = ref.dtype() == accel::kFloat64 ? 1e-12 : 1e-7;
  const std::vector<double> a = actual.to_vector<double>(), r = ref.to_vector<double>();
  int bad = 0;
  std::ostringstream msg;
  msg.precision(10);
  for (size_t i = 0; i < r.size(); ++i) {
    if (std::abs(a[i] - r[i]) <= atol + rtol * std::abs(r[i])) continue;
    if (bad++ < 8) msg << "\n  [" << i << "] accel " << a[i] << " torch " << r[i];
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << r.size() << " elements differ (rtol " << rtol
                    << ", atol " << atol << ")" << msg.str();
}

void check_case(const std::string& name) {
  const json& c = golden_case(name);
  Model m;
  for (const auto& [k, t] : c.at("params").items()) m.p[k] = golden::tensor(t).requires_grad_();
  for (const auto& [k, t] : c.at("buffers").items()) m.buf[k] = golden::tensor(t);
  m.x = golden::tensor(c.at("inputs").at("x")).requires_grad_();
  m.target = golden::tensor(c.at("inputs").at("target"));

  const std::string model = c.at("model").get<std::string>();
  const Outputs out = model == "mlp" ? mlp(m) : cnn(m);
  const json& expected = c.at("outputs");
  expect_close("logits", out.logits, expected.at("logits"));
  expect_close("loss", out.loss, expected.at("loss"));
  for (const auto& [k, t] : m.buf) expect_close(k + " after the forward", t, expected.at(k));

  try {
    out.loss.backward();
  } catch (const std::exception& e) {
    FAIL() << "backward: " << e.what();
  }
  const json& grads = c.at("grads");
  expect_close("grad of x", m.x.grad(), grads.at("x"));
  for (const auto& [k, t] : m.p) expect_close("grad of " + k, t.grad(), grads.at(k));
  EXPECT_EQ(m.p.size() + 1, grads.size()) << "every stored gradient is checked";
}

}  // namespace

TEST(GoldenModels, MlpFloat64) { check_case("mlp_f64"); }
TEST(GoldenModels, MlpFloat32) { check_case("mlp_f32"); }
TEST(GoldenModels, CnnFloat64) { check_case("cnn_f64"); }
TEST(GoldenModels, CnnFloat32) { check_case("cnn_f32"); }
