#include "options.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string_view>

#include <accel/tensor/error.h>

namespace fashion_mnist {

namespace {

Options defaults_for(const std::string& model) {
  if (model == "mlp") return {};  // the seed's configuration
  ACCEL_CHECK(model == "cnn", "--model must be mlp or cnn, not '", model, "'");
  return {.model = "cnn",
          .epochs = 5,
          .batch_size = 64,
          .lr = 3e-3,
          .optimizer = "adam",
          .scheduler = "onecycle",
          .augment = false,
          .validation_samples = 5000};
}

template <typename T>
T parse_number(std::string_view flag, std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  ACCEL_CHECK(error == std::errc() && end == text.data() + text.size(), "", flag,
              " needs a number, not '", text, "'");
  return value;
}

void check_choice(std::string_view flag, const std::string& value, std::initializer_list<std::string_view> choices) {
  for (std::string_view choice : choices)
    if (value == choice) return;
  ACCEL_FAIL("'", value, "' is not a valid value of ", flag, " (see --help)");
}

}  // namespace

std::string usage() {
  return "usage: fashion_mnist [flags]   trains on Fashion-MNIST with accel::Trainer, then evaluates on the test set\n"
         "  --model mlp|cnn          mlp (default): the seed's 784-128-64-10 MLP; cnn: 2 conv+BN+pooling, 2 linear\n"
         "  --epochs N               default 8 (mlp), 5 (cnn)\n"
         "  --batch-size N           per-device batch size; default 32 (mlp), 64 (cnn)\n"
         "  --lr X                   default 0.01 (mlp), 0.003 (cnn; the OneCycle maximum)\n"
         "  --optimizer sgd|adam|adamw   default sgd (mlp), adam (cnn)\n"
         "  --momentum X             SGD momentum, default 0.9\n"
         "  --scheduler none|onecycle|cosine|step   stepped once per update; default none (mlp), onecycle (cnn)\n"
         "  --accumulation N         gradient accumulation steps, default 1\n"
         "  --augment | --no-augment random crops and flips of the training images\n"
         "  --validation-samples N   held out of the training set to pick the best epoch; default 0 (mlp), 5000 (cnn)\n"
         "  --seed N                 weights, validation split and shuffling, default 42\n"
         "  --output-dir DIR         best model, training states, metrics; default fashion_mnist_output\n"
         "  --resume DIR             continue from a training state (DIR/training_states/epoch_N)\n"
         "  --device cpu|cuda|cuda:N default: a GPU when one is visible\n"
         "  --limit-batches N        at most N batches per epoch (a quick check)\n"
         "  --min-accuracy X         exit with status 1 when the test accuracy is lower\n"
         "  --data DIR               the IDX files, default /usr/share/datasets/fashion-mnist\n"
         "  --no-progress-bar        plain progress lines only\n";
}

Options parse_options(int argc, char** argv) {
  // The model picks the defaults, wherever --model appears.
  std::string model = "mlp";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string_view(argv[i]) == "--model") model = argv[i + 1];
  Options options = defaults_for(model);

  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string_view, Setter> with_value = {
      {"--model", [&](const std::string&) {}},
      {"--epochs", [&](const std::string& v) { options.epochs = parse_number<int64_t>("--epochs", v); }},
      {"--batch-size", [&](const std::string& v) { options.batch_size = parse_number<int64_t>("--batch-size", v); }},
      {"--lr", [&](const std::string& v) { options.lr = parse_number<double>("--lr", v); }},
      {"--optimizer", [&](const std::string& v) { options.optimizer = v; }},
      {"--momentum", [&](const std::string& v) { options.momentum = parse_number<double>("--momentum", v); }},
      {"--scheduler", [&](const std::string& v) { options.scheduler = v; }},
      {"--accumulation",
       [&](const std::string& v) { options.accumulation = parse_number<int64_t>("--accumulation", v); }},
      {"--validation-samples",
       [&](const std::string& v) { options.validation_samples = parse_number<int64_t>("--validation-samples", v); }},
      {"--seed", [&](const std::string& v) { options.seed = parse_number<uint64_t>("--seed", v); }},
      {"--output-dir", [&](const std::string& v) { options.output_dir = v; }},
      {"--resume", [&](const std::string& v) { options.resume = v; }},
      {"--device", [&](const std::string& v) { options.device = v; }},
      {"--limit-batches",
       [&](const std::string& v) { options.limit_batches = parse_number<int64_t>("--limit-batches", v); }},
      {"--min-accuracy",
       [&](const std::string& v) { options.min_accuracy = parse_number<double>("--min-accuracy", v); }},
      {"--data", [&](const std::string& v) { options.data_dir = v; }},
  };
  const std::map<std::string_view, std::function<void()>> switches = {
      {"--augment", [&] { options.augment = true; }},
      {"--no-augment", [&] { options.augment = false; }},
      {"--no-progress-bar", [&] { options.progress_bar = false; }},
      {"--help", [] {
         std::fputs(usage().c_str(), stdout);
         std::exit(0);
       }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (const auto s = switches.find(flag); s != switches.end()) {
      s->second();
      continue;
    }
    const auto setter = with_value.find(flag);
    ACCEL_CHECK(setter != with_value.end(), "unknown flag '", flag, "' (see --help)");
    ACCEL_CHECK(i + 1 < argc, "", flag, " needs a value");
    setter->second(argv[++i]);
  }

  check_choice("--optimizer", options.optimizer, {"sgd", "adam", "adamw"});
  check_choice("--scheduler", options.scheduler, {"none", "onecycle", "cosine", "step"});
  ACCEL_CHECK(options.epochs > 0, "--epochs must be positive");
  ACCEL_CHECK(options.batch_size > 0, "--batch-size must be positive");
  ACCEL_CHECK(options.lr > 0, "--lr must be positive");
  ACCEL_CHECK(options.accumulation > 0, "--accumulation must be positive");
  ACCEL_CHECK(options.validation_samples >= 0 && options.validation_samples < 60000,
              "--validation-samples must be in [0, 60000)");
  ACCEL_CHECK(!options.limit_batches || *options.limit_batches > 0, "--limit-batches must be positive");
  return options;
}

}  // namespace fashion_mnist
