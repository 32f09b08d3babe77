// Fused optimizer updates: each element of a parameter is read, updated with its state and written
// back in one pass, where the same update written with tensor ops takes 3 (SGD with momentum) to 8
// (Adam) passes and as many dispatches per parameter. The arithmetic is the tensor ops' own, in the
// same order and precision, so the fused and unfused updates agree to the last bit or two.
#include <cmath>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/nn_utils.h>
#include <accel/kernels/cpu/parallel.h>

namespace accel::cpu {
namespace {

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data_ptr<T>() : nullptr;
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

// The update's constants, passed by value to the element loops: read through references (lambda
// captures), they would be reloaded on every iteration and keep the loops from vectorising.
template <typename T>
struct SgdConstants {
  T lr, sign, decay, momentum, keep, add;
};

template <typename T, bool kDecay, bool kMomentum, bool kNesterov>
void sgd_range(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict buf,
               const SgdConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    T d = c.sign * g[i];
    if constexpr (kDecay) d = d + c.decay * p[i];
    if constexpr (kMomentum) {
      buf[i] = buf[i] * c.keep + c.add * d;
      d = kNesterov ? d + c.momentum * buf[i] : buf[i];
    }
    p[i] = p[i] + -c.lr * d;
  }
}

// The momentum buffer of a first step arrives zeroed, so that buf * 0 + 1 * d starts it at d.
template <typename T>
void sgd_typed(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdStep& s) {
  T* p = param.data_ptr<T>();
  const T* g = grad.data_ptr<T>();
  T* buf = data_or_null<T>(momentum_buffer);
  const SgdConstants<T> c{.lr = static_cast<T>(s.lr),
                          .sign = s.maximize ? T(-1) : T(1),
                          .decay = static_cast<T>(s.weight_decay),
                          .momentum = static_cast<T>(s.momentum),
                          .keep = s.first ? T(0) : static_cast<T>(s.momentum),
                          .add = s.first ? T(1) : static_cast<T>(1 - s.dampening)};
  with_flags(
      [&]<bool kDecay, bool kMomentum, bool kNesterov>() {
        parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
          sgd_range<T, kDecay, kMomentum, kNesterov>(begin, end, p, g, buf, c);
        });
      },
      s.weight_decay != 0, buf != nullptr, s.nesterov);
}

template <typename T>
struct AdamConstants {
  T shrink, sign, decay, w1, beta2, w2, bias_correction2_sqrt, eps, step_size;
};

template <typename T, bool kDecoupled, bool kDecay, bool kAmsgrad, bool kLerpFromStart>
void adam_range(int64_t begin, int64_t end, T* __restrict p, const T* __restrict g, T* __restrict m,
                T* __restrict v, T* __restrict v_max, const AdamConstants<T> c) {
  for (int64_t i = begin; i < end; ++i) {
    if constexpr (kDecoupled) p[i] = p[i] * c.shrink;
    T d = c.sign * g[i];
    if constexpr (kDecay) d = d + c.decay * p[i];
    m[i] = kLerpFromStart ? m[i] + c.w1 * (d - m[i]) : d - (d - m[i]) * (T(1) - c.w1);
    v[i] = v[i] * c.beta2 + c.w2 * d * d;
    T second = v[i];
    if constexpr (kAmsgrad) second = v_max[i] = std::isnan(v[i]) || v[i] > v_max[i] ? v[i] : v_max[i];
    p[i] = p[i] + c.step_size * m[i] / (std::sqrt(second) / c.bias_correction2_sqrt + c.eps);
  }
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
  const AdamConstants<T> c{.shrink = static_cast<T>(1 - s.lr * s.weight_decay),
                           .sign = s.maximize ? T(-1) : T(1),
                           .decay = static_cast<T>(s.weight_decay),
                           .w1 = static_cast<T>(1 - s.beta1),
                           .beta2 = static_cast<T>(s.beta2),
                           .w2 = static_cast<T>(1 - s.beta2),
                           .bias_correction2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(s.beta2, steps))),
                           .eps = static_cast<T>(s.eps),
                           .step_size = static_cast<T>(-s.lr / (1 - std::pow(s.beta1, steps)))};
  const bool lerp_from_start = std::abs(c.w1) < T(0.5);  // which of PyTorch's two lerp forms TernaryOp::Lerp uses
  with_flags(
      [&]<bool kDecoupled, bool kDecay, bool kAmsgrad, bool kLerpFromStart>() {
        parallel_for(0, param.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
          adam_range<T, kDecoupled, kDecay, kAmsgrad, kLerpFromStart>(begin, end, p, g, m, v, v_max, c);
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
