// Printing in the style of Python's torch repr: tensor([[1., 2.],
//                                                       [3., 4.]], dtype=float64)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <vector>

#include <accel/tensor/tensor.h>

namespace accel {
namespace {

constexpr int64_t kSummarizeAbove = 1000;  // elements; larger tensors show 3 items at each edge
constexpr int64_t kEdgeItems = 3;

struct Formatter {
  enum class Style { Integer, IntegralFloat, Fixed, Scientific, Bool } style = Style::Fixed;
  int width = 1;

  std::string format(double v) const {
    char buf[64];
    switch (style) {
      case Style::Bool: return v != 0 ? "True" : "False";
      case Style::Integer: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v)); break;
      case Style::IntegralFloat:
        if (std::isfinite(v)) std::snprintf(buf, sizeof buf, "%.0f.", v);
        else std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        break;
      case Style::Fixed:
        if (std::isfinite(v)) std::snprintf(buf, sizeof buf, "%.4f", v);
        else std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        break;
      case Style::Scientific:
        if (std::isfinite(v)) std::snprintf(buf, sizeof buf, "%.4e", v);
        else std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
        break;
    }
    return buf;
  }
};

Formatter choose_format(const std::vector<double>& values, DType dtype) {
  Formatter f;
  if (dtype == kBool) f.style = Formatter::Style::Bool;
  else if (!is_floating_point(dtype)) f.style = Formatter::Style::Integer;
  else {
    double lo = INFINITY, hi = 0;
    bool integral = true;
    for (double v : values) {
      if (!std::isfinite(v)) continue;
      integral = integral && v == std::nearbyint(v);
      if (v != 0) {
        lo = std::min(lo, std::abs(v));
        hi = std::max(hi, std::abs(v));
      }
    }
    if (integral && hi < 1e8) f.style = Formatter::Style::IntegralFloat;
    else if (hi > 0 && (hi / lo > 1000 || hi > 1e8 || lo < 1e-4)) f.style = Formatter::Style::Scientific;
    else f.style = Formatter::Style::Fixed;
  }
  for (double v : values) f.width = std::max<int>(f.width, static_cast<int>(f.format(v).size()));
  return f;
}

class Printer {
 public:
  Printer(const Tensor& t, std::ostream& os) : t_(t), os_(os), summarize_(t.numel() > kSummarizeAbove) {
    values_ = t.to_vector<double>();
    std::vector<double> shown;
    collect(0, 0, shown);
    format_ = choose_format(shown, t.dtype());
  }

  void print(int indent) { print_dim(0, 0, indent); }

 private:
  // Indices along dim d that are printed (all, or the edges when summarizing).
  std::vector<int64_t> shown_indices(int64_t d) const {
    const int64_t n = t_.size(d);
    std::vector<int64_t> idx;
    if (summarize_ && n > 2 * kEdgeItems) {
      for (int64_t i = 0; i < kEdgeItems; ++i) idx.push_back(i);
      idx.push_back(-1);  // the ellipsis
      for (int64_t i = n - kEdgeItems; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    }
    return idx;
  }

  int64_t row_stride(int64_t d) const {
    int64_t s = 1;
    for (int64_t k = d + 1; k < t_.dim(); ++k) s *= t_.size(k);
    return s;
  }

  void collect(int64_t d, int64_t offset, std::vector<double>& out) const {
    if (d == t_.dim()) {
      out.push_back(values_[offset]);
      return;
    }
    for (int64_t i : shown_indices(d))
      if (i >= 0) collect(d + 1, offset + i * row_stride(d), out);
  }

  void print_dim(int64_t d, int64_t offset, int indent) {
    if (d == t_.dim()) {
      const std::string s = format_.format(values_[offset]);
      os_ << std::string(format_.width - s.size(), ' ') << s;
      return;
    }
    os_ << '[';
    const auto idx = shown_indices(d);
    const bool last_dim = d == t_.dim() - 1;
    for (size_t k = 0; k < idx.size(); ++k) {
      if (k > 0) {
        os_ << ',';
        if (last_dim) os_ << ' ';
        else os_ << std::string(static_cast<size_t>(t_.dim() - d - 1), '\n') << std::string(indent + d + 1, ' ');
      }
      if (idx[k] < 0) os_ << "...";
      else print_dim(d + 1, offset + idx[k] * row_stride(d), indent);
    }
    os_ << ']';
  }

  const Tensor& t_;
  std::ostream& os_;
  bool summarize_;
  std::vector<double> values_;
  Formatter format_;
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  os << "tensor(";
  if (t.numel() == 0) {
    os << "[]";
    if (t.dim() != 1) os << ", size=" << t.sizes();
  } else {
    Printer(t, os).print(7);
  }
  if (!t.is_cpu()) os << ", device='" << t.device() << "'";
  if (t.dtype() != kFloat32 && t.dtype() != kInt64 && t.dtype() != kBool) os << ", dtype=" << name(t.dtype());
  if (t.requires_grad()) os << ", requires_grad=True";
  return os << ')';
}

std::string to_string(const Tensor& t) {
  std::ostringstream s;
  s << t;
  return s.str();
}

}  // namespace accel
