// nn::Module: registration, traversal with PyTorch's dotted names, state dicts, clone, dtype
// conversion, train/eval and zero_grad.
#include <gtest/gtest.h>

#include <limits>
#include <sstream>

#include <accel/accel.h>

namespace nn = accel::nn;
using accel::Tensor;

namespace {

// The same architecture in PyTorch:
//   class Block(nn.Module): conv = Conv2d(1, 4, 3); act = ReLU(); self.register_buffer("steps", ...)
//   class Net(nn.Module): scale (parameter), features = Sequential(Block(), MaxPool2d(2)),
//                         head = Sequential(Flatten(), Linear(36, 10))
struct Block : nn::Cloneable<Block> {
  Block() { reset(); }
  void reset() override {
    conv = register_module("conv", nn::Conv2d(1, 4, 3));
    act = register_module("act", nn::ReLU());
    steps = register_buffer("steps", accel::zeros({1}));
  }
  Tensor forward(const Tensor& x) override { return (*act)((*conv)(x)); }
  std::shared_ptr<nn::Conv2d> conv;
  std::shared_ptr<nn::ReLU> act;
  Tensor steps;
};

struct Net : nn::Cloneable<Net> {
  Net() { reset(); }
  void reset() override {
    scale = register_parameter("scale", accel::ones({1}));
    features = register_module("features", nn::Sequential(Block(), nn::MaxPool2d(2)));
    head = register_module("head", nn::Sequential(nn::Flatten(), nn::Linear(36, 10)));
  }
  Tensor forward(const Tensor& x) override { return (*head)((*features)(x) * scale); }
  Tensor scale;
  std::shared_ptr<nn::Sequential> features, head;
};

std::vector<std::string> keys(const accel::StateDict& d) { return d.keys(); }

}  // namespace

TEST(Module, DottedNamesMatchPyTorch) {
  auto net = std::make_shared<Net>();
  // [n for n, _ in net.named_parameters()] / net.state_dict().keys() / named_modules() in PyTorch.
  EXPECT_EQ(keys(net->named_parameters()),
            (std::vector<std::string>{"scale", "features.0.conv.weight", "features.0.conv.bias", "head.1.weight",
                                      "head.1.bias"}));
  EXPECT_EQ(keys(net->named_buffers()), (std::vector<std::string>{"features.0.steps"}));
  EXPECT_EQ(keys(net->state_dict()),
            (std::vector<std::string>{"scale", "features.0.steps", "features.0.conv.weight",
                                      "features.0.conv.bias", "head.1.weight", "head.1.bias"}));
  EXPECT_EQ(net->named_modules().keys(),
            (std::vector<std::string>{"", "features", "features.0", "features.0.conv", "features.0.act",
                                      "features.1", "head", "head.0", "head.1"}));
  EXPECT_EQ(net->named_modules("model", false).keys().front(), "model.features");
  EXPECT_EQ(net->children().size(), 2u);
  EXPECT_EQ(keys(net->named_parameters(/*recurse=*/false)), (std::vector<std::string>{"scale"}));
  EXPECT_EQ(net->parameters().size(), 5u);
  EXPECT_EQ(net->num_parameters(), 1 + 4 * 9 + 4 + 36 * 10 + 10);
  EXPECT_EQ(net->modules().size(), 9u);
}

TEST(Module, PrintsLikePyTorch) {
  auto net = std::make_shared<Net>();
  std::ostringstream os;
  os << *net;
  EXPECT_EQ(os.str(),
            "Net(\n"
            "  (features): Sequential(\n"
            "    (0): Block(\n"
            "      (conv): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))\n"
            "      (act): ReLU()\n"
            "    )\n"
            "    (1): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n"
            "  )\n"
            "  (head): Sequential(\n"
            "    (0): Flatten(start_dim=1, end_dim=-1)\n"
            "    (1): Linear(in_features=36, out_features=10, bias=True)\n"
            "  )\n"
            ")");
  std::ostringstream empty;
  empty << nn::Sequential();
  EXPECT_EQ(empty.str(), "Sequential()");
}

TEST(Module, ForwardThroughCall) {
  auto net = std::make_shared<Net>();
  Tensor y = (*net)(accel::randn({2, 1, 8, 8}));
  EXPECT_EQ(y.sizes(), accel::IntArrayRef({2, 10}));
  EXPECT_THROW(nn::Module().forward(y), accel::Error);
}

TEST(Module, RegisteredParametersAreLeavesThatRequireGrad) {
  nn::Module m;
  Tensor base = accel::ones({3}, {.requires_grad = true});
  Tensor p = m.register_parameter("p", base * 2);  // a non-leaf becomes a detached leaf
  EXPECT_TRUE(p.is_leaf());
  EXPECT_TRUE(p.requires_grad());
  Tensor frozen = m.register_parameter("frozen", accel::ones({2}), /*requires_grad=*/false);
  EXPECT_FALSE(frozen.requires_grad());
  EXPECT_EQ(m.num_parameters(), 5);
  EXPECT_EQ(m.num_parameters(/*only_trainable=*/true), 3);
  m.register_parameter("none", Tensor());  // like PyTorch's None: not listed
  EXPECT_EQ(m.parameters().size(), 2u);
  EXPECT_FALSE(m.state_dict().contains("none"));
}

TEST(Module, RegistrationErrors) {
  nn::Module m;
  m.register_parameter("w", accel::ones({1}));
  EXPECT_THROW(m.register_buffer("w", accel::ones({1})), accel::Error);
  EXPECT_THROW(m.register_module("w", nn::ReLU()), accel::Error);
  EXPECT_THROW(m.register_parameter("a.b", accel::ones({1})), accel::Error);
  EXPECT_THROW(m.register_parameter("", accel::ones({1})), accel::Error);
  EXPECT_THROW(m.register_parameter("i", accel::ones({1}, {.dtype = accel::kInt64})), accel::Error);
  EXPECT_THROW(m.replace_module("missing", std::make_shared<nn::ReLU>()), accel::Error);
  EXPECT_THROW(m.register_module("null", std::shared_ptr<nn::ReLU>()), accel::Error);
  // Re-registering under the same name replaces, keeping the position.
  m.register_parameter("v", accel::ones({1}));
  m.register_parameter("w", accel::zeros({4}));
  EXPECT_EQ(keys(m.named_parameters()), (std::vector<std::string>{"w", "v"}));
  EXPECT_EQ(m.named_parameters()["w"].numel(), 4);
}

TEST(Module, SharedParametersAreListedOnce) {
  nn::Module m;
  auto a = m.register_module("a", nn::Linear(3, 3));
  auto b = m.register_module("b", nn::Linear(3, 3));
  b->weight = b->register_parameter("weight", a->weight);  // tied weights
  EXPECT_EQ(keys(m.named_parameters()), (std::vector<std::string>{"a.weight", "a.bias", "b.bias"}));
  // The state dict keeps every name, as PyTorch's.
  EXPECT_EQ(m.state_dict().size(), 4u);
}

TEST(Module, ReplaceModuleKeepsPosition) {
  auto seq = std::make_shared<nn::Sequential>(nn::Linear(4, 4), nn::ReLU(), nn::Linear(4, 2));
  seq->replace_module("1", std::make_shared<nn::Tanh>());
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ((*seq)[1]->type_name(), "Tanh");
}

TEST(Module, ApplyVisitsChildrenFirst) {
  auto net = std::make_shared<Net>();
  std::vector<std::string> order;
  net->apply([&](nn::Module& m) { order.push_back(m.type_name()); });
  EXPECT_EQ(order, (std::vector<std::string>{"Conv2d", "ReLU", "Block", "MaxPool2d", "Sequential", "Flatten",
                                             "Linear", "Sequential", "Net"}));
}

TEST(Module, TrainEvalPropagates) {
  auto net = std::make_shared<Net>();
  EXPECT_TRUE(net->is_training());
  net->eval();
  for (const auto& m : net->modules()) EXPECT_FALSE(m->is_training()) << m->type_name();
  net->train();
  for (const auto& m : net->modules()) EXPECT_TRUE(m->is_training()) << m->type_name();
}

TEST(Module, StateDictSharesMemory) {
  auto net = std::make_shared<Net>();
  accel::StateDict state = net->state_dict();
  EXPECT_FALSE(state["scale"].requires_grad());
  {
    accel::NoGradGuard no_grad;
    state["scale"].fill_(3);
  }
  EXPECT_EQ(net->scale.item<float>(), 3.0f);
}

TEST(Module, LoadStateDictRoundTrip) {
  auto a = std::make_shared<Net>();
  auto b = std::make_shared<Net>();
  b->load_state_dict(a->state_dict());
  for (const auto& [name, t] : a->state_dict()) EXPECT_TRUE(accel::equal(t, b->state_dict()[name])) << name;
  EXPECT_FALSE(b->features->at<Block>(0)->conv->weight.is_same(a->features->at<Block>(0)->conv->weight));
  EXPECT_TRUE(b->scale.requires_grad());
  EXPECT_TRUE(b->scale.is_leaf());
}

TEST(Module, LoadStateDictStrictErrorsListEveryKey) {
  auto net = std::make_shared<Net>();
  accel::StateDict state = net->state_dict();
  state.erase("scale");
  state.erase("head.1.bias");
  state.insert("extra", accel::ones({1}));
  try {
    net->load_state_dict(state);
    FAIL() << "expected an error";
  } catch (const accel::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("Error(s) in loading state_dict for Net"), std::string::npos) << message;
    EXPECT_NE(message.find("Missing key(s) in state_dict: \"scale\", \"head.1.bias\"."), std::string::npos) << message;
    EXPECT_NE(message.find("Unexpected key(s) in state_dict: \"extra\"."), std::string::npos) << message;
  }
  // Non-strict loads what matches.
  state["head.1.weight"] = accel::zeros({10, 36});
  net->load_state_dict(state, /*strict=*/false);
  EXPECT_EQ(net->head->at<nn::Linear>(1)->weight.abs().sum().item<float>(), 0.0f);
}

TEST(Module, LoadStateDictShapeMismatchIsAlwaysAnErrorAndCopiesNothing) {
  auto net = std::make_shared<Net>();
  accel::StateDict state = net->state_dict();
  state["head.1.weight"] = accel::zeros({10, 35});
  state["scale"] = accel::full({1}, 7.0);
  for (bool strict : {true, false}) {
    try {
      net->load_state_dict(state, strict);
      FAIL() << "expected an error";
    } catch (const accel::Error& e) {
      EXPECT_NE(std::string(e.what()).find("size mismatch for head.1.weight: copying a param with shape [10, 35] "
                                           "from checkpoint, the shape in current model is [10, 36]."),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_EQ(net->scale.item<float>(), 1.0f);
}

TEST(Module, CloneIsIndependent) {
  auto net = std::make_shared<Net>();
  net->eval();
  auto copy = std::dynamic_pointer_cast<Net>(net->clone());
  ASSERT_TRUE(copy);
  EXPECT_EQ(keys(copy->state_dict()), keys(net->state_dict()));
  for (const auto& [name, t] : net->state_dict()) EXPECT_TRUE(accel::equal(t, copy->state_dict()[name])) << name;
  EXPECT_FALSE(copy->is_training());
  EXPECT_FALSE(copy->features->is_training());
  // The members point at the registered (cloned) tensors and children.
  EXPECT_TRUE(copy->scale.is_same(copy->named_parameters()["scale"]));
  EXPECT_TRUE(copy->features->at<Block>(0)->conv->weight.is_same(copy->named_parameters()["features.0.conv.weight"]));
  {
    accel::NoGradGuard no_grad;
    copy->scale.fill_(5);
    copy->features->at<Block>(0)->conv->weight.zero_();
  }
  EXPECT_EQ(net->scale.item<float>(), 1.0f);
  EXPECT_NE(net->features->at<Block>(0)->conv->weight.abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(copy->scale.requires_grad());
}

TEST(Module, CloneWithoutCloneableIsAnError) {
  nn::Module plain;
  try {
    plain.clone();
    FAIL();
  } catch (const accel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Cloneable"), std::string::npos);
  }
}

TEST(Module, ToDtypeKeepsIdentityAndConvertsGradients) {
  auto net = std::make_shared<Net>();
  Tensor weight = net->head->at<nn::Linear>(1)->weight;
  (*net)(accel::randn({2, 1, 8, 8})).sum().backward();
  net->to(accel::kFloat64);
  EXPECT_EQ(weight.dtype(), accel::kFloat64);
  EXPECT_EQ(weight.grad().dtype(), accel::kFloat64);
  EXPECT_EQ(net->features->at<Block>(0)->steps.dtype(), accel::kFloat64);
  EXPECT_TRUE(weight.requires_grad());
  EXPECT_EQ((*net)(accel::randn({1, 1, 8, 8}, {.dtype = accel::kFloat64})).dtype(), accel::kFloat64);
  EXPECT_THROW(net->to(accel::kInt64), accel::Error);
  net->to(accel::Device::cpu(), accel::kFloat32);
  EXPECT_EQ(weight.dtype(), accel::kFloat32);
}

TEST(Module, ToDtypeLeavesIntegerBuffers) {
  nn::Module m;
  m.register_buffer("count", accel::zeros({1}, {.dtype = accel::kInt64}));
  m.to(accel::kFloat64);
  EXPECT_EQ(m.named_buffers()["count"].dtype(), accel::kInt64);
}

TEST(Module, ZeroGrad) {
  auto lin = std::make_shared<nn::Linear>(3, 2);
  (*lin)(accel::randn({4, 3})).sum().backward();
  ASSERT_TRUE(lin->weight.grad().defined());
  lin->zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(lin->weight.grad().abs().sum().item<float>(), 0.0f);
  lin->zero_grad();
  EXPECT_FALSE(lin->weight.grad().defined());
}

TEST(Module, ModulesNeedSharedOwnership) {
  Net net;
  EXPECT_THROW(net.modules(), accel::Error);
  EXPECT_EQ(net.modules(/*include_self=*/false).size(), 8u);
}

TEST(Module, AnomalyModeNamesTheModule) {
  auto seq = std::make_shared<nn::Sequential>(nn::Linear(2, 2), nn::LogSoftmax(1));
  accel::autograd::DetectAnomalyGuard anomaly;
  Tensor x = accel::full({1, 2}, std::numeric_limits<float>::infinity());
  try {
    (*seq)(x);
    FAIL() << "expected an anomaly";
  } catch (const accel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Linear"), std::string::npos) << e.what();
  }
}

TEST(Module, ToDeviceMovesParametersBuffersAndGradients) {
  if (!accel::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  auto net = std::make_shared<Net>();
  Tensor weight = net->head->at<nn::Linear>(1)->weight;
  (*net)(accel::randn({2, 1, 8, 8})).sum().backward();
  net->to(accel::Device::cuda(0));
  EXPECT_TRUE(weight.is_cuda());
  EXPECT_TRUE(weight.grad().is_cuda());
  EXPECT_TRUE(net->features->at<Block>(0)->steps.is_cuda());
  Tensor y = (*net)(accel::randn({2, 1, 8, 8}).cuda());
  EXPECT_TRUE(y.is_cuda());
  net->to(accel::Device::cpu());
  EXPECT_TRUE(weight.is_cpu());
}
