// Loss functions as in torch.nn.functional, composed of differentiable ops so that their gradients
// follow from those ops. Two have their own node: binary_cross_entropy (PyTorch's gradient at 0 and
// 1) and cross_entropy over class indices, the last op of most training steps, which runs as one
// fused kernel each way instead of log_softmax + nll_loss's dozen ops.
#include <accel/autograd/grad_mode.h>
#include <accel/autograd/meta.h>
#include <accel/autograd/ops/op_utils.h>

namespace accel {
namespace {

using autograd::SavedTensor;
using autograd::TensorList;
using ops::check_defined;

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Mean: return loss.mean();
    case Reduction::Sum: return loss.sum();
  }
  ACCEL_FAIL("loss: unknown reduction ", static_cast<int>(reduction));
}

// Mean divides by the summed weights of the counted elements, as PyTorch's nll_loss does.
Tensor reduce_weighted(const Tensor& loss, const Tensor& weight, Reduction reduction) {
  return reduction == Reduction::Mean ? loss.sum() / weight.sum() : reduce(loss, reduction);
}

void check_floating(const Tensor& t, const char* op, const char* what) {
  ACCEL_CHECK(t.is_floating_point(), op, ": expected a floating ", what, ", got ", name(t.dtype()));
}

// Regression losses broadcast input against target, as PyTorch does (it only warns).
Tensor difference(const char* op, const Tensor& input, const Tensor& target) {
  check_defined(input, op);
  check_defined(target, op);
  broadcast_shapes(input.sizes(), target.sizes(), op);
  ACCEL_CHECK(is_floating_point(result_type(input, target)), op, ": expected floating tensors, got ",
              name(input.dtype()), " input and ", name(target.dtype()), " target");
  return input - target;
}

// ---- class-index targets ------------------------------------------------------------------

int64_t class_dim(const Tensor& input) { return input.dim() == 1 ? 0 : 1; }

void check_class_input(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight) {
  check_defined(input, op);
  check_defined(target, op);
  ACCEL_CHECK(input.dim() >= 1, op, ": expected an input of shape [C], [N, C] or [N, C, d1, ...], got ",
              input.sizes());
  check_floating(input, op, "input");
  if (!weight.defined()) return;
  const int64_t classes = input.size(class_dim(input));
  ACCEL_CHECK(weight.dim() == 1 && weight.size(0) == classes, op, ": weight should be defined for all ", classes,
              " classes or no classes, got shape ", weight.sizes());
  ACCEL_CHECK(weight.dtype() == input.dtype(), op, ": weight dtype ", name(weight.dtype()),
              " differs from the input dtype ", name(input.dtype()));
}

void check_index_target(const char* op, const Tensor& input, const Tensor& target) {
  ACCEL_CHECK(target.dtype() == kInt64, op, ": expected int64 class indices, got a ", name(target.dtype()),
              " target");
  DimVector expected(input.sizes());
  expected.erase(static_cast<size_t>(class_dim(input)));
  ACCEL_CHECK(target.sizes() == IntArrayRef(expected), op, ": expected a target of shape ", expected,
              " for input of shape ", input.sizes(), ", got ", target.sizes());
}

void check_class_range(const char* op, const Tensor& target, int64_t classes, int64_t ignore_index) {
  const Tensor bad = ((target < 0) | (target >= classes)) & (target != ignore_index);
  ACCEL_CHECK(!bad.any().item<bool>(), op, ": target ", target.masked_select(bad)[0].item<int64_t>(),
              " is out of bounds for ", classes, " classes");
}

// Per target element: loss = -w[t] * log_probs[t] and its weight w[t], both 0 where t == ignore_index.
struct NllTerms {
  Tensor loss, weight, ignored;
};

NllTerms nll_terms(const char* op, const Tensor& log_probs, const Tensor& target, const CrossEntropyOptions& o) {
  check_index_target(op, log_probs, target);
  const int64_t dim = class_dim(log_probs);
  check_class_range(op, target, log_probs.size(dim), o.ignore_index);
  const Tensor ignored = target == o.ignore_index;
  // An ignored target may be any number: class 0 keeps the lookups in range.
  const Tensor safe = target.masked_fill(ignored, 0);
  const Tensor picked = log_probs.gather(dim, safe.unsqueeze(dim)).squeeze(dim);
  const Tensor weight = (o.weight.defined() ? o.weight.index_select(0, safe.flatten()).view(target.sizes())
                                            : ones_like(picked))
                            .masked_fill(ignored, 0);
  // Filled rather than multiplied by 0: an ignored row's log-prob may be -inf.
  return {(-picked * weight).masked_fill(ignored, 0), weight, ignored};
}

// The per-class weight shaped to broadcast along the class dim of input.
Tensor class_weight_view(const Tensor& weight, const Tensor& input) {
  if (input.dim() == 1) return weight;
  DimVector shape(static_cast<size_t>(input.dim()), 1);
  shape[1] = weight.size(0);
  return weight.view(shape);
}

Tensor cross_entropy_probs(const Tensor& log_probs, const Tensor& target, const CrossEntropyOptions& o) {
  ACCEL_CHECK(target.is_floating_point(), "cross_entropy: a target shaped like the input ", target.sizes(),
              " holds class probabilities and must be floating, got ", name(target.dtype()));
  ACCEL_CHECK(o.ignore_index < 0, "cross_entropy: ignore_index (", o.ignore_index,
              ") is not supported for class-probability targets");
  const int64_t dim = class_dim(log_probs), classes = log_probs.size(dim);
  const double ls = o.label_smoothing;
  Tensor terms = log_probs * (ls > 0 ? target * (1 - ls) + ls / static_cast<double>(classes) : target);
  if (o.weight.defined()) terms = terms * class_weight_view(o.weight, log_probs);
  switch (o.reduction) {
    case Reduction::None: return -terms.sum(dim);
    case Reduction::Sum: return -terms.sum();
    case Reduction::Mean: {
      // Per sample, not per weight; an empty input gives 0 / 0 = NaN, as in PyTorch.
      const int64_t samples = classes == 0 ? 0 : log_probs.numel() / classes;
      return -terms.sum() / static_cast<double>(samples);
    }
  }
  ACCEL_FAIL("cross_entropy: unknown reduction ", static_cast<int>(o.reduction));
}

// The fused kernel's case: [N, C] or [C] floating logits, int64 class indices, no label smoothing.
bool fused_applies(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
  const bool floating = input.dtype() == kFloat32 || input.dtype() == kFloat64;
  return floating && o.label_smoothing == 0 && input.dim() <= 2 && target.dtype() == kInt64 &&
         (!o.weight.defined() || o.weight.dtype() == input.dtype());
}

// Backward of the fused softmax cross-entropy. The gradient reaching each row's loss is
// row_scale[n] (the incoming gradient, divided by the total weight for the mean); the input's is
// (softmax - one_hot(target)) * weight[target] * row_scale per row.
struct CrossEntropyBackward final : autograd::Node {
  const char* name() const override { return "CrossEntropyBackward"; }
  TensorList apply(TensorList&& g) override {
    const int64_t rows = log_probs.size(0), classes = log_probs.size(1);
    const Tensor grad = reduction == Reduction::Mean ? g[0] / total_weight : g[0];
    const Tensor row_scale = reduction == Reduction::None ? grad.reshape({rows}) : grad.expand({rows});
    const Tensor t = target.unpack(this).reshape({rows}).contiguous();
    if (autograd::GradMode::is_enabled()) {  // create_graph: differentiable ops, to be differentiated again
      const Tensor x = input.unpack(this).reshape({rows, classes});
      const Tensor safe = t.masked_fill(t == ignore_index, 0).unsqueeze(1);
      const Tensor one_hot = zeros_like(x).scatter(1, safe, 1.0);
      return {((softmax(x, 1) - one_hot) * (weights * row_scale).unsqueeze(1)).view(input_sizes)};
    }
    const Tensor grad_x = empty(input_sizes, {.dtype = log_probs.dtype(), .device = log_probs.device()});
    backend(grad_x.device()).cross_entropy_backward(grad_x.view({rows, classes}), log_probs, weights, row_scale, t);
    return {grad_x};
  }
  void release_saved() override {
    input.reset();
    target.reset();
    log_probs = weights = total_weight = Tensor();
  }
  Reduction reduction = Reduction::Mean;
  int64_t ignore_index = -100;
  DimVector input_sizes;
  SavedTensor input;  // read only by a double backward (create_graph)
  SavedTensor target;
  Tensor log_probs, weights, total_weight;  // internal: computed by the forward, seen by no one else
};

// log_softmax + nll_loss as one kernel each way (the composite form takes ~15 ops each way).
Tensor fused_cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& o) {
  check_index_target("cross_entropy", input, target);
  const int64_t classes = input.size(-1), rows = input.dim() == 2 ? input.size(0) : 1;
  const TensorOptions options{.dtype = input.dtype(), .device = input.device()};
  Tensor losses = empty(target.sizes(), options), log_probs = empty({rows, classes}, options);
  const Tensor weights = empty({rows}, options);
  // A reduced loss comes with the kernel's sums of the losses and of their weights.
  const bool reduced = o.reduction != Reduction::None;
  Tensor loss_sum = reduced ? empty({}, options) : Tensor(), weight_sum = reduced ? empty({}, options) : Tensor();
  Tensor loss, total_weight;
  {
    NoGradGuard no_grad;
    const Tensor flat_target = target.reshape({rows}).contiguous();
    backend(input.device())
        .cross_entropy(log_probs, losses.view({rows}), weights, input.reshape({rows, classes}).contiguous(),
                       {flat_target, o.weight.defined() ? o.weight.contiguous() : o.weight, o.ignore_index}, loss_sum,
                       weight_sum);
    switch (o.reduction) {
      case Reduction::None: loss = losses; break;
      case Reduction::Sum: loss = loss_sum; break;
      case Reduction::Mean:
        // Per counted sample's weight; an empty input gives 0 / 0 = NaN, as in PyTorch.
        total_weight = weight_sum;
        loss = loss_sum / total_weight;
        break;
    }
  }
  if (autograd::should_record(input)) {
    auto node = autograd::make_node<CrossEntropyBackward>({&input});
    node->reduction = o.reduction;
    node->ignore_index = o.ignore_index;
    node->input_sizes = DimVector(input.sizes());
    node->input = SavedTensor(input);
    node->target = SavedTensor(target);
    node->log_probs = log_probs;
    node->weights = weights;
    node->total_weight = total_weight;
    autograd::set_history(loss, *node);
  }
  return loss;
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const CrossEntropyOptions& options) {
  check_class_input("nll_loss", log_probs, target, options.weight);
  ACCEL_CHECK(options.label_smoothing == 0, "nll_loss: label_smoothing is a cross_entropy option, got ",
              options.label_smoothing);
  const NllTerms terms = nll_terms("nll_loss", log_probs, target, options);
  return reduce_weighted(terms.loss, terms.weight, options.reduction);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options) {
  const char* op = "cross_entropy";
  check_class_input(op, input, target, options.weight);
  const double ls = options.label_smoothing;
  ACCEL_CHECK(ls >= 0 && ls <= 1, op, ": label_smoothing must be between 0.0 and 1.0, got ", ls);
  if (fused_applies(input, target, options)) return fused_cross_entropy(input, target, options);
  const int64_t dim = class_dim(input);
  const Tensor log_probs = log_softmax(input, dim);
  if (target.sizes() == input.sizes()) return cross_entropy_probs(log_probs, target, options);

  const NllTerms terms = nll_terms(op, log_probs, target, options);
  const Tensor nll = reduce_weighted(terms.loss, terms.weight, options.reduction);
  if (ls == 0) return nll;
  // PyTorch's smoothing: (1 - ls) * nll + ls / C * sum over classes of -w[c] * log_probs[c].
  const Tensor per_class = options.weight.defined() ? log_probs * class_weight_view(options.weight, input) : log_probs;
  const Tensor smooth = (-per_class.sum(dim)).masked_fill(terms.ignored, 0);
  const double classes = static_cast<double>(input.size(dim));
  return (1 - ls) * nll + reduce_weighted(smooth, terms.weight, options.reduction) * (ls / classes);
}

// ---- regression --------------------------------------------------------------------------

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return reduce(difference("mse_loss", input, target).square(), reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  return reduce(difference("l1_loss", input, target).abs(), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  ACCEL_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  const Tensor d = difference("smooth_l1_loss", input, target).abs();
  if (beta == 0) return reduce(d, reduction);
  return reduce(where(d < beta, d.square() * (0.5 / beta), d - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  ACCEL_CHECK(delta > 0, "huber_loss: delta must be positive, got ", delta);
  const Tensor d = difference("huber_loss", input, target).abs();
  return reduce(where(d < delta, d.square() * 0.5, (d - 0.5 * delta) * delta), reduction);
}

// ---- binary ------------------------------------------------------------------------------
namespace {

// PyTorch's formulas. The composite's gradient would vanish where the logs are clamped (an input
// of exactly 0 or 1, e.g. a saturated float32 sigmoid); PyTorch's pushes back hard there. Written
// with differentiable ops, so double backward works.
struct BinaryCrossEntropyBackward final : autograd::Node {
  const char* name() const override { return "BinaryCrossEntropyBackward"; }
  autograd::TensorList apply(autograd::TensorList&& g) override {
    const Tensor x = input.unpack(this), t = target.unpack(this);
    Tensor gx, gt;
    if (needs_input_grad(0)) gx = g[0] * (x - t) / (x * (1 - x)).clamp_min(1e-12);
    if (needs_input_grad(1)) gt = g[0] * (log1p(-x).clamp_min(-100) - log(x).clamp_min(-100));
    return {gx, gt};
  }
  void release_saved() override {
    input.reset();
    target.reset();
  }
  autograd::SavedTensor input, target;
};

void check_binary(const char* op, const Tensor& input, const Tensor& target, const Tensor& weight,
                  const Tensor& pos_weight = {}) {
  check_defined(input, op);
  check_defined(target, op);
  ACCEL_CHECK(target.sizes() == input.sizes(), op, ": target shape ", target.sizes(), " differs from input shape ",
              input.sizes());
  check_floating(input, op, "input");
  check_floating(target, op, "target");
  for (const Tensor* w : {&weight, &pos_weight}) {
    if (!w->defined()) continue;
    ACCEL_CHECK(broadcast_shapes(w->sizes(), input.sizes(), op) == DimVector(input.sizes()), op, ": ",
                w == &weight ? "weight" : "pos_weight", " of shape ", w->sizes(),
                " does not broadcast to the input shape ", input.sizes());
  }
}

}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction reduction) {
  const char* op = "binary_cross_entropy";
  check_binary(op, input, target, weight);
  const Tensor outside = ((input >= 0) & (input <= 1)).logical_not();  // NaN is outside, as in PyTorch
  ACCEL_CHECK(!outside.any().item<bool>(), op, ": all elements of input should be between 0 and 1, got ",
              input.masked_select(outside)[0].item<double>());
  Tensor loss;
  {
    autograd::NoGradGuard no_grad;
    // Clamped as PyTorch: a confident wrong prediction costs 100, not inf.
    loss = (target - 1) * log1p(-input).clamp_min(-100) - target * log(input).clamp_min(-100);
  }
  if (autograd::should_record(input, target)) {
    auto node = autograd::make_node<BinaryCrossEntropyBackward>({&input, &target});
    node->input = autograd::SavedTensor(input);
    node->target = autograd::SavedTensor(target);
    autograd::set_history(loss, *node);
  }
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        Reduction reduction, const Tensor& pos_weight) {
  check_binary("binary_cross_entropy_with_logits", input, target, weight, pos_weight);
  // -log(sigmoid(x)) = log1p(exp(-|x|)) + max(-x, 0), finite for any x. |x| and max(-x, 0) are
  // selects on x < 0 so that the composed gradient at x = 0 is -1/2, as it should be, not 0.
  const Tensor negative = input < 0;
  const Tensor neg_log_sigmoid = log1p(exp(-where(negative, -input, input))) + where(negative, -input, 0);
  const Tensor log_weight = pos_weight.defined() ? (pos_weight - 1) * target + 1 : Tensor();
  Tensor loss = (1 - target) * input + (log_weight.defined() ? log_weight * neg_log_sigmoid : neg_log_sigmoid);
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

}  // namespace accel
