// Port of pytorch-accelerated's test/test_placeholders.py (§2.3), plus the compositions the
// original cannot express and scheduler_factory with accel's schedulers.
#include <gtest/gtest.h>

#include <accel/accel.h>
#include <accel/trainer/placeholders.h>

namespace optim = accel::optim;
using accel::trainer::Accelerator;
using accel::trainer::create_run_config;
using accel::trainer::PlaceholderExpression;
using accel::trainer::RunConfig;
using accel::trainer::scheduler_factory;
using accel::trainer::TrainerPlaceholderValues;

namespace {

RunConfig run_config(int64_t train_dl_len, int64_t eval_dl_len, int64_t num_epochs, int64_t accumulation_steps) {
  return create_run_config({.num_epochs = num_epochs,
                            .gradient_accumulation_steps = accumulation_steps,
                            .train_dataloader_len = train_dl_len,
                            .eval_dataloader_len = eval_dl_len},
                           Accelerator{});
}

// Records the arguments it was constructed with (the original's partial(dict, ...)).
class ArgumentsScheduler : public optim::Scheduler {
 public:
  ArgumentsScheduler(optim::Optimizer&, int64_t num_update_steps, int64_t train_dl_length, int64_t eval_dl_length,
                     int64_t num_epochs, int int_arg, std::string str_arg)
      : num_update_steps(num_update_steps),
        train_dl_length(train_dl_length),
        eval_dl_length(eval_dl_length),
        num_epochs(num_epochs),
        int_arg(int_arg),
        str_arg(std::move(str_arg)) {}
  void step() override {}
  std::string state_dict() const override { return "{}"; }
  void load_state_dict(const std::string&) override {}
  const char* name() const override { return "ArgumentsScheduler"; }

  int64_t num_update_steps, train_dl_length, eval_dl_length, num_epochs;
  int int_arg;
  std::string str_arg;
};

struct InjectionCase {
  int64_t train_dl_len, eval_dl_len, num_epochs, accumulation_steps, expected_update_steps;
};

class PlaceholderInjection : public ::testing::TestWithParam<InjectionCase> {};

}  // namespace

TEST_P(PlaceholderInjection, CanInjectPlaceholders) {
  const InjectionCase c = GetParam();
  auto factory = scheduler_factory<ArgumentsScheduler>(
      TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH, TrainerPlaceholderValues::TRAIN_DATALOADER_LEN,
      TrainerPlaceholderValues::EVAL_DATALOADER_LEN, TrainerPlaceholderValues::NUM_EPOCHS, 3, std::string("test"));
  accel::Tensor w = accel::zeros({1}, {.requires_grad = true});
  optim::SGD optimizer({w}, {.lr = 0.1});
  const auto scheduler =
      factory(optimizer, run_config(c.train_dl_len, c.eval_dl_len, c.num_epochs, c.accumulation_steps));
  const auto& args = dynamic_cast<const ArgumentsScheduler&>(*scheduler);
  EXPECT_EQ(args.num_update_steps, c.expected_update_steps);
  EXPECT_EQ(args.num_epochs, c.num_epochs);
  EXPECT_EQ(args.train_dl_length, c.train_dl_len);
  EXPECT_EQ(args.eval_dl_length, c.eval_dl_len);
  EXPECT_EQ(args.int_arg, 3);
  EXPECT_EQ(args.str_arg, "test");
}

INSTANTIATE_TEST_SUITE_P(Placeholders, PlaceholderInjection,
                         ::testing::Values(InjectionCase{1000, 500, 5, 1, 1000}, InjectionCase{800, 200, 10, 2, 400}));

TEST(Placeholders, CanMultiplyPlaceholder) {
  const RunConfig config = run_config(10, 5, 5, 1);
  EXPECT_EQ(resolve(TrainerPlaceholderValues::NUM_EPOCHS, config), 5);
  EXPECT_EQ((TrainerPlaceholderValues::NUM_EPOCHS * 2).resolve(config), 10);
}

TEST(Placeholders, CanAddPlaceholder) {
  const RunConfig config = run_config(10, 5, 5, 1);
  EXPECT_EQ((TrainerPlaceholderValues::NUM_EPOCHS + 2).resolve(config), 7);
  EXPECT_EQ((TrainerPlaceholderValues::NUM_EPOCHS + (-1)).resolve(config), 4);
}

TEST(Placeholders, ComposeInAnyOrder) {
  using enum TrainerPlaceholderValues;
  const RunConfig config = run_config(/*train_dl_len=*/10, /*eval_dl_len=*/4, /*num_epochs=*/5, /*GA=*/2);
  EXPECT_EQ((2 * NUM_EPOCHS).resolve(config), 10);
  EXPECT_EQ(((NUM_EPOCHS + 2) * 3).resolve(config), 21);
  EXPECT_EQ((NUM_EPOCHS * NUM_UPDATE_STEPS_PER_EPOCH).resolve(config), 25);
  EXPECT_EQ((NUM_EPOCHS + 1 + PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH * 2).resolve(config), 16);
  EXPECT_EQ(((NUM_EPOCHS + 2) * 3).to_string(), "(NUM_EPOCHS+2)*3");
  EXPECT_EQ((EVAL_DATALOADER_LEN + TRAIN_DATALOADER_LEN * 2).to_string(), "EVAL_DATALOADER_LEN+TRAIN_DATALOADER_LEN*2");
}

TEST(Placeholders, PerProcessStepsDifferFromGlobalWhenDistributed) {
  const RunConfig config = create_run_config({.num_epochs = 3, .train_dataloader_len = 20},
                                             Accelerator{.num_processes = 4, .num_local_processes = 4});
  EXPECT_EQ(resolve(TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH, config), 80);
  EXPECT_EQ(resolve(TrainerPlaceholderValues::PER_PROCESS_NUM_UPDATE_STEPS_PER_EPOCH, config), 20);
}

TEST(Placeholders, SchedulerFactoryBuildsALibraryScheduler) {
  // StepLR decaying every 2 epochs of updates: with 3 updates per epoch, step_size 6.
  auto factory = scheduler_factory<optim::StepLR>(TrainerPlaceholderValues::NUM_UPDATE_STEPS_PER_EPOCH * 2, 0.5);
  accel::Tensor w = accel::zeros({1}, {.requires_grad = true});
  optim::SGD optimizer({w}, {.lr = 1.0});
  const auto scheduler = factory(optimizer, run_config(3, 1, 4, 1));
  for (int i = 0; i < 5; ++i) scheduler->step();
  EXPECT_EQ(optimizer.param_groups()[0].lr, 1.0);
  scheduler->step();
  EXPECT_EQ(optimizer.param_groups()[0].lr, 0.5);
}
