// Softmax cross-entropy over class indices, fused: the forward writes each row's log-softmax
// (the same arithmetic as softmax.cpp) and picks its target's term; the backward writes
// (softmax - one_hot) * scale per row. Written as log_softmax + nll_loss with tensor ops, the same
// loss takes about fifteen ops forward and as many backward, each a pass and a dispatch.
#include <algorithm>
#include <cmath>

#include <Eigen/Core>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

template <typename T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

// Rows per task: a row costs an exp per class, several elementwise ops' worth.
int64_t grain_for(int64_t classes) { return std::max<int64_t>(1, kGrainSize / 4 / std::max<int64_t>(classes, 1)); }

template <typename T>
void forward_typed(const Tensor& log_probs, const Tensor& losses, const Tensor& weights, const Tensor& x,
                   const CrossEntropyTargets& targets, const Tensor& loss_sum, const Tensor& weight_sum) {
  const int64_t rows = x.size(0), classes = x.size(1);
  const int64_t* target = targets.target.data_ptr<int64_t>();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = target[r];
    ACCEL_CHECK(t == targets.ignore_index || (t >= 0 && t < classes), "cross_entropy: target ", t,
                " is out of bounds for ", classes, " classes");
  }
  const T* in = x.data_ptr<T>();
  const T* class_weight = targets.weight.defined() ? targets.weight.data_ptr<T>() : nullptr;
  T* lp = log_probs.data_ptr<T>();
  T* loss = losses.data_ptr<T>();
  T* weight = weights.data_ptr<T>();
  parallel_for(0, rows, grain_for(classes), [&](int64_t begin, int64_t end) {
    // Each row shifted by its maximum (so no exp overflows), then the whole block of rows
    // exponentiated at once: one contiguous array, which Eigen vectorises even when a row (ten
    // classes) is shorter than two vectors and would otherwise take a scalar exp per value.
    for (int64_t r = begin; r < end; ++r) {
      const Eigen::Map<const Array<T>> xr(in + r * classes, classes);
      Eigen::Map<Array<T>>(lp + r * classes, classes) = xr - xr.maxCoeff();
    }
    const Array<T> exps = Eigen::Map<const Array<T>>(lp + begin * classes, (end - begin) * classes).exp();
    for (int64_t r = begin; r < end; ++r) {
      Eigen::Map<Array<T>>(lp + r * classes, classes) -= std::log(exps.segment((r - begin) * classes, classes).sum());
      const int64_t t = target[r];
      if (t == targets.ignore_index) {
        loss[r] = weight[r] = T(0);
        continue;
      }
      weight[r] = class_weight ? class_weight[t] : T(1);
      loss[r] = -lp[r * classes + t] * weight[r];
    }
  });
  if (!loss_sum.defined()) return;
  // In row order after the parallel part: the same bits for any thread count.
  double loss_total = 0, weight_total = 0;
  for (int64_t r = 0; r < rows; ++r) loss_total += loss[r], weight_total += weight[r];
  *loss_sum.data_ptr<T>() = static_cast<T>(loss_total);
  *weight_sum.data_ptr<T>() = static_cast<T>(weight_total);
}

template <typename T>
void backward_typed(const Tensor& grad_x, const Tensor& log_probs, const Tensor& weights, const Tensor& row_scale,
                    const Tensor& target) {
  const int64_t rows = grad_x.size(0), classes = grad_x.size(1), scale_stride = row_scale.stride(0);
  const T* lp = log_probs.data_ptr<T>();
  const T* weight = weights.data_ptr<T>();
  const T* scale = row_scale.data_ptr<T>();
  const int64_t* t = target.data_ptr<int64_t>();
  T* dx = grad_x.data_ptr<T>();
  parallel_for(0, rows, grain_for(classes), [&](int64_t begin, int64_t end) {
    // softmax = exp(log-softmax), for the whole block of rows at once (vectorised, as above).
    const int64_t count = (end - begin) * classes;
    Eigen::Map<Array<T>>(dx + begin * classes, count) = Eigen::Map<const Array<T>>(lp + begin * classes, count).exp();
    for (int64_t r = begin; r < end; ++r) {
      Eigen::Map<Array<T>> gr(dx + r * classes, classes);
      if (weight[r] == T(0)) {  // an ignored row (or a zero class weight) gets no gradient, even from inf logits
        gr.setZero();
        continue;
      }
      const T s = weight[r] * scale[r * scale_stride];
      gr *= s;
      gr(t[r]) -= s;
    }
  });
}

}  // namespace

void CpuBackend::cross_entropy(const Tensor& log_probs, const Tensor& losses, const Tensor& weights, const Tensor& x,
                               const CrossEntropyTargets& targets, const Tensor& loss_sum, const Tensor& weight_sum) {
  dispatch_floating(x.dtype(), "cross_entropy", [&]<typename T>() {
    forward_typed<T>(log_probs, losses, weights, x, targets, loss_sum, weight_sum);
  });
}

void CpuBackend::cross_entropy_backward(const Tensor& grad_x, const Tensor& log_probs, const Tensor& weights,
                                        const Tensor& row_scale, const Tensor& target) {
  dispatch_floating(grad_x.dtype(), "cross_entropy_backward",
           [&]<typename T>() { backward_typed<T>(grad_x, log_probs, weights, row_scale, target); });
}

}  // namespace accel::cpu
