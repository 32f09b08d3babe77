#include <accel/optim/optimizer.h>

#include <cmath>
#include <limits>
#include <string>
#include <unordered_set>
#include <utility>

#include <nlohmann/json.hpp>

#include <accel/autograd/grad_mode.h>
#include <accel/tensor/error.h>
#include <accel/tensor/serialization.h>

namespace accel::optim {
namespace {

// ordered: the saved JSON lists a group's hyper-parameters in the defaults' order, as PyTorch prints them.
using json = nlohmann::ordered_json;

// The metadata entry of a saved file that holds the JSON half of the state.
const char* const kMetadataKey = "optimizer";

// A filled group's hyper-parameters in the layout of the defaults ("lr" first), for the checks.
OrderedDict<double> hyper_parameters(const ParamGroup& group) {
  OrderedDict<double> all;
  all.insert("lr", group.lr);
  for (const auto& [name, value] : group.options) all.insert(name, value);
  return all;
}

std::string shape_string(IntArrayRef sizes) {
  std::string s = "[";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + "]";
}

// Parses "state.<index>.<name>"; false if the key has another form.
bool parse_state_key(const std::string& key, size_t& index, std::string& name) {
  const std::string prefix = "state.";
  if (key.rfind(prefix, 0) != 0) return false;
  const size_t dot = key.find('.', prefix.size());
  if (dot == std::string::npos || dot == prefix.size() || dot + 1 == key.size()) return false;
  const std::string digits = key.substr(prefix.size(), dot - prefix.size());
  if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  index = std::stoul(digits);
  name = key.substr(dot + 1);
  return true;
}

std::string known_options(const OrderedDict<double>& defaults) {
  std::string names;
  for (const auto& [name, value] : defaults)
    if (name != "lr") names += (names.empty() ? "" : ", ") + name;
  return names;
}

double number(const json& object, const std::string& key, const std::string& where) {
  const auto it = object.find(key);
  ACCEL_CHECK(it != object.end() && it->is_number(), "Optimizer::load_state_dict: ", where, " has no number '",
              key, "'");
  return it->get<double>();
}

}  // namespace

Optimizer::Optimizer(std::vector<ParamGroup> groups, OrderedDict<double> defaults, HyperParameterCheck check)
    : defaults_(std::move(defaults)), check_(std::move(check)) {
  ACCEL_CHECK(defaults_.contains("lr"), "Optimizer: the defaults have no 'lr'");
  check_(defaults_);
  ACCEL_CHECK(!groups.empty(), "Optimizer: got an empty list of parameter groups");
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void Optimizer::add_param_group(ParamGroup group) {
  std::unordered_set<const TensorImpl*> seen;
  for (const ParamGroup& other : groups_)
    for (const Tensor& param : other.params) seen.insert(param.impl());
  for (size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& param = group.params[i];
    ACCEL_CHECK(param.defined(), "add_param_group: parameter ", i, " is undefined");
    ACCEL_CHECK(param.is_floating_point(), "add_param_group: parameter ", i, " has dtype ",
                param.dtype(), "; only floating-point tensors can be optimized");
    ACCEL_CHECK(param.is_leaf(), "add_param_group: parameter ", i,
                " is not a leaf (it was computed by an op); optimize the tensor it came from");
    ACCEL_CHECK(seen.insert(param.impl()).second, "add_param_group: parameter ", i,
                " appears twice (in this group or in another one)");
  }

  if (std::isnan(group.lr)) group.lr = defaults_["lr"];
  for (const auto& [name, value] : group.options) {
    ACCEL_CHECK(name != "lr", "add_param_group: set the learning rate with ParamGroup::lr, not options[\"lr\"]");
    ACCEL_CHECK(defaults_.contains(name), "add_param_group: unknown option '", name, "' (known: ", known_options(defaults_), ")");
  }
  // The group's options in the order of the defaults, so every group looks the same.
  OrderedDict<double> options;
  for (const auto& [name, value] : defaults_) {
    if (name == "lr") continue;
    const double* given = group.options.find(name);
    options.insert(name, given ? *given : value);
  }
  group.options = std::move(options);
  check_(hyper_parameters(group));
  groups_.push_back(std::move(group));
}

void Optimizer::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (ParamGroup& group : groups_)
    for (const Tensor& param : group.params) {
      Tensor& grad = param.mutable_grad();
      if (!grad.defined()) continue;
      if (set_to_none) {
        grad = Tensor();
      } else {
        // A gradient computed with create_graph has history; zeroing must not extend it.
        if (grad.grad_fn()) grad = grad.detach();
        grad.zero_();
      }
    }
}

ParamState& Optimizer::state(const Tensor& param) { return state_[param.impl()]; }

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  json groups = json::array();
  json states = json::object();
  size_t index = 0;
  for (const ParamGroup& group : groups_) {
    json g = json::object();
    g["lr"] = group.lr;
    if (!std::isnan(group.initial_lr)) g["initial_lr"] = group.initial_lr;
    for (const auto& [name, value] : group.options) g[name] = value;
    json indices = json::array();
    for (const Tensor& param : group.params) {
      indices.push_back(index);
      if (const auto it = state_.find(param.impl()); it != state_.end()) {
        states[std::to_string(index)] = {{"step", it->second.step}};
        for (const auto& [name, tensor] : it->second.tensors) out.tensors.insert(
            "state." + std::to_string(index) + "." + name, tensor);
      }
      ++index;
    }
    g["params"] = std::move(indices);
    groups.push_back(std::move(g));
  }
  out.json = json{{"optimizer", name()}, {"param_groups", std::move(groups)}, {"state", std::move(states)}}.dump();
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& saved) {
  json root;
  try {
    root = json::parse(saved.json);
  } catch (const json::exception& e) {
    ACCEL_FAIL("Optimizer::load_state_dict: the JSON does not parse: ", e.what());
  }
  ACCEL_CHECK(root.is_object() && root.contains("optimizer") && root["optimizer"].is_string(),
              "Optimizer::load_state_dict: the JSON names no optimizer");
  const std::string saved_name = root["optimizer"].get<std::string>();
  ACCEL_CHECK(saved_name == name(), "Optimizer::load_state_dict: the state is from ", saved_name, ", not ", name());
  const json& saved_groups = root.value("param_groups", json());
  ACCEL_CHECK(saved_groups.is_array() && saved_groups.size() == groups_.size(), "Optimizer::load_state_dict: ",
              name(), " has ", groups_.size(), " parameter groups, the state ",
              saved_groups.is_array() ? saved_groups.size() : 0);

  // Everything is checked into new values first; the optimizer changes only when all are valid.
  std::vector<ParamGroup> groups = groups_;
  std::unordered_map<size_t, const Tensor*> param_of_index;  // saved index -> our parameter
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string where = "group " + std::to_string(g);
    const json& sg = saved_groups[g];
    ACCEL_CHECK(sg.is_object() && sg.contains("params") && sg["params"].is_array(),
                "Optimizer::load_state_dict: ", where, " lists no params");
    const json& indices = sg["params"];
    ACCEL_CHECK(indices.size() == groups[g].params.size(), "Optimizer::load_state_dict: ", where, " has ",
                groups[g].params.size(), " parameters, the state ", indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
      ACCEL_CHECK(indices[i].is_number_unsigned(), "Optimizer::load_state_dict: ", where, " has a bad index");
      ACCEL_CHECK(param_of_index.emplace(indices[i].get<size_t>(), &groups_[g].params[i]).second,
                  "Optimizer::load_state_dict: index ", indices[i].get<size_t>(), " is listed twice");
    }
    for (const auto& [key, value] : sg.items()) {
      ACCEL_CHECK(key == "params" || key == "initial_lr" || defaults_.contains(key),
                  "Optimizer::load_state_dict: ", where, " has option '", key, "', which ", name(), " does not know");
    }
    groups[g].lr = number(sg, "lr", where);
    groups[g].initial_lr = sg.contains("initial_lr") ? number(sg, "initial_lr", where)
                                                     : std::numeric_limits<double>::quiet_NaN();
    for (auto& [option, value] : groups[g].options) value = number(sg, option, where);
    check_(hyper_parameters(groups[g]));
  }

  std::unordered_map<const TensorImpl*, ParamState> state;
  const json& saved_states = root.value("state", json::object());
  ACCEL_CHECK(saved_states.is_object(), "Optimizer::load_state_dict: 'state' is not an object");
  auto param_at = [&](size_t index) -> const Tensor& {
    const auto it = param_of_index.find(index);
    ACCEL_CHECK(it != param_of_index.end(), "Optimizer::load_state_dict: state of parameter ", index,
                ", which no group lists");
    return *it->second;
  };
  for (const auto& [key, value] : saved_states.items()) {
    ACCEL_CHECK(key.find_first_not_of("0123456789") == std::string::npos && !key.empty() && key.size() <= 9,
                "Optimizer::load_state_dict: bad state key '", key, "'");
    const Tensor& param = param_at(std::stoul(key));
    ACCEL_CHECK(value.is_object(), "Optimizer::load_state_dict: state ", key, " is not an object");
    state[param.impl()].step = static_cast<int64_t>(number(value, "step", "state " + key));
  }
  for (const auto& [key, tensor] : saved.tensors) {
    size_t index = 0;
    std::string buffer;
    ACCEL_CHECK(parse_state_key(key, index, buffer), "Optimizer::load_state_dict: unexpected tensor '", key,
                "' (expected state.<index>.<name>)");
    const Tensor& param = param_at(index);
    ACCEL_CHECK(tensor.defined() && tensor.sizes() == param.sizes(), "Optimizer::load_state_dict: '", key,
                "' has shape ", tensor.defined() ? shape_string(tensor.sizes()) : "(undefined)",
                " but the parameter has shape ", shape_string(param.sizes()));
    const auto it = state.find(param.impl());
    ACCEL_CHECK(it != state.end(), "Optimizer::load_state_dict: '", key, "' belongs to no entry of 'state'");
    // A copy in the parameter's dtype and on its device (a checkpoint may come from elsewhere).
    it->second.tensors.insert(buffer, tensor.to(param.device(), param.dtype(), /*copy=*/true));
  }

  groups_ = std::move(groups);
  state_ = std::move(state);
}

void Optimizer::save(const std::string& path) const {
  const OptimizerState state = state_dict();
  accel::save(state.tensors, path, {{kMetadataKey, state.json}});
}

void Optimizer::load(const std::string& path) {
  const OrderedDict<std::string> metadata = load_metadata(path);
  const std::string* json_state = metadata.find(kMetadataKey);
  ACCEL_CHECK(json_state, "Optimizer::load: ", path, " holds no optimizer state (no metadata entry '", kMetadataKey,
              "')");
  load_state_dict({accel::load(path), *json_state});
}

}  // namespace accel::optim
