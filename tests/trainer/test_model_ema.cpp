// trainer::ModelEma: a deep copy in eval mode without grad, the moving-average formula on every
// state entry (parameters and buffers), set(), and a custom update_fn.
#include <gtest/gtest.h>

#include <accel/accel.h>
#include <accel/trainer/model_ema.h>

namespace nn = accel::nn;
using accel::Tensor;
using accel::trainer::ModelEma;

namespace {

std::shared_ptr<nn::Sequential> make_model() {
  accel::manual_seed(0);
  return std::make_shared<nn::Sequential>(nn::Linear(3, 2), nn::BatchNorm1d(2));
}

// Every float entry of `model` shifted by `delta`, and the batch-norm counter set to `count`.
void perturb(nn::Module& model, double delta, int64_t count) {
  accel::NoGradGuard no_grad;
  for (const auto& [name, value] : model.state_dict()) {
    if (value.dtype() == accel::kInt64) {
      value.fill_(count);
    } else {
      value.add_(delta);
    }
  }
}

}  // namespace

TEST(ModelEma, IsADetachedDeepCopyInEvalMode) {
  auto model = make_model();
  ModelEma ema(*model, 0.9);
  EXPECT_NE(ema.module().get(), model.get());
  EXPECT_FALSE(ema.module()->is_training());
  EXPECT_TRUE(model->is_training());
  for (const Tensor& p : ema.module()->parameters()) EXPECT_FALSE(p.requires_grad());
  for (const Tensor& p : model->parameters()) EXPECT_TRUE(p.requires_grad());
  auto ema_state = ema.module()->state_dict();
  for (const auto& [name, value] : model->state_dict()) {
    EXPECT_TRUE(accel::equal(*ema_state.find(name), value)) << name;
    EXPECT_NE(ema_state.find(name)->data_ptr(), value.data_ptr()) << name;  // no shared memory
  }
  EXPECT_DOUBLE_EQ(ema.decay(), 0.9);
}

TEST(ModelEma, UpdateAppliesTheFormulaToEveryEntry) {
  auto model = make_model();
  ModelEma ema(*model, 0.75);
  auto before = ema.module()->state_dict();
  std::vector<Tensor> old_values;
  for (const auto& [name, value] : before) old_values.push_back(value.clone());
  perturb(*model, 2.0, 8);
  ema.update(*model);
  size_t i = 0;
  for (const auto& [name, current] : model->state_dict()) {
    const Tensor averaged = *ema.module()->state_dict().find(name);  // a handle: the dict is a temporary
    Tensor expected = old_values[i++] * 0.75 + current * 0.25;
    if (current.dtype() == accel::kInt64) {
      // num_batches_tracked: 0 * 0.75 + 8 * 0.25 = 2, stored as an integer.
      EXPECT_EQ(averaged.item<int64_t>(), 2) << name;
    } else {
      EXPECT_TRUE(accel::allclose(averaged, expected, 0, 1e-6)) << name;
    }
  }
  EXPECT_EQ(i, 7u);  // weight, bias, bn weight, bn bias, running_mean, running_var, num_batches_tracked
}

TEST(ModelEma, SetCopiesTheModel) {
  auto model = make_model();
  ModelEma ema(*model, 0.99);
  perturb(*model, -1.5, 3);
  ema.set(*model);
  auto ema_state = ema.module()->state_dict();
  for (const auto& [name, value] : model->state_dict()) EXPECT_TRUE(accel::equal(*ema_state.find(name), value)) << name;
  for (const Tensor& p : ema.module()->parameters()) EXPECT_FALSE(p.requires_grad());
}

TEST(ModelEma, UpdateDoesNotRecordAGraph) {
  auto model = make_model();
  ModelEma ema(*model, 0.5);
  ema.update(*model);
  for (const Tensor& p : ema.module()->parameters()) {
    EXPECT_FALSE(p.requires_grad());
    EXPECT_EQ(p.grad_fn(), nullptr);
  }
}

TEST(ModelEma, CustomUpdateFn) {
  // A subclass replaces the formula, e.g. to keep the maximum seen.
  struct MaxEma : ModelEma {
    using ModelEma::ModelEma;
    Tensor update_fn(const Tensor& ema_value, const Tensor& model_value) const override {
      return accel::maximum(ema_value, model_value);
    }
  };
  auto model = make_model();
  MaxEma ema(*model, 0.5);
  perturb(*model, 1.0, 0);
  ema.update(*model);
  auto first = model->parameters()[0];
  EXPECT_TRUE(accel::equal(ema.module()->parameters()[0], first));
}

TEST(ModelEma, RejectsBadDecayAndForeignModels) {
  auto model = make_model();
  EXPECT_THROW(ModelEma(*model, 1.5), accel::Error);
  EXPECT_THROW(ModelEma(*model, -0.1), accel::Error);
  ModelEma ema(*model, 0.5);
  nn::Linear other(3, 2);
  EXPECT_THROW(ema.update(other), accel::Error);
}
