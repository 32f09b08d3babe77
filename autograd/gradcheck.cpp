#include <accel/autograd/gradcheck.h>

#include <cmath>
#include <sstream>

#include <accel/autograd/autograd.h>
#include <accel/tensor/factories.h>
#include <accel/tensor/ops.h>

namespace accel::autograd {
namespace {

// Storage offsets of every element of t, in row-major order.
std::vector<int64_t> element_offsets(const Tensor& t) {
  std::vector<int64_t> offsets;
  offsets.reserve(static_cast<size_t>(t.numel()));
  if (t.numel() == 0) return offsets;
  DimVector index(t.sizes().size(), 0);
  for (int64_t n = 0; n < t.numel(); ++n) {
    int64_t off = t.storage_offset();
    for (size_t d = 0; d < index.size(); ++d) off += index[d] * t.strides()[d];
    offsets.push_back(off);
    for (int64_t d = static_cast<int64_t>(index.size()) - 1; d >= 0; --d) {
      if (++index[d] < t.sizes()[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

// All floating outputs flattened into one float64 vector.
std::vector<double> flat_outputs(const std::vector<Tensor>& outputs) {
  std::vector<double> out;
  for (const Tensor& o : outputs) {
    if (!o.defined() || !o.is_floating_point()) continue;
    const auto v = o.to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

bool fail(const GradcheckOptions& options, const std::string& message) {
  ACCEL_CHECK(!options.raise, "gradcheck: ", message);
  return false;
}

}  // namespace

bool gradcheck(const TensorFunction& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  std::vector<size_t> diff;  // inputs that require grad
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!requires_grad(inputs[i])) continue;
    for (int64_t s : inputs[i].strides())
      ACCEL_CHECK(s != 0 || inputs[i].numel() <= 1, "gradcheck: input ", i,
                  " has overlapping memory (an expanded tensor); pass a contiguous or strided copy");
    diff.push_back(i);
  }
  ACCEL_CHECK(!diff.empty(), "gradcheck: no input requires grad");

  const std::vector<Tensor> outputs = fn(inputs);
  std::vector<Tensor> float_outputs;
  for (const Tensor& o : outputs)
    if (o.defined() && o.is_floating_point()) float_outputs.push_back(o);
  const size_t rows = flat_outputs(float_outputs).size();

  // Analytical Jacobian rows, one backward per output element. They run before the numerical
  // pass, which perturbs the inputs in place (and so bumps their versions).
  std::vector<Tensor> differentiable_inputs;
  for (size_t i : diff) differentiable_inputs.push_back(inputs[i]);
  std::vector<std::vector<std::vector<double>>> analytical_rows;  // [row][input][element]
  for (size_t o = 0; o < float_outputs.size(); ++o) {
    const Tensor& out = float_outputs[o];
    for (int64_t e = 0; e < out.numel(); ++e) {
      std::vector<Tensor> grads(diff.size());
      if (out.requires_grad()) {
        std::vector<Tensor> roots, seeds;
        // Seeded by position: fn may return the same tensor twice.
        for (size_t q = 0; q < float_outputs.size(); ++q) {
          const Tensor& other = float_outputs[q];
          if (!other.requires_grad()) continue;
          Tensor seed = zeros(other.sizes(), {.dtype = other.dtype(), .device = other.device()});
          if (q == o) seed.view({-1})[e].fill_(1);
          roots.push_back(other);
          seeds.push_back(seed);
        }
        grads = grad(roots, differentiable_inputs, seeds, /*retain_graph=*/true, false, /*allow_unused=*/true);
      }
      std::vector<std::vector<double>> row(diff.size());
      for (size_t k = 0; k < diff.size(); ++k)
        row[k] = grads[k].defined() ? grads[k].to_vector<double>()
                                    : std::vector<double>(static_cast<size_t>(inputs[diff[k]].numel()), 0.0);
      analytical_rows.push_back(std::move(row));
    }
  }

  // Numerical Jacobian columns: d(all outputs) / d(input element), by central differences.
  // fn runs with grad mode as the caller has it: it may itself compute gradients (gradgradcheck,
  // gradient penalties). Only the perturbations are unrecorded.
  std::vector<std::vector<std::vector<double>>> numerical(diff.size());
  const auto set = [](const Tensor& element, double value) {
    NoGradGuard no_grad;
    element.fill_(value);
  };
  for (size_t k = 0; k < diff.size(); ++k) {
    const Tensor& x = inputs[diff[k]];
    for (int64_t offset : element_offsets(x)) {
      Tensor element;
      {
        NoGradGuard no_grad;
        element = x.as_strided({}, {}, offset);
      }
      const double original = element.item<double>();
      set(element, original + options.eps);
      const auto plus = flat_outputs(fn(inputs));
      set(element, original - options.eps);
      const auto minus = flat_outputs(fn(inputs));
      set(element, original);
      std::vector<double> column(rows);
      for (size_t r = 0; r < rows; ++r) column[r] = (plus[r] - minus[r]) / (2 * options.eps);
      numerical[k].push_back(std::move(column));
    }
  }

  size_t row = 0;
  for (size_t o = 0; o < float_outputs.size(); ++o) {
    for (int64_t e = 0; e < float_outputs[o].numel(); ++e, ++row) {
      for (size_t k = 0; k < diff.size(); ++k) {
        const std::vector<double>& g = analytical_rows[row][k];
        for (size_t j = 0; j < g.size(); ++j) {
          const double n = numerical[k][j][row], a = g[j];
          if (std::abs(a - n) <= options.atol + options.rtol * std::abs(n)) continue;
          if (std::isnan(a) && std::isnan(n)) continue;
          std::ostringstream os;
          os << "Jacobian mismatch for output " << o << " element " << e << " with respect to input " << diff[k]
             << " element " << j << ": numerical " << n << ", analytical " << a << " (atol " << options.atol
             << ", rtol " << options.rtol << ")";
          return fail(options, os.str());
        }
      }
    }
  }
  return true;
}

bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
               const GradcheckOptions& options) {
  return gradcheck([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{fn(in)}; }, inputs, options);
}

bool gradgradcheck(const TensorFunction& fn, const std::vector<Tensor>& inputs,
                   const std::vector<Tensor>& grad_outputs, const GradcheckOptions& options) {
  std::vector<size_t> diff;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (requires_grad(inputs[i])) diff.push_back(i);
  ACCEL_CHECK(!diff.empty(), "gradgradcheck: no input requires grad");
  std::vector<Tensor> seeds = grad_outputs;
  if (seeds.empty()) {
    for (const Tensor& o : fn(inputs))
      if (o.defined() && o.requires_grad())
        seeds.push_back(randn(o.sizes(), {.dtype = o.dtype(), .device = o.device()}).requires_grad_());
  }
  // g(inputs, seeds) = the vector-Jacobian products of fn, as a differentiable function.
  const size_t n = inputs.size();
  auto vjp = [&](const std::vector<Tensor>& all) {
    const std::vector<Tensor> in(all.begin(), all.begin() + static_cast<int64_t>(n));
    const std::vector<Tensor> s(all.begin() + static_cast<int64_t>(n), all.end());
    std::vector<Tensor> roots;
    for (const Tensor& o : fn(in))
      if (o.defined() && o.requires_grad()) roots.push_back(o);
    std::vector<Tensor> wrt;
    for (size_t i : diff) wrt.push_back(in[i]);
    std::vector<Tensor> grads = grad(roots, wrt, s, true, /*create_graph=*/true, /*allow_unused=*/true);
    for (size_t k = 0; k < grads.size(); ++k)
      if (!grads[k].defined()) grads[k] = zeros(wrt[k].sizes(), {.dtype = wrt[k].dtype(), .device = wrt[k].device()});
    return grads;
  };
  std::vector<Tensor> all = inputs;
  for (const Tensor& s : seeds) all.push_back(s.requires_grad() ? s : s.detach().requires_grad_());
  return gradcheck(vjp, all, options);
}

bool gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn, const std::vector<Tensor>& inputs,
                   const std::vector<Tensor>& grad_outputs, const GradcheckOptions& options) {
  return gradgradcheck([&](const std::vector<Tensor>& in) { return std::vector<Tensor>{fn(in)}; }, inputs,
                       grad_outputs, options);
}

}  // namespace accel::autograd
