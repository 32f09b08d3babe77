#include <accel/trainer/placeholders.h>

#include <variant>

#include <accel/tensor/error.h>

namespace accel::trainer {

int64_t resolve(TrainerPlaceholderValues placeholder, const RunConfig& run_config) {
  switch (placeholder) {
    case TrainerPlaceholderValues::NUM_EPOCHS:
      return run_config.num_epochs;
    case TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH:
      return run_config.num_update_steps_per_epoch;
    case TrainerPlaceholderValues::PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH:
      return run_config.num_local_update_steps_per_epoch;
    case TrainerPlaceholderValues::TRAIN_DATALOADER_LEN:
      return run_config.train_dataloader_len;
    case TrainerPlaceholderValues::EVAL_DATALOADER_LEN:
      return run_config.eval_dataloader_len;
  }
  ACCEL_FAIL("TrainerPlaceholderValues: unknown placeholder ", static_cast<int>(placeholder));
}

const char* placeholder_name(TrainerPlaceholderValues placeholder) {
  switch (placeholder) {
    case TrainerPlaceholderValues::NUM_EPOCHS:
      return "NUM_EPOCHS";
    case TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH:
      return "NUM_UPDATE_STEPS_PER_EPOCH";
    case TrainerPlaceholderValues::PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH:
      return "PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH";
    case TrainerPlaceholderValues::TRAIN_DATALOADER_LEN:
      return "TRAIN_DATALOADER_LEN";
    case TrainerPlaceholderValues::EVAL_DATALOADER_LEN:
      return "EVAL_DATALOADER_LEN";
  }
  ACCEL_FAIL("TrainerPlaceholderValues: unknown placeholder ", static_cast<int>(placeholder));
}

struct PlaceholderExpression::Node {
  enum class Op { Add, Multiply };
  struct Binary {
    Op op;
    PlaceholderExpression left, right;
  };
  std::variant<TrainerPlaceholderValues, int64_t, Binary> value;
};

PlaceholderExpression::PlaceholderExpression(TrainerPlaceholderValues placeholder)
    : node_(std::make_shared<const Node>(Node{placeholder})) {}

PlaceholderExpression::PlaceholderExpression(int64_t constant) : node_(std::make_shared<const Node>(Node{constant})) {}

int64_t PlaceholderExpression::resolve(const RunConfig& run_config) const {
  if (const auto* placeholder = std::get_if<TrainerPlaceholderValues>(&node_->value))
    return trainer::resolve(*placeholder, run_config);
  if (const auto* constant = std::get_if<int64_t>(&node_->value)) return *constant;
  const auto& binary = std::get<Node::Binary>(node_->value);
  const int64_t left = binary.left.resolve(run_config), right = binary.right.resolve(run_config);
  return binary.op == Node::Op::Add ? left + right : left * right;
}

std::string PlaceholderExpression::to_string() const {
  if (const auto* placeholder = std::get_if<TrainerPlaceholderValues>(&node_->value))
    return placeholder_name(*placeholder);
  if (const auto* constant = std::get_if<int64_t>(&node_->value)) return std::to_string(*constant);
  const auto& binary = std::get<Node::Binary>(node_->value);
  if (binary.op == Node::Op::Add) return binary.left.to_string() + "+" + binary.right.to_string();
  // A sum inside a product needs parentheses.
  const auto operand = [](const PlaceholderExpression& e) {
    const auto* inner = std::get_if<Node::Binary>(&e.node_->value);
    return inner && inner->op == Node::Op::Add ? "(" + e.to_string() + ")" : e.to_string();
  };
  return operand(binary.left) + "*" + operand(binary.right);
}

PlaceholderExpression operator+(PlaceholderExpression a, PlaceholderExpression b) {
  return PlaceholderExpression(std::make_shared<const PlaceholderExpression::Node>(
      PlaceholderExpression::Node{PlaceholderExpression::Node::Binary{PlaceholderExpression::Node::Op::Add, a, b}}));
}

PlaceholderExpression operator*(PlaceholderExpression a, PlaceholderExpression b) {
  return PlaceholderExpression(std::make_shared<const PlaceholderExpression::Node>(PlaceholderExpression::Node{
      PlaceholderExpression::Node::Binary{PlaceholderExpression::Node::Op::Multiply, a, b}}));
}

PlaceholderExpression operator+(TrainerPlaceholderValues a, PlaceholderExpression b) {
  return PlaceholderExpression(a) + b;
}
PlaceholderExpression operator*(TrainerPlaceholderValues a, PlaceholderExpression b) {
  return PlaceholderExpression(a) * b;
}
PlaceholderExpression operator+(PlaceholderExpression a, TrainerPlaceholderValues b) {
  return a + PlaceholderExpression(b);
}
PlaceholderExpression operator*(PlaceholderExpression a, TrainerPlaceholderValues b) {
  return a * PlaceholderExpression(b);
}
PlaceholderExpression operator+(TrainerPlaceholderValues a, TrainerPlaceholderValues b) {
  return PlaceholderExpression(a) + PlaceholderExpression(b);
}
PlaceholderExpression operator*(TrainerPlaceholderValues a, TrainerPlaceholderValues b) {
  return PlaceholderExpression(a) * PlaceholderExpression(b);
}

}  // namespace accel::trainer
