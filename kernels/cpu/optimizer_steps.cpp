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

// Calls f.template operator()<flags...>() with each runtime flag turned into a template argument,
// so that every combination of options gets its own loop, without branches and vectorised.
template <bool... Fixed, typename F>
void with_flags(F&& f) {
  f.template operator()<Fixed...>();
}
template <bool... Fixed, typename F, typename... Flags>
void with_flags(F&& f, bool flag, Flags... rest) {
  if (flag) with_flags<Fixed..., true>(f, rest...);
  else with_flags<Fixed..., false>(f, rest...);
}

// The momentum buffer of a first step arrives zeroed, so that buf * 0 + 1 * d starts it at d.
template <typename T>
void sgd_typed(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdStep& s) {
  T* p = param.data_ptr<T>();
  const T* g = grad.data_ptr<T>();
  T* buf = data_or_null<T>(momentum_buffer);
  const T lr = static_cast<T>(s.lr), sign = s.maximize ? T(-1) : T(1), decay = static_cast<T>(s.weight_decay);
  const T momentum = static_cast<T>(s.momentum);
  const T keep = s.first ? T(0) : momentum, add = s.first ? T(1) : static_cast<T>(1 - s.dampening);
  with_flags(
      [&]<bool kDecay, bool kMomentum, bool kNesterov>() {
        parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            T d = sign * g[i];
            if constexpr (kDecay) d = d + decay * p[i];
            if constexpr (kMomentum) {
              buf[i] = buf[i] * keep + add * d;
              d = kNesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] = p[i] + -lr * d;
          }
        });
      },
      s.weight_decay != 0, buf != nullptr, s.nesterov);
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
  const T eps = static_cast<T>(s.eps), sign = s.maximize ? T(-1) : T(1);
  const bool lerp_from_start = std::abs(w1) < T(0.5);  // which of PyTorch's two lerp forms TernaryOp::Lerp uses
  with_flags(
      [&]<bool kDecoupled, bool kDecay, bool kAmsgrad, bool kLerpFromStart>() {
        parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            if constexpr (kDecoupled) p[i] = p[i] * shrink;
            T d = sign * g[i];
            if constexpr (kDecay) d = d + decay * p[i];
            m[i] = kLerpFromStart ? m[i] + w1 * (d - m[i]) : d - (d - m[i]) * (T(1) - w1);
            v[i] = v[i] * beta2 + w2 * d * d;
            T second = v[i];
            if constexpr (kAmsgrad) second = v_max[i] = std::isnan(v[i]) || v[i] > v_max[i] ? v[i] : v_max[i];
            p[i] = p[i] + step_size * m[i] / (std::sqrt(second) / bias_correction2_sqrt + eps);
          }
        });
      },
      s.decoupled_weight_decay, !s.decoupled_weight_decay && s.weight_decay != 0, v_max != nullptr,
      lerp_from_start);
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
