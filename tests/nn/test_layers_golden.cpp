// Normalization, embedding, attention and transformer modules against the reference PyTorch
// (tools/gen_nn_layers_golden.py writes tests/data/golden/nn_norm_attention.json). Each case builds
// the accel module, checks that its state-dict keys are PyTorch's (same order), loads PyTorch's
// state dict strictly, replays the recorded calls in train or eval mode and compares the outputs,
// the state after each call (running statistics) and the gradients of the first call.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <accel/accel.h>
#include <accel/nn/attention.h>
#include <accel/nn/embedding.h>
#include <accel/nn/normalization.h>
#include <accel/nn/transformer.h>

#include "../golden_json.h"

namespace {

using golden::json;
using accel::Tensor;
namespace nn = accel::nn;

const json& golden_case(const std::string& name) {
  static const json file = golden::load("nn_norm_attention.json");
  return golden::find_case(file, name);
}


void expect_close(const std::string& what, const Tensor& actual, const json& expected) {
  ASSERT_TRUE(actual.defined()) << what << ": undefined";
  const Tensor ref = golden::tensor(expected);
  ASSERT_EQ(actual.sizes().vec(), ref.sizes().vec()) << what << ": shape";
  ASSERT_EQ(actual.dtype(), ref.dtype()) << what << ": dtype";
  const std::vector<double> a = actual.to_vector<double>(), r = ref.to_vector<double>();
  int bad = 0;
  std::ostringstream msg;
  msg.precision(17);
  for (size_t i = 0; i < r.size(); ++i) {
    if (std::abs(a[i] - r[i]) <= 1e-10 + 1e-9 * std::abs(r[i])) continue;
    if (bad++ < 8) msg << "\n  [" << i << "] accel " << a[i] << " torch " << r[i];
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << r.size() << " elements differ" << msg.str();
}

template <typename T>
T arg(const json& args, const char* key, T fallback) {
  return args.contains(key) ? args.at(key).get<T>() : fallback;
}

std::shared_ptr<nn::Module> make_module(const std::string& type, const json& a) {
  if (type == "BatchNorm1d" || type == "BatchNorm2d") {
    nn::BatchNormOptions o{.eps = arg(a, "eps", 1e-5),
                           .affine = arg(a, "affine", true),
                           .track_running_stats = arg(a, "track_running_stats", true)};
    if (a.contains("momentum"))
      o.momentum = a.at("momentum").is_null() ? std::nullopt : std::optional<double>(a.at("momentum").get<double>());
    const int64_t features = a.at("num_features").get<int64_t>();
    if (type == "BatchNorm1d") return std::make_shared<nn::BatchNorm1d>(features, o);
    return std::make_shared<nn::BatchNorm2d>(features, o);
  }
  if (type == "LayerNorm")
    return std::make_shared<nn::LayerNorm>(
        a.at("normalized_shape").get<std::vector<int64_t>>(),
        nn::LayerNormOptions{.eps = arg(a, "eps", 1e-5), .bias = arg(a, "bias", true)});
  if (type == "GroupNorm")
    return std::make_shared<nn::GroupNorm>(a.at("num_groups").get<int64_t>(), a.at("num_channels").get<int64_t>(),
                                           nn::GroupNormOptions{.eps = arg(a, "eps", 1e-5)});
  if (type == "Embedding")
    return std::make_shared<nn::Embedding>(a.at("num_embeddings").get<int64_t>(), a.at("embedding_dim").get<int64_t>(),
                                           nn::EmbeddingOptions{.padding_idx = a.at("padding_idx").get<int64_t>()});
  if (type == "MultiheadAttention")
    return std::make_shared<nn::MultiheadAttention>(
        a.at("embed_dim").get<int64_t>(), a.at("num_heads").get<int64_t>(),
        nn::MultiheadAttentionOptions{.bias = arg(a, "bias", true), .batch_first = arg(a, "batch_first", false)});
  if (type == "TransformerEncoderLayer")
    return std::make_shared<nn::TransformerEncoderLayer>(
        a.at("d_model").get<int64_t>(), a.at("nhead").get<int64_t>(),
        nn::TransformerEncoderLayerOptions{.dim_feedforward = a.at("dim_feedforward").get<int64_t>(),
                                           .activation = arg<std::string>(a, "activation", "relu"),
                                           .layer_norm_eps = arg(a, "layer_norm_eps", 1e-5),
                                           .batch_first = arg(a, "batch_first", false),
                                           .norm_first = arg(a, "norm_first", false)});
  throw std::runtime_error("golden: unknown module " + type);
}

// Runs one recorded call; inputs[name] are the call's tensors (the differentiable ones requiring grad).
std::map<std::string, Tensor> run(nn::Module& module, const std::string& type, std::map<std::string, Tensor>& in,
                                  const json& flags) {
  auto input = [&](const char* name) { return in.count(name) ? in.at(name) : Tensor(); };
  if (type == "MultiheadAttention") {
    const Tensor query = in.at("query");
    const Tensor key = in.count("key") ? in.at("key") : query;  // self-attention: the very same tensor
    const Tensor value = in.count("value") ? in.at("value") : key;
    auto [out, weights] = static_cast<nn::MultiheadAttention&>(module).forward(
        query, key, value,
        {.key_padding_mask = input("key_padding_mask"),
         .attn_mask = input("attn_mask"),
         .need_weights = arg(flags, "need_weights", true),
         .average_attn_weights = arg(flags, "average_attn_weights", true),
         .is_causal = arg(flags, "is_causal", false)});
    return {{"out", out}, {"weights", weights}};
  }
  if (type == "TransformerEncoderLayer")
    return {{"out", static_cast<nn::TransformerEncoderLayer&>(module).forward(
                        in.at("src"), {.src_mask = input("src_mask"),
                                       .src_key_padding_mask = input("src_key_padding_mask"),
                                       .is_causal = arg(flags, "is_causal", false)})}};
  return {{"out", module(in.count("x") ? in.at("x") : in.at("indices"))}};
}

void check_case(const std::string& name) {
  const json& c = golden_case(name);
  const std::string type = c.at("module");
  auto module = make_module(type, c.at("args"));
  module->to(accel::kFloat64);

  accel::StateDict state;
  std::vector<std::string> torch_keys;
  for (const auto& [key, value] : c.at("state").items()) {
    state.insert(key, golden::tensor(value));
    torch_keys.push_back(key);
  }
  ASSERT_EQ(module->state_dict().keys(), torch_keys) << name << ": state_dict keys differ from PyTorch's";
  module->load_state_dict(state);

  bool first = true;
  for (const json& call : c.at("calls")) {
    SCOPED_TRACE(name + (call.at("train").get<bool>() ? " (train)" : " (eval)"));
    module->train(call.at("train").get<bool>());
    std::map<std::string, Tensor> in;
    for (const auto& [key, value] : call.at("inputs").items())
      if (key != "grad_out") in[key] = golden::tensor(value);
    const bool with_grads = first && c.contains("grads");
    if (with_grads) {
      module->zero_grad();
      for (auto& [key, t] : in)
        if (t.is_floating_point() && key.find("mask") == std::string::npos) t.requires_grad_();
    }
    auto out = run(*module, type, in, call.at("options"));
    for (const auto& [key, expected] : call.at("outputs").items())
      expect_close(name + " " + key, out.at(key), expected);
    if (!call.at("outputs").contains("weights") && out.count("weights")) {
      EXPECT_FALSE(out.at("weights").defined());
    }
    for (const auto& [key, t] : module->state_dict()) expect_close(name + " state " + key, t, call.at("state").at(key));

    if (with_grads) {
      (out.at("out") * golden::tensor(call.at("inputs").at("grad_out"))).sum().backward();
      const auto params = module->named_parameters();
      for (const auto& [key, expected] : c.at("grads").items()) {
        const Tensor* param = params.find(key);
        expect_close(name + " grad " + key, param ? param->grad() : in.at(key).grad(), expected);
      }
    }
    first = false;
  }
}

TEST(LayersGolden, BatchNorm2dMomentum) { check_case("batchnorm2d_momentum"); }
TEST(LayersGolden, BatchNorm1dCumulativeAverage) { check_case("batchnorm1d_cumulative"); }
TEST(LayersGolden, BatchNorm1d3dNoAffine) { check_case("batchnorm1d_3d_no_affine"); }
TEST(LayersGolden, BatchNorm2dUntrackedUsesBatchStatsInEval) { check_case("batchnorm2d_untracked"); }
TEST(LayersGolden, LayerNorm2dShape) { check_case("layernorm_2d_shape"); }
TEST(LayersGolden, LayerNormNoBias) { check_case("layernorm_no_bias"); }
TEST(LayersGolden, GroupNorm) { check_case("groupnorm"); }
TEST(LayersGolden, EmbeddingPadding) { check_case("embedding_padding"); }
TEST(LayersGolden, MultiheadSelfAttentionSeqFirst) { check_case("mha_self_seq_first"); }
TEST(LayersGolden, MultiheadCrossAttentionMasksPerHeadWeights) { check_case("mha_cross_batch_first_masks"); }
TEST(LayersGolden, MultiheadAttentionNoBiasPerHeadBoolMask) { check_case("mha_no_bias_3d_bool_mask"); }
TEST(LayersGolden, MultiheadAttentionCausalFused) { check_case("mha_causal_no_weights"); }
TEST(LayersGolden, MultiheadAttentionUnbatched) { check_case("mha_unbatched"); }
TEST(LayersGolden, TransformerEncoderLayerPostNormRelu) { check_case("encoder_post_norm_relu"); }
TEST(LayersGolden, TransformerEncoderLayerPreNormGelu) { check_case("encoder_pre_norm_gelu"); }

}  // namespace
