#pragma once
// The CPU backend: Eigen and plain loops on a persistent thread pool (kernels/cpu/parallel.h).
// Each family of primitives is defined in its own file (copy.cpp, elementwise.cpp, reduce.cpp,
// gemm.cpp, indexing.cpp, sort.cpp, random.cpp, softmax.cpp, conv.cpp, pool.cpp, norm.cpp,
// cross_entropy.cpp, optimizer_steps.cpp).
#include <accel/tensor/backend.h>
#include <accel/tensor/random.h>

namespace accel::cpu {

class CpuBackend final : public Backend {
 public:
  DeviceType type() const override;
  Allocator& allocator(int device_index) override;
  void copy(const Tensor& dst, const Tensor& src) override;
  void fill(const Tensor& dst, Scalar value) override;
  void arange(const Tensor& dst, double start, double step) override;
  void unary(UnaryOp op, const Tensor& out, const Tensor& x, UnaryParams params) override;
  void binary(BinaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, Scalar alpha) override;
  void ternary(TernaryOp op, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& z, Scalar value) override;
  void uniform(const Tensor& dst, double from, double to, Generator& gen) override;
  void normal(const Tensor& dst, double mean, double std, Generator& gen) override;
  void random_int(const Tensor& dst, int64_t low, int64_t high, Generator& gen) override;
  void reduce(ReduceOp op, const Tensor& out, const Tensor& x, uint64_t reduce_mask) override;
  void arg_reduce(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim) override;
  void cumsum(const Tensor& out, const Tensor& x, int64_t dim) override;
  void sort(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t dim, bool descending, bool stable) override;
  void topk(const Tensor& values, const Tensor& indices, const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) override;
  void gemm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta,
            const Tensor& bias) override;
  void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) override;
  void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) override;
  void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) override;
  void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& source, Scalar alpha) override;
  Tensor nonzero(const Tensor& x) override;
  void softmax(const Tensor& out, const Tensor& x, int64_t dim, bool log) override;
  void conv2d(const Tensor& out, const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) override;
  void max_pool2d(const Tensor& out, const Tensor& indices, const Tensor& input, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation) override;
  void avg_pool2d(const Tensor& out, const Tensor& input, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) override;
  void adaptive_avg_pool2d(const Tensor& out, const Tensor& input) override;
  void batch_norm(const Tensor& out, const Tensor& save_mean, const Tensor& save_invstd, const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean, const Tensor& running_var, bool training, double momentum, double eps) override;
  void layer_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) override;
  void group_norm(const Tensor& out, const Tensor& mean, const Tensor& rstd, const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t groups, double eps) override;
  void conv2d_backward_input(const Tensor& grad_input, const Tensor& grad_output, const Tensor& weight, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) override;
  void conv2d_backward_weight(const Tensor& grad_weight, const Tensor& grad_output, const Tensor& input, IntArrayRef stride, IntArrayRef padding, IntArrayRef dilation, int64_t groups) override;
  void relu_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& output) override;
  void max_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, const Tensor& indices) override;
  void avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output, IntArrayRef kernel, IntArrayRef stride, IntArrayRef padding, bool count_include_pad, std::optional<int64_t> divisor) override;
  void adaptive_avg_pool2d_backward(const Tensor& grad_input, const Tensor& grad_output) override;
  void batch_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias, const Tensor& grad_output, const Tensor& x, const Tensor& weight, const Tensor& save_mean, const Tensor& save_invstd, bool training, double eps, const Tensor& running_mean, const Tensor& running_var) override;
  void layer_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias, const Tensor& grad_output, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight) override;
  void group_norm_backward(const Tensor& grad_input, const Tensor& grad_weight, const Tensor& grad_bias, const Tensor& grad_output, const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight, int64_t groups) override;
  void cross_entropy(const Tensor& log_probs, const Tensor& losses, const Tensor& weights, const Tensor& x,
                     const CrossEntropyTargets& targets, const Tensor& loss_sum, const Tensor& weight_sum) override;
  void cross_entropy_backward(const Tensor& grad_x, const Tensor& log_probs, const Tensor& weights, const Tensor& row_scale, const Tensor& target) override;
  void sgd_step(const Tensor& param, const Tensor& grad, const Tensor& momentum_buffer, const SgdStep& step) override;
  void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq, const AdamStep& step) override;
};

}  // namespace accel::cpu
