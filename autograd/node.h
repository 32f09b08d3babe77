#pragma once
// The backward graph. Each recorded op creates a Node that holds what its gradient formula needs
// and an Edge per input to the node that receives that input's gradient.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <accel/tensor/tensor.h>

namespace accel::autograd {

class Node;
struct Meta;
using TensorList = std::vector<Tensor>;
// A tensor hook sees the gradient and may return a replacement (an undefined result keeps it).
using Hook = std::function<Tensor(const Tensor&)>;

// Where one input's gradient goes: input `input_nr` of `fn` (none when fn is null, i.e. the
// input needs no gradient), and the shape, dtype and device the gradient must have there. The
// engine reduces broadcast gradients and casts them to match, so formulas need not.
struct Edge {
  IntrusivePtr<Node> fn;
  uint32_t input_nr = 0;
  DType dtype = kFloat32;
  Device device;
  DimVector sizes;
  bool valid() const { return static_cast<bool>(fn); }
};

// Shape, dtype and device of a forward output (to make a zero gradient when none arrives).
struct OutputInfo {
  DType dtype;
  Device device;
  DimVector sizes;
};

class Node : public RefCounted {
 public:
  Node();

  // The op's name as reported in errors, e.g. "MulBackward".
  virtual const char* name() const = 0;
  // grads: one per forward output. Returns one gradient per next edge; an undefined entry means
  // "no gradient" (a valid answer only for edges that are not valid).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees saved tensors once a backward without retain_graph has run this node.
  virtual void release_saved() {}
  // Whether apply() records a graph when create_graph is set (formulas written with
  // differentiable ops). Nodes whose backward is a raw kernel return false.
  virtual bool supports_double_backward() const { return true; }
  // Runs the tensor hooks registered on this node's outputs, and retain_grad.
  virtual void run_tensor_hooks(TensorList& grads);

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  std::vector<Edge>& mutable_next_edges() { return next_edges_; }
  bool needs_input_grad(size_t i) const { return i < next_edges_.size() && next_edges_[i].valid(); }
  // Creation order: the engine runs later nodes first, as PyTorch does.
  uint64_t sequence_nr() const { return sequence_nr_; }
  const std::vector<OutputInfo>& outputs() const { return outputs_; }
  uint32_t add_output(const Tensor& t);
  // The module whose forward recorded this node, when anomaly mode was on.
  const std::string& module_name() const { return module_name_; }
  // Shapes of the inputs, for error messages.
  std::string describe_inputs() const;

  int add_hook(uint32_t output_nr, Hook hook);
  bool remove_hook(int id);
  // retain_grad: stores the gradient of output output_nr into that tensor's state.
  void retain_grad(uint32_t output_nr, Meta* tensor);
  void forget_retained(const Meta* tensor);

 private:
  struct TensorHook {
    int id;
    uint32_t output_nr;
    Hook fn;
  };
  std::vector<Edge> next_edges_;
  std::vector<OutputInfo> outputs_;
  std::vector<TensorHook> hooks_;
  std::vector<std::pair<uint32_t, Meta*>> retained_;
  std::string module_name_;
  uint64_t sequence_nr_;
};

// A tensor a node keeps for its backward, with the version it had when saved: modifying it in
// place before backward is an error rather than a silently wrong gradient.
class SavedTensor {
 public:
  SavedTensor() = default;
  // is_output: t is an output of the saving node. It is kept without its history (which points
  // back at the node) and re-attached on unpack, so the graph has no reference cycle.
  explicit SavedTensor(const Tensor& t, bool is_output = false);

  // The saved tensor; throws when it was freed by a backward or modified in place since.
  Tensor unpack(const Node* owner) const;
  bool defined() const { return state_ != State::Empty; }
  void reset();

 private:
  enum class State : uint8_t { Empty, Saved, Released };
  Tensor data_;
  uint64_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  State state_ = State::Empty;
};

}  // namespace accel::autograd
