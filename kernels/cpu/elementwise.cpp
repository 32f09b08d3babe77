// Unary, binary and ternary elementwise kernels. float16/bfloat16 compute in float. Contiguous
// float and double rows of transcendental ops go through Eigen's vectorised array functions;
// everything else is a plain loop that the compiler vectorises when strides allow.
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <accel/kernels/cpu/cpu_backend.h>
#include <accel/kernels/cpu/loops.h>

namespace accel::cpu {
namespace {

template <typename T> struct Compute { using type = T; };
template <> struct Compute<Half> { using type = float; };
template <> struct Compute<BFloat16> { using type = float; };
template <typename T> using compute_t = typename Compute<T>::type;

template <typename T>
constexpr bool is_eigen_float = std::is_same_v<T, float> || std::is_same_v<T, double>;

// Transcendental elements cost ~10-50x an add, so they are worth threads at smaller sizes.
constexpr int64_t kTranscendentalGrain = kGrainSize / 8;

// Runs out = f(x) over rows. eigen_fn (if not nullptr) computes float/double rows with Eigen's
// vectorised functions. They run on an aligned buffer padded to whole packets: Eigen would
// otherwise compute unaligned heads and ragged tails with scalar std:: functions, and an element's
// result would depend on its address and the row length.
template <typename T, typename F, typename E = std::nullptr_t>
void unary_loop(const Tensor& out, const Tensor& x, F f, E eigen_fn = nullptr, int64_t grain = kGrainSize) {
  using C = compute_t<T>;
  for_each_row<2>({&out, &x}, [&](char** p, const int64_t* s, int64_t n) {
    if constexpr (is_eigen_float<T> && !std::is_same_v<E, std::nullptr_t>) {
      using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
      constexpr int64_t kBuffer = 256, kPacket = 64 / sizeof(T);
      alignas(64) T buffer[kBuffer];
      for (int64_t start = 0; start < n; start += kBuffer) {
        const int64_t m = std::min(kBuffer, n - start);
        const int64_t padded = (m + kPacket - 1) / kPacket * kPacket;
        for (int64_t i = 0; i < m; ++i) buffer[i] = *reinterpret_cast<const T*>(p[1] + (start + i) * s[1]);
        std::fill(buffer + m, buffer + padded, T(0));
        Eigen::Map<Array, Eigen::Aligned64> chunk(buffer, padded);
        chunk = eigen_fn(Eigen::Map<const Array, Eigen::Aligned64>(buffer, padded));
        for (int64_t i = 0; i < m; ++i) *reinterpret_cast<T*>(p[0] + (start + i) * s[0]) = buffer[i];
      }
    } else {
      if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
        T* o = reinterpret_cast<T*>(p[0]);
        const T* in = reinterpret_cast<const T*>(p[1]);
        for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(f(static_cast<C>(in[i])));
        return;
      }
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(f(static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1]))));
    }
  }, grain);
}

template <typename T>
void unary_float(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams prm) {
  using C = compute_t<T>;
  const C a = static_cast<C>(prm.a), b = static_cast<C>(prm.b);
  const int64_t g = kTranscendentalGrain;
  constexpr C kSqrtHalf = static_cast<C>(std::numbers::sqrt2 / 2);
  constexpr C kSqrt2OverPi = static_cast<C>(0.7978845608028654);
  // Eigen's vectorised exp and logistic clamp their input, so below log(smallest normal) they return
  // a tiny positive number instead of 0 (exp(-inf) would be 1e-38 on AVX2); flush those to 0.
  const C underflow = std::log(std::numeric_limits<C>::min());
  switch (op) {
    case UnaryOp::Exp:
      return unary_loop<T>(
          out, x, [](C v) { return std::exp(v); }, [=](auto e) { return (e < underflow).select(C(0), e.exp()); }, g);
    case UnaryOp::Exp2: return unary_loop<T>(out, x, [](C v) { return std::exp2(v); }, nullptr, g);
    case UnaryOp::Log: return unary_loop<T>(out, x, [](C v) { return std::log(v); }, [](auto e) { return e.log(); }, g);
    case UnaryOp::Log2: return unary_loop<T>(out, x, [](C v) { return std::log2(v); }, nullptr, g);
    case UnaryOp::Log1p: return unary_loop<T>(out, x, [](C v) { return std::log1p(v); }, [](auto e) { return e.log1p(); }, g);
    case UnaryOp::Expm1: return unary_loop<T>(out, x, [](C v) { return std::expm1(v); }, [](auto e) { return e.expm1(); }, g);
    // Plain loops: they vectorise to the correctly rounded vsqrt, where Eigen's fast paths are
    // approximations (and give NaN for inf).
    case UnaryOp::Sqrt: return unary_loop<T>(out, x, [](C v) { return std::sqrt(v); });
    case UnaryOp::Rsqrt: return unary_loop<T>(out, x, [](C v) { return C(1) / std::sqrt(v); });
    case UnaryOp::Reciprocal: return unary_loop<T>(out, x, [](C v) { return C(1) / v; });
    case UnaryOp::Sin: return unary_loop<T>(out, x, [](C v) { return std::sin(v); }, [](auto e) { return e.sin(); }, g);
    case UnaryOp::Cos: return unary_loop<T>(out, x, [](C v) { return std::cos(v); }, [](auto e) { return e.cos(); }, g);
    case UnaryOp::Tan: return unary_loop<T>(out, x, [](C v) { return std::tan(v); }, nullptr, g);
    case UnaryOp::Tanh: return unary_loop<T>(out, x, [](C v) { return std::tanh(v); }, [](auto e) { return e.tanh(); }, g);
    case UnaryOp::Sigmoid:
      return unary_loop<T>(
          out, x, [](C v) { return C(1) / (C(1) + std::exp(-v)); },
          [=](auto e) { return (e < underflow).select(C(0), e.logistic()); }, g);
    case UnaryOp::Silu:
      return unary_loop<T>(
          out, x, [](C v) { return v / (C(1) + std::exp(-v)); },
          [=](auto e) { return e * (e < underflow).select(C(0), e.logistic()); }, g);
    case UnaryOp::Erf: return unary_loop<T>(out, x, [](C v) { return std::erf(v); }, [](auto e) { return e.erf(); }, g);
    case UnaryOp::Gelu:
      return unary_loop<T>(
          out, x, [=](C v) { return C(0.5) * v * (C(1) + std::erf(v * kSqrtHalf)); },
          [=](auto e) { return C(0.5) * e * (C(1) + (e * kSqrtHalf).erf()); }, g);
    case UnaryOp::GeluTanh:
      return unary_loop<T>(
          out, x, [=](C v) { return C(0.5) * v * (C(1) + std::tanh(kSqrt2OverPi * (v + C(0.044715) * v * v * v))); },
          [=](auto e) { return C(0.5) * e * (C(1) + (kSqrt2OverPi * (e + C(0.044715) * e * e * e)).tanh()); }, g);
    case UnaryOp::Elu: return unary_loop<T>(out, x, [=](C v) { return v > 0 ? v : a * std::expm1(v); }, nullptr, g);
    case UnaryOp::Softplus:
      return unary_loop<T>(out, x, [=](C v) { return v * a > b ? v : std::log1p(std::exp(v * a)) / a; }, nullptr, g);
    case UnaryOp::LeakyRelu: return unary_loop<T>(out, x, [=](C v) { return v > 0 ? v : v * a; });
    case UnaryOp::Floor: return unary_loop<T>(out, x, [](C v) { return std::floor(v); });
    case UnaryOp::Ceil: return unary_loop<T>(out, x, [](C v) { return std::ceil(v); });
    case UnaryOp::Round: return unary_loop<T>(out, x, [](C v) { return std::nearbyint(v); });
    case UnaryOp::Trunc: return unary_loop<T>(out, x, [](C v) { return std::trunc(v); });
    case UnaryOp::Pow: {
      if (prm.a == 2) return unary_loop<T>(out, x, [](C v) { return v * v; });
      if (prm.a == 0.5) return unary_loop<T>(out, x, [](C v) { return std::sqrt(v); });
      return unary_loop<T>(out, x, [=](C v) { return std::pow(v, a); }, nullptr, kTranscendentalGrain);
    }
    default: ACCEL_FAIL("unary: ", name(op), " is not a floating-point op");
  }
}

// Ops defined for every real dtype (integers and floats).
template <typename T>
void unary_real(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams prm) {
  using C = compute_t<T>;
  switch (op) {
    case UnaryOp::Neg: return unary_loop<T>(out, x, [](C v) { return static_cast<C>(-v); });
    case UnaryOp::Abs: return unary_loop<T>(out, x, [](C v) { return v < C(0) ? static_cast<C>(-v) : v; });
    case UnaryOp::Sign:
      return unary_loop<T>(out, x, [](C v) { return static_cast<C>((C(0) < v) - (v < C(0))); });
    case UnaryOp::Square: return unary_loop<T>(out, x, [](C v) { return static_cast<C>(v * v); });
    case UnaryOp::Relu: return unary_loop<T>(out, x, [](C v) { return v < C(0) ? C(0) : v; });
    case UnaryOp::Clamp: {
      // NaN bounds mean "no bound"; a NaN input stays NaN.
      const bool has_lo = !std::isnan(prm.a), has_hi = !std::isnan(prm.b);
      const C lo = has_lo ? static_cast<C>(prm.a) : C(0), hi = has_hi ? static_cast<C>(prm.b) : C(0);
      return unary_loop<T>(out, x, [=](C v) {
        if (has_lo && v < lo) v = lo;
        if (has_hi && v > hi) v = hi;
        return v;
      });
    }
    case UnaryOp::Floor: case UnaryOp::Ceil: case UnaryOp::Round: case UnaryOp::Trunc:
      if constexpr (std::is_integral_v<T>) return unary_loop<T>(out, x, [](C v) { return v; });
      break;
    case UnaryOp::Pow:
      if constexpr (std::is_integral_v<T>) {
        const int64_t e = static_cast<int64_t>(prm.a);
        return unary_loop<T>(out, x, [=](C v) {
          C r = 1, base = v;
          for (int64_t k = e; k > 0; k >>= 1) {  // exponentiation by squaring, wrapping like PyTorch
            if (k & 1) r = static_cast<C>(r * base);
            base = static_cast<C>(base * base);
          }
          return r;
        });
      }
      break;
    default: break;
  }
  if constexpr (std::is_floating_point_v<C>) return unary_float<T>(op, out, x, prm);
  ACCEL_FAIL("unary: ", name(op), " is not defined for ", name(x.dtype()));
}

template <typename T, typename F>
void binary_loop(const Tensor& out, const Tensor& x, const Tensor& y, F f, int64_t grain = kGrainSize) {
  using C = compute_t<T>;
  for_each_row<3>({&out, &x, &y}, [&](char** p, const int64_t* s, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* a = reinterpret_cast<const T*>(p[1]);
    const T* b = reinterpret_cast<const T*>(p[2]);
    if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(f(static_cast<C>(a[i]), static_cast<C>(b[i])));
    } else if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == 0) {
      const C bv = static_cast<C>(*b);
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(f(static_cast<C>(a[i]), bv));
    } else if (s[0] == sizeof(T) && s[1] == 0 && s[2] == sizeof(T)) {
      const C av = static_cast<C>(*a);
      for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(f(av, static_cast<C>(b[i])));
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(f(static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1])),
                                                                  static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2]))));
    }
  }, grain);
}

template <typename T, typename F>
void compare_loop(const Tensor& out, const Tensor& x, const Tensor& y, F f) {
  using C = compute_t<T>;
  for_each_row<3>({&out, &x, &y}, [&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(bool) && s[1] == sizeof(T) && s[2] == 0) {  // x > 0 and the like: a vectorised loop
      bool* o = reinterpret_cast<bool*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      const C bv = static_cast<C>(*reinterpret_cast<const T*>(p[2]));
      for (int64_t i = 0; i < n; ++i) o[i] = f(static_cast<C>(a[i]), bv);
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<bool*>(p[0] + i * s[0]) = f(static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1])),
                                                    static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2])));
  });
}

// where(cond, y, z). The common gradient masks (contiguous condition and output, each value
// contiguous or one broadcast scalar) get loops the compiler vectorises.
template <typename T>
void where_loop(const Tensor& out, const Tensor& cond, const Tensor& y, const Tensor& z) {
  for_each_row<4>({&out, &cond, &y, &z}, [](char** p, const int64_t* s, int64_t n) {
    if (s[0] == sizeof(T) && s[1] == sizeof(bool) && (s[2] == sizeof(T) || s[2] == 0) &&
        (s[3] == sizeof(T) || s[3] == 0)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const uint8_t* c = reinterpret_cast<const uint8_t*>(p[1]);  // bool bytes: GCC vectorises uint8_t loads
      const T* a = reinterpret_cast<const T*>(p[2]);
      const T* b = reinterpret_cast<const T*>(p[3]);
      // One loop per case (each value contiguous or a scalar), every value loaded unconditionally,
      // so that the choice is a select rather than a branch.
      if (s[2] != 0 && s[3] != 0) {
        for (int64_t i = 0; i < n; ++i) {
          const T av = a[i], bv = b[i];
          o[i] = c[i] != 0 ? av : bv;
        }
      } else if (s[2] != 0) {
        const T bv = *b;
        for (int64_t i = 0; i < n; ++i) {
          const T av = a[i];
          o[i] = c[i] != 0 ? av : bv;
        }
      } else if (s[3] != 0) {
        const T av = *a;
        for (int64_t i = 0; i < n; ++i) {
          const T bv = b[i];
          o[i] = c[i] != 0 ? av : bv;
        }
      } else {
        const T av = *a, bv = *b;
        for (int64_t i = 0; i < n; ++i) o[i] = c[i] != 0 ? av : bv;
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const bool*>(p[1] + i * s[1])
                                                   ? *reinterpret_cast<const T*>(p[2] + i * s[2])
                                                   : *reinterpret_cast<const T*>(p[3] + i * s[3]);
  });
}

template <typename C>
C nan_aware(C a, C b, bool take_max) {
  if constexpr (std::is_floating_point_v<C>)
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
  return take_max ? (a < b ? b : a) : (b < a ? b : a);
}

// Integer division and modulo: a zero divisor is an error (not SIGFPE), and MIN / -1 wraps.
template <typename C>
void check_divisor(C b, BinaryOp op) {
  if (b == C(0)) ACCEL_FAIL(name(op), ": integer division by zero");
}

// -a with two's complement wrap-around (MIN / -1 is MIN, as in PyTorch), in unsigned arithmetic:
// negating MIN as a signed value is undefined behaviour.
template <typename C>
C wrapping_negate(C a) {
  using U = std::make_unsigned_t<C>;
  return static_cast<C>(U(0) - static_cast<U>(a));
}

template <typename T>
void binary_typed(BinaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, Scalar alpha) {
  using C = compute_t<T>;
  constexpr bool is_float = std::is_floating_point_v<C>;
  switch (op) {
    case BinaryOp::Add: {
      if (alpha.to_double() == 1) return binary_loop<T>(out, x, y, [](C a, C b) { return static_cast<C>(a + b); });
      const C k = alpha.to<C>();
      return binary_loop<T>(out, x, y, [=](C a, C b) { return static_cast<C>(a + k * b); });
    }
    case BinaryOp::Sub: {
      if (alpha.to_double() == 1) return binary_loop<T>(out, x, y, [](C a, C b) { return static_cast<C>(a - b); });
      const C k = alpha.to<C>();
      return binary_loop<T>(out, x, y, [=](C a, C b) { return static_cast<C>(a - k * b); });
    }
    case BinaryOp::Mul: return binary_loop<T>(out, x, y, [](C a, C b) { return static_cast<C>(a * b); });
    case BinaryOp::Div:
      if constexpr (is_float) return binary_loop<T>(out, x, y, [](C a, C b) { return a / b; });
      break;
    case BinaryOp::FloorDiv:
      if constexpr (is_float) {
        // PyTorch's div_floor_floating, so that special values (inf // x, x // 0) agree.
        return binary_loop<T>(out, x, y, [](C a, C b) {
          if (b == 0) return a / b;
          const C mod = std::fmod(a, b);
          C div = (a - mod) / b;
          if (mod != 0 && (b < 0) != (mod < 0)) div -= C(1);
          if (div == 0) return std::copysign(C(0), a / b);
          C floordiv = std::floor(div);
          if (div - floordiv > C(0.5)) floordiv += C(1);
          return floordiv;
        });
      } else {
        return binary_loop<T>(out, x, y, [](C a, C b) {
          check_divisor(b, BinaryOp::FloorDiv);
          if constexpr (std::is_signed_v<C>) {
            if (b == C(-1)) return wrapping_negate(a);
            const C q = a / b;
            return (a % b != 0 && ((a < 0) != (b < 0))) ? static_cast<C>(q - 1) : q;
          } else {
            return static_cast<C>(a / b);
          }
        });
      }
    case BinaryOp::TruncDiv:
      if constexpr (is_float) return binary_loop<T>(out, x, y, [](C a, C b) { return std::trunc(a / b); });
      else
        return binary_loop<T>(out, x, y, [](C a, C b) {
          check_divisor(b, BinaryOp::TruncDiv);
          if constexpr (std::is_signed_v<C>)
            if (b == C(-1)) return wrapping_negate(a);
          return static_cast<C>(a / b);
        });
    case BinaryOp::Pow:
      if constexpr (is_float) return binary_loop<T>(out, x, y, [](C a, C b) { return std::pow(a, b); }, kTranscendentalGrain);
      else
        return binary_loop<T>(out, x, y, [](C a, C b) {
          if constexpr (std::is_signed_v<C>)
            if (b < 0) ACCEL_FAIL("pow: integers to negative integer powers are not allowed");
          C r = 1, base = a;
          for (C k = b; k > 0; k >>= 1) {
            if (k & 1) r = static_cast<C>(r * base);
            base = static_cast<C>(base * base);
          }
          return r;
        });
    case BinaryOp::Maximum: return binary_loop<T>(out, x, y, [](C a, C b) { return nan_aware(a, b, true); });
    case BinaryOp::Minimum: return binary_loop<T>(out, x, y, [](C a, C b) { return nan_aware(a, b, false); });
    case BinaryOp::Fmod:
      if constexpr (is_float) return binary_loop<T>(out, x, y, [](C a, C b) { return std::fmod(a, b); });
      else
        return binary_loop<T>(out, x, y, [](C a, C b) {
          check_divisor(b, BinaryOp::Fmod);
          if constexpr (std::is_signed_v<C>)
            if (b == C(-1)) return C(0);
          return static_cast<C>(a % b);
        });
    case BinaryOp::Remainder:  // the sign of the divisor, like Python's %
      if constexpr (is_float)
        return binary_loop<T>(out, x, y, [](C a, C b) {
          C r = std::fmod(a, b);
          if (r != 0 && ((r < 0) != (b < 0))) r += b;
          return r;
        });
      else
        return binary_loop<T>(out, x, y, [](C a, C b) {
          check_divisor(b, BinaryOp::Remainder);
          if constexpr (std::is_signed_v<C>) {
            if (b == C(-1)) return C(0);
            C r = static_cast<C>(a % b);
            if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<C>(r + b);
            return r;
          } else {
            return static_cast<C>(a % b);
          }
        });
    case BinaryOp::Atan2:
      if constexpr (is_float) return binary_loop<T>(out, x, y, [](C a, C b) { return std::atan2(a, b); }, kTranscendentalGrain);
      break;
    case BinaryOp::Eq: return compare_loop<T>(out, x, y, [](C a, C b) { return a == b; });
    case BinaryOp::Ne: return compare_loop<T>(out, x, y, [](C a, C b) { return a != b; });
    case BinaryOp::Lt: return compare_loop<T>(out, x, y, [](C a, C b) { return a < b; });
    case BinaryOp::Le: return compare_loop<T>(out, x, y, [](C a, C b) { return a <= b; });
    case BinaryOp::Gt: return compare_loop<T>(out, x, y, [](C a, C b) { return a > b; });
    case BinaryOp::Ge: return compare_loop<T>(out, x, y, [](C a, C b) { return a >= b; });
    case BinaryOp::LogicalAnd: return compare_loop<T>(out, x, y, [](C a, C b) { return a != C(0) && b != C(0); });
    case BinaryOp::LogicalOr: return compare_loop<T>(out, x, y, [](C a, C b) { return a != C(0) || b != C(0); });
    case BinaryOp::LogicalXor: return compare_loop<T>(out, x, y, [](C a, C b) { return (a != C(0)) != (b != C(0)); });
  }
  ACCEL_FAIL(name(op), ": not defined for ", name(x.dtype()));
}

}  // namespace

void CpuBackend::unary(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams params) {
  ACCEL_DISPATCH_REAL(x.dtype(), name(op), [&]<typename T>() { unary_real<T>(op, out, x, params); });
}

void CpuBackend::binary(BinaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, Scalar alpha) {
  ACCEL_DISPATCH(x.dtype(), name(op), [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      // bool arithmetic is done in uint8 by the front end; only comparisons and logic reach here.
      using U = uint8_t;
      switch (op) {
        case BinaryOp::Eq: return compare_loop<U>(out, x, y, [](U a, U b) { return a == b; });
        case BinaryOp::Ne: return compare_loop<U>(out, x, y, [](U a, U b) { return a != b; });
        case BinaryOp::Lt: return compare_loop<U>(out, x, y, [](U a, U b) { return a < b; });
        case BinaryOp::Le: return compare_loop<U>(out, x, y, [](U a, U b) { return a <= b; });
        case BinaryOp::Gt: return compare_loop<U>(out, x, y, [](U a, U b) { return a > b; });
        case BinaryOp::Ge: return compare_loop<U>(out, x, y, [](U a, U b) { return a >= b; });
        case BinaryOp::LogicalAnd: return compare_loop<U>(out, x, y, [](U a, U b) { return a && b; });
        case BinaryOp::LogicalOr: return compare_loop<U>(out, x, y, [](U a, U b) { return a || b; });
        case BinaryOp::LogicalXor: return compare_loop<U>(out, x, y, [](U a, U b) { return (a != 0) != (b != 0); });
        case BinaryOp::Maximum: return binary_loop<U>(out, x, y, [](U a, U b) { return a | b; });
        case BinaryOp::Minimum: return binary_loop<U>(out, x, y, [](U a, U b) { return a & b; });
        default: ACCEL_FAIL(name(op), ": not defined for bool tensors");
      }
    } else {
      binary_typed<T>(op, out, x, y, alpha);
    }
  });
}

void CpuBackend::ternary(TernaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& z,
                         Scalar value) {
  ACCEL_DISPATCH(out.dtype(), "ternary", [&]<typename T>() {
    using C = compute_t<T>;
    if (op == TernaryOp::Where) return where_loop<T>(out, x, y, z);
    if constexpr (std::is_same_v<T, bool>) {
      ACCEL_FAIL("lerp/addcmul/addcdiv: not defined for bool tensors");
    } else {
      const C v = value.to<C>();
      const auto run = [&](auto f) {
        for_each_row<4>({&out, &x, &y, &z}, [&](char** p, const int64_t* s, int64_t n) {
          for (int64_t i = 0; i < n; ++i)
            *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(f(static_cast<C>(*reinterpret_cast<const T*>(p[1] + i * s[1])),
                                                                      static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2])),
                                                                      static_cast<C>(*reinterpret_cast<const T*>(p[3] + i * s[3]))));
        });
      };
      switch (op) {
        case TernaryOp::Lerp:  // PyTorch's form: exact at both ends
          if constexpr (std::is_integral_v<C>) ACCEL_FAIL("lerp: expected floating tensors");
          else return run([](C a, C b, C w) { return std::abs(w) < C(0.5) ? a + w * (b - a) : b - (b - a) * (C(1) - w); });
        case TernaryOp::Addcmul: return run([=](C a, C b, C c) { return static_cast<C>(a + v * b * c); });
        case TernaryOp::Addcdiv:
          if constexpr (std::is_integral_v<C>) ACCEL_FAIL("addcdiv: integer division is not supported, use floats");
          else return run([=](C a, C b, C c) { return a + v * b / c; });
        case TernaryOp::Where: break;
      }
    }
  });
}

void CpuBackend::relu_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& output) {
  ACCEL_CHECK(grad_input.sizes() == output.sizes() && grad_output.sizes() == output.sizes(),
              "relu_backward: expected tensors of one shape, got ", grad_input.sizes(), ", ", grad_output.sizes(),
              " and ", output.sizes());
  ACCEL_CHECK(grad_input.dtype() == grad_output.dtype() && grad_output.dtype() == output.dtype(),
              "relu_backward: expected tensors of one dtype, got ", name(grad_input.dtype()), ", ",
              name(grad_output.dtype()), " and ", name(output.dtype()));
  ACCEL_DISPATCH_FLOAT(output.dtype(), "relu_backward", [&]<typename T>() {
    using C = compute_t<T>;
    for_each_row<3>({&grad_input, &grad_output, &output}, [](char** p, const int64_t* s, int64_t n) {
      T* gi = reinterpret_cast<T*>(p[0]);
      const T* g = reinterpret_cast<const T*>(p[1]);
      const T* y = reinterpret_cast<const T*>(p[2]);
      if (s[0] == sizeof(T) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
        for (int64_t i = 0; i < n; ++i) {  // both loaded unconditionally: a select, which vectorises
          const T gv = g[i];
          gi[i] = static_cast<C>(y[i]) <= C(0) ? T(0) : gv;
        }
        return;
      }
      for (int64_t i = 0; i < n; ++i) {
        const C yv = static_cast<C>(*reinterpret_cast<const T*>(p[2] + i * s[2]));
        *reinterpret_cast<T*>(p[0] + i * s[0]) = yv <= C(0) ? T(0) : *reinterpret_cast<const T*>(p[1] + i * s[1]);
      }
    });
  });
}

}  // namespace accel::cpu
