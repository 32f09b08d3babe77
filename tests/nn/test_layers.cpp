// nn-core layers against the reference PyTorch (tools/gen_nn_golden.py writes
// tests/data/golden/nn_layers.json): for each case the accel module below must print PyTorch's
// repr, have PyTorch's state-dict keys in order, accept PyTorch's state dict, and reproduce the
// forward output and the gradients of the input and of every parameter. Then shapes, default
// initialisation and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "../golden_json.h"

namespace nn = accel::nn;
using accel::Tensor;

namespace {

// The same modules as tools/gen_nn_golden.py's layer_specs(), by case name.
std::shared_ptr<nn::Module> build(const std::string& name) {
  static const std::map<std::string, std::function<std::shared_ptr<nn::Module>()>> factories = {
      {"linear", [] { return std::make_shared<nn::Linear>(5, 3); }},
      {"linear_no_bias_3d", [] { return std::make_shared<nn::Linear>(5, 3, nn::LinearOptions{.bias = false}); }},
      {"conv1d", [] { return std::make_shared<nn::Conv1d>(2, 4, 3, nn::Conv1dOptions{.stride = 2, .padding = 1}); }},
      {"conv2d", [] { return std::make_shared<nn::Conv2d>(3, 4, 3, nn::Conv2dOptions{.padding = 1}); }},
      {"conv2d_groups",
       [] {
         return std::make_shared<nn::Conv2d>(
             4, 6, nn::ExpandingArray<2>{3, 2},
             nn::Conv2dOptions{.stride = {2, 1}, .padding = 1, .dilation = {1, 2}, .groups = 2, .bias = false});
       }},
      {"maxpool2d", [] { return std::make_shared<nn::MaxPool2d>(2); }},
      {"maxpool2d_ceil",
       [] {
         return std::make_shared<nn::MaxPool2d>(nn::ExpandingArray<2>{3, 3},
                                                nn::MaxPool2dOptions{.stride = 2, .padding = 1, .ceil_mode = true});
       }},
      {"avgpool2d",
       [] {
         return std::make_shared<nn::AvgPool2d>(3, nn::AvgPool2dOptions{.stride = 2, .padding = 1,
                                                                        .count_include_pad = false});
       }},
      {"adaptive_avgpool2d", [] { return std::make_shared<nn::AdaptiveAvgPool2d>(nn::ExpandingArray<2>{2, 3}); }},
      {"flatten", [] { return std::make_shared<nn::Flatten>(); }},
      {"unflatten", [] { return std::make_shared<nn::Unflatten>(1, std::vector<int64_t>{2, 3}); }},
      {"identity", [] { return std::make_shared<nn::Identity>(); }},
      {"relu", [] { return std::make_shared<nn::ReLU>(); }},
      {"gelu", [] { return std::make_shared<nn::GELU>(); }},
      {"gelu_tanh", [] { return std::make_shared<nn::GELU>(nn::GELUOptions{.approximate = "tanh"}); }},
      {"silu", [] { return std::make_shared<nn::SiLU>(); }},
      {"tanh", [] { return std::make_shared<nn::Tanh>(); }},
      {"sigmoid", [] { return std::make_shared<nn::Sigmoid>(); }},
      {"leaky_relu", [] { return std::make_shared<nn::LeakyReLU>(nn::LeakyReLUOptions{.negative_slope = 0.2}); }},
      {"softmax", [] { return std::make_shared<nn::Softmax>(1); }},
      {"log_softmax", [] { return std::make_shared<nn::LogSoftmax>(-1); }},
      {"mlp", [] { return std::make_shared<nn::Sequential>(nn::Linear(6, 8), nn::ReLU(), nn::Linear(8, 3)); }},
      {"cnn",
       [] {
         return std::make_shared<nn::Sequential>(nn::Conv2d(1, 4, 3, {.padding = 1}), nn::SiLU(), nn::MaxPool2d(2),
                                                 nn::Flatten(), nn::Linear(36, 5));
       }},
  };
  auto it = factories.find(name);
  if (it == factories.end()) throw std::runtime_error("no accel module for golden case " + name);
  return it->second();
}

void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  EXPECT_TRUE(accel::allclose(actual, expected, 1e-5, 1e-5)) << what << "\nactual " << actual << "\nexpected "
                                                             << expected;
}

}  // namespace

TEST(LayersGolden, EveryCaseMatchesPyTorch) {
  const golden::json file = golden::load("nn_layers.json");
  ASSERT_EQ(file.at("layers").size(), 23u);
  for (const golden::json& c : file.at("layers")) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    auto module = build(name);

    std::ostringstream repr;
    repr << *module;
    EXPECT_EQ(repr.str(), c.at("repr").get<std::string>());

    accel::StateDict state;
    for (const auto& [key, t] : c.at("state").items()) state.insert(key, golden::tensor(t));
    EXPECT_EQ(module->state_dict().keys(), state.keys());
    module->load_state_dict(state);

    Tensor x = golden::tensor(c.at("input")).requires_grad_();
    Tensor y = (*module)(x);
    expect_close(y, golden::tensor(c.at("output")), "output");
    (y * golden::tensor(c.at("upstream"))).sum().backward();
    const golden::json& grads = c.at("grads");
    expect_close(x.grad(), golden::tensor(grads.at("input")), "input grad");
    for (const auto& [key, p] : module->named_parameters()) expect_close(p.grad(), golden::tensor(grads.at(key)), key);
  }
}

TEST(Layers, LinearDefaultInitIsKaimingUniform) {
  accel::manual_seed(0);
  nn::Linear linear(400, 300);
  const double bound = 1 / std::sqrt(400.0);  // kaiming_uniform_(a = sqrt(5)) and the bias rule
  EXPECT_LE(linear.weight.abs().max().item<double>(), bound);
  EXPECT_GT(linear.weight.abs().max().item<double>(), 0.99 * bound);
  // Uniform(-b, b) has standard deviation b / sqrt(3).
  EXPECT_NEAR(linear.weight.std().item<double>(), bound / std::sqrt(3.0), 0.01 * bound);
  EXPECT_NEAR(linear.weight.mean().item<double>(), 0.0, 0.01 * bound);
  EXPECT_LE(linear.bias.abs().max().item<double>(), bound);
  EXPECT_GT(linear.bias.abs().max().item<double>(), 0.9 * bound);
  EXPECT_TRUE(linear.weight.requires_grad());
}

TEST(Layers, ConvDefaultInitUsesFanInOfGroupAndKernel) {
  accel::manual_seed(0);
  nn::Conv2d conv(8, 64, 3, {.groups = 2});
  EXPECT_EQ(conv.weight.sizes(), accel::IntArrayRef({64, 4, 3, 3}));
  const double bound = 1 / std::sqrt(4.0 * 9);
  EXPECT_LE(conv.weight.abs().max().item<double>(), bound);
  EXPECT_GT(conv.weight.abs().max().item<double>(), 0.99 * bound);
  EXPECT_NEAR(conv.weight.std().item<double>(), bound / std::sqrt(3.0), 0.03 * bound);
  EXPECT_LE(conv.bias.abs().max().item<double>(), bound);
}

TEST(Layers, ResetParametersDrawsNewValues) {
  nn::Linear linear(4, 4);
  Tensor before = linear.weight.clone();
  linear.reset_parameters();
  EXPECT_FALSE(accel::equal(before, linear.weight));
}

TEST(Layers, Shapes) {
  Tensor image = accel::randn({2, 3, 9, 10});
  EXPECT_EQ(nn::Conv2d(3, 5, {3, 1}, {.stride = 2})(image).sizes(), accel::IntArrayRef({2, 5, 4, 5}));
  EXPECT_EQ(nn::MaxPool2d(2)(image).sizes(), accel::IntArrayRef({2, 3, 4, 5}));
  EXPECT_EQ(nn::AvgPool2d(2, {.ceil_mode = true})(image).sizes(), accel::IntArrayRef({2, 3, 5, 5}));
  EXPECT_EQ(nn::AdaptiveAvgPool2d(1)(image).sizes(), accel::IntArrayRef({2, 3, 1, 1}));
  EXPECT_EQ(nn::Flatten()(image).sizes(), accel::IntArrayRef({2, 270}));
  EXPECT_EQ(nn::Flatten(0, 1)(image).sizes(), accel::IntArrayRef({6, 9, 10}));
  EXPECT_EQ(nn::Unflatten(1, {3, -1})(accel::randn({2, 6})).sizes(), accel::IntArrayRef({2, 3, 2}));
  EXPECT_EQ(nn::Conv1d(3, 2, 4)(accel::randn({2, 3, 9})).sizes(), accel::IntArrayRef({2, 2, 6}));
  EXPECT_EQ(nn::Linear(10, 4)(image).sizes(), accel::IntArrayRef({2, 3, 9, 4}));
}

TEST(Layers, BadArgumentsThrow) {
  EXPECT_THROW(nn::Conv2d(3, 4, 3, {.groups = 2}), accel::Error);  // 3 channels in 2 groups
  EXPECT_THROW(nn::Conv2d(0, 4, 3), accel::Error);
  EXPECT_THROW(nn::Conv2d(2, 4, 3, {.stride = 0}), accel::Error);
  EXPECT_THROW(nn::Conv2d(2, 4, 3, {.padding = -1}), accel::Error);
  EXPECT_THROW(nn::Linear(-1, 3), accel::Error);
  EXPECT_THROW(nn::GELU({.approximate = "fast"}), accel::Error);
  EXPECT_THROW(nn::Conv2d(2, 4, 3)(accel::randn({1, 3, 5, 5})), accel::Error);  // wrong channel count
  EXPECT_THROW(nn::Linear(4, 2)(accel::randn({3, 5})), accel::Error);
}

TEST(Layers, CloneCopiesOptionsAndValues) {
  nn::Conv2d conv(2, 4, 3, {.padding = 1, .bias = false});
  auto copy = std::dynamic_pointer_cast<nn::Conv2d>(conv.clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(accel::equal(copy->weight, conv.weight));
  EXPECT_FALSE(copy->weight.is_same(conv.weight));
  EXPECT_FALSE(copy->bias.defined());
  EXPECT_EQ(copy->type_name(), "Conv2d");
  auto seq = nn::Sequential(nn::Linear(2, 2), nn::GELU({.approximate = "tanh"}));
  auto seq_copy = std::dynamic_pointer_cast<nn::Sequential>(seq.clone());
  ASSERT_TRUE(seq_copy);
  EXPECT_EQ(seq_copy->at<nn::GELU>(1)->options.approximate, "tanh");
  EXPECT_FALSE(seq_copy->at<nn::Linear>(0)->weight.is_same(seq.at<nn::Linear>(0)->weight));
}

TEST(Containers, SequentialIndexingAndIteration) {
  auto first = std::make_shared<nn::Linear>(3, 4);
  nn::Sequential seq(first, nn::ReLU());
  seq.push_back(nn::Linear(4, 2));
  EXPECT_EQ(seq.size(), 3u);
  EXPECT_TRUE(seq[0] == first);  // a shared_ptr is held, not copied
  EXPECT_EQ(seq[-1]->type_name(), "Linear");
  EXPECT_THROW(seq[3], accel::Error);
  EXPECT_THROW(seq.at<nn::Conv2d>(0), accel::Error);
  std::vector<std::string> names;
  for (const auto& m : seq) names.push_back(m->type_name());
  EXPECT_EQ(names, (std::vector<std::string>{"Linear", "ReLU", "Linear"}));
  EXPECT_EQ(seq.state_dict().keys(), (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  Tensor x = accel::randn({5, 3});
  EXPECT_TRUE(accel::allclose(seq(x), seq.at<nn::Linear>(2)->forward(accel::relu(first->forward(x)))));
  EXPECT_TRUE(accel::equal(nn::Sequential()(x), x));
}

TEST(Containers, SequentialWithNames) {
  nn::Sequential seq(accel::OrderedDict<std::shared_ptr<nn::Module>>{
      {"fc", std::make_shared<nn::Linear>(2, 3)}, {"act", std::make_shared<nn::Tanh>()}});
  EXPECT_EQ(seq.state_dict().keys(), (std::vector<std::string>{"fc.weight", "fc.bias"}));
  std::ostringstream os;
  os << seq;
  EXPECT_EQ(os.str(), "Sequential(\n  (fc): Linear(in_features=2, out_features=3, bias=True)\n  (act): Tanh()\n)");
}

TEST(Containers, SequentialOfModulesWithoutSingleTensorForwardThrows) {
  nn::Sequential seq{nn::ModuleList{nn::ReLU{}}};
  EXPECT_THROW(seq(accel::ones({1})), accel::Error);
}

TEST(Containers, ModuleList) {
  nn::ModuleList list(nn::Linear(2, 2), nn::Linear(2, 2));
  nn::ModuleList more{nn::Tanh{}};
  list.extend(more);
  EXPECT_EQ(list.size(), 3u);
  EXPECT_EQ(list.state_dict().keys(), (std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias"}));
  EXPECT_EQ(list[2]->type_name(), "Tanh");
  EXPECT_THROW(list(accel::ones({2})), accel::Error);  // no forward
  std::ostringstream os;
  os << list;
  EXPECT_EQ(os.str(),
            "ModuleList(\n  (0): Linear(in_features=2, out_features=2, bias=True)\n"
            "  (1): Linear(in_features=2, out_features=2, bias=True)\n  (2): Tanh()\n)");
  auto copy = std::dynamic_pointer_cast<nn::ModuleList>(list.clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->size(), 3u);
}

TEST(Containers, ModuleDict) {
  nn::ModuleDict dict;
  dict.insert("encoder", nn::Linear(4, 2));
  dict.insert("act", std::make_shared<nn::ReLU>());
  EXPECT_EQ(dict.keys(), (std::vector<std::string>{"encoder", "act"}));
  EXPECT_TRUE(dict.contains("act"));
  EXPECT_EQ(dict.at<nn::Linear>("encoder")->out_features, 2);
  EXPECT_THROW(dict["decoder"], accel::Error);
  EXPECT_THROW(dict.insert("a.b", nn::ReLU()), accel::Error);
  EXPECT_EQ(dict.state_dict().keys(), (std::vector<std::string>{"encoder.weight", "encoder.bias"}));
  std::vector<std::string> keys;
  for (const auto& [key, module] : dict) keys.push_back(key + ":" + module->type_name());
  EXPECT_EQ(keys, (std::vector<std::string>{"encoder:Linear", "act:ReLU"}));
  auto copy = std::dynamic_pointer_cast<nn::ModuleDict>(dict.clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->keys(), dict.keys());
}

TEST(Repr, PythonFloats) {
  EXPECT_EQ(nn::python_repr(0.01), "0.01");
  EXPECT_EQ(nn::python_repr(1e-5), "1e-05");
  EXPECT_EQ(nn::python_repr(1.0), "1.0");
  EXPECT_EQ(nn::python_repr(0.0001), "0.0001");
  EXPECT_EQ(nn::python_repr(123456.5), "123456.5");
  EXPECT_EQ(nn::python_repr(1e16), "1e+16");
  EXPECT_EQ(nn::python_repr(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(nn::python_repr(0.1), "0.1");
  EXPECT_EQ(nn::python_repr(-0.0), "-0.0");
  EXPECT_EQ(nn::python_repr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(nn::python_tuple({3}), "(3,)");
  EXPECT_EQ(nn::python_tuple({3, 4}), "(3, 4)");
}
