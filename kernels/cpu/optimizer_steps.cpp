// Fused optimizer updates: each element of a parameter is read, updated with its state and written
// back in one pass, where the same update written with tensor ops takes 3 (SGD with momentum) to 8
// (Adam) passes and as many dispatches per parameter. The arithmetic is the tensor ops' own, in the
// same order and precision, so the fused and unfused updates agree to the last bit or two.
#include <cmath>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
}

template <typename F>
void dispatch_floating(DType t, const char* op, F&& fn) {
  switch (t) {
    case kFloat32: return fn.template operator()<float>();
    case kFloat64: return fn.template operator()<double>();
    default: ACCEL_FAIL(op, ": fused updates need float32 or float64 parameters, got ", name(t));
  }
}

template <typename T>
void sgd_typed(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdStep& s) {
  T* p = param.data_ptr<T>();
  const T* g = grad.data_ptr<T>();
  T* buf = data_or_null<T>(momentum_buffer);
  const T lr = static_cast<T>(s.lr), momentum = static_cast<T>(s.momentum);
  const T keep = static_cast<T>(1 - s.dampening), decay = static_cast<T>(s.weight_decay);
  parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      T d = s.maximize ? -g[i] : g[i];
      if (s.weight_decay != 0) d = d + decay * p[i];
      if (buf) {
        buf[i] = s.first ? d : buf[i] * momentum + keep * d;
        d = s.nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] = p[i] + -lr * d;
    }
  });
}

template <typename T>
void adam_typed(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const Tensor& max_exp_avg_sq, const AdamStep& s) {
  T* p = param.data_ptr<T>();
  const T* g = grad.data_ptr<T>();
  T* m = exp_avg.data_ptr<T>();
  T* v = exp_avg_sq.data_ptr<T>();
  T* v_max = data_or_null<T>(max_exp_avg_sq);
  const double steps = static_cast<double>(s.step);
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(s.beta2, steps)));
  const T step_size = static_cast<T>(-s.lr / (1 - std::pow(s.beta1, steps)));
  const T shrink = static_cast<T>(1 - s.lr * s.weight_decay), decay = static_cast<T>(s.weight_decay);
  const T w1 = static_cast<T>(1 - s.beta1), beta2 = static_cast<T>(s.beta2), w2 = static_cast<T>(1 - s.beta2);
  const T eps = static_cast<T>(s.eps);
  parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      if (s.decoupled_weight_decay) p[i] = p[i] * shrink;
      T d = s.maximize ? -g[i] : g[i];
      if (!s.decoupled_weight_decay && s.weight_decay != 0) d = d + decay * p[i];
      // lerp(m, d, w1) in PyTorch's form, as TernaryOp::Lerp computes it
      m[i] = std::abs(w1) < T(0.5) ? m[i] + w1 * (d - m[i]) : d - (d - m[i]) * (T(1) - w1);
      v[i] = v[i] * beta2 + w2 * d * d;
      T second = v[i];
      if (v_max) second = v_max[i] = std::isnan(v[i]) || v[i] > v_max[i] ? v[i] : v_max[i];  // NaN wins, as maximum
      const T denom = std::sqrt(second) / bias_correction2_sqrt + eps;
      p[i] = p[i] + step_size * m[i] / denom;
    }
  });
}

}  // namespace

void CpuBackend::sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer,
                          const SgdStep& step) {
  dispatch_floating(param.dtype(), "sgd_step",
                    [&]<typename T>() { sgd_typed<T>(param, grad, momentum_buffer, step); });
}

void CpuBackend::adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                           const Tensor& max_exp_avg_sq, const AdamStep& step) {
  dispatch_floating(param.dtype(), "adam_step", [&]<typename T>() {
    adam_typed<T>(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step);
  });
}

}  // namespace accel::cpu
