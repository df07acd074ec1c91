// mnist-sgd: chapter 4 of fastai's book ("MNIST basics") from the command line.
//
//   mnist-sgd train [options]   trains a model of the chapter and prints what the book's loop prints
//   mnist-sgd data [--data P]   prints where the MNIST sample is, downloading it once if needed
//
// Exit status: 0 done, 1 an error (bad data, diverged), 2 a usage error. Errors are one line on stderr.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "book/model.hpp"
#include "book/params_text.hpp"
#include "book/pixel_similarity.hpp"
#include "book/training.hpp"
#include "cli/data_source.hpp"

namespace mnist_sgd {
namespace {

constexpr const char* kUsage =
    "usage: mnist-sgd train [--data PATH] [--epochs N] [--lr R] [--batch-size 256] [--seed 42]\n"
    "                       [--init randn|pytorch] [--init-params FILE] [--save-params FILE] [--shuffle]\n"
    "                       [--tsv] [--kernel fast|plain] [--model linear|simple_net|baseline]\n"
    "                       [--batches] [--save-grad FILE] [--loss mnist_loss|accuracy]\n"
    "       mnist-sgd data [--data PATH]\n"
    "--epochs, --lr and --init default to the book's for the model: 20, 1 and randn for linear;\n"
    "40, 0.1 and pytorch for simple_net. --seed S is torch.manual_seed(S), 0 to 2^64 - 1 (only its low\n"
    "32 bits reach PyTorch's generator): the initial parameters and the shuffling are the notebook's.\n"
    "--batches prints every SGD step's loss (epoch, batch, loss) instead of the epochs' lines; --save-grad\n"
    "writes the first batch's gradient in the parameters' layout; --loss accuracy trains on batch_accuracy.\n";

struct Options {
  std::string command;
  std::optional<std::string> data;
  std::optional<int> epochs;  // the book's for the model unless given
  std::optional<float> lr;    // the book's for the model unless given
  TrainConfig config;
  std::optional<Init> init;  // the model's default_init unless given
  std::optional<std::string> init_params;
  std::optional<std::string> save_params;
  bool tsv = false;
  bool batches = false;  // --batches: a row per SGD step instead of a line per epoch
  std::optional<std::string> save_grad;
  bool spec_kernel = false;  // --kernel plain: train with the Eigen spec instead of the fast kernel
  ModelKind model = ModelKind::linear;
  bool baseline = false;  // --model baseline: the chapter's pixel-similarity model, no training
};

template <typename Int>
std::optional<std::string> parse_integer(const std::string& flag, const std::string& text, long long min, long long max,
                                         Int& out) {
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value < min || value > max)
    return flag + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" +
           text + "'";
  out = static_cast<Int>(value);
  return std::nullopt;
}

std::optional<std::string> parse_learning_rate(const std::string& text, float& out) {
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value) || value <= 0.0f)
    return "--lr must be a positive number, got '" + text + "'";
  out = value;
  return std::nullopt;
}

std::optional<std::string> parse_seed_option(const std::string& text, std::uint64_t& out) {
  const auto seed = parse_seed(text);
  if (!seed) return "--" + seed.error() + ", got '" + text + "'";
  out = *seed;
  return std::nullopt;
}

std::optional<std::string> parse_model(const std::string& text, Options& options) {
  options.baseline = text == "baseline";
  if (options.baseline) return std::nullopt;
  const auto kind = parse_model_kind(text);
  if (!kind) return "--model must be linear, simple_net or baseline, got '" + text + "'";
  options.model = *kind;
  return std::nullopt;
}

std::optional<std::string> parse_init_option(const std::string& text, Options& options) {
  const auto init = parse_init(text);
  if (!init) return "--init must be randn or pytorch, got '" + text + "'";
  options.init = *init;
  return std::nullopt;
}

std::optional<std::string> parse_loss_option(const std::string& text, Options& options) {
  const auto loss = parse_loss(text);
  if (!loss) return "--loss must be mnist_loss or accuracy, got '" + text + "'";
  options.config.loss = *loss;
  return std::nullopt;
}

// The options, or a usage error.
Result<Options> parse_options(const std::vector<std::string>& args) {
  if (args.empty()) return Error{"missing command (train or data)"};
  Options options;
  options.command = args[0];
  if (options.command != "train" && options.command != "data")
    return Error{"unknown command '" + options.command + "' (expected train or data)"};
  std::vector<std::string> given;  // the flags, without their values
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& flag = args[i];
    static const std::vector<std::string> kFlags = {"--data",   "--epochs", "--lr",          "--batch-size",
                                                    "--seed",   "--init",   "--init-params", "--save-params",
                                                    "--kernel", "--model",  "--shuffle",     "--tsv",
                                                    "--batches", "--save-grad", "--loss"};
    if (std::find(kFlags.begin(), kFlags.end(), flag) == kFlags.end()) return Error{"unknown option '" + flag + "'"};
    given.push_back(flag);
    const bool takes_value = flag != "--shuffle" && flag != "--tsv" && flag != "--batches";
    if (takes_value && i + 1 >= args.size()) return Error{flag + " needs a value"};
    const std::string value = takes_value ? args[++i] : "";
    std::optional<std::string> problem;
    if (flag == "--data") options.data = value;
    else if (options.command == "data") problem = "unknown option '" + flag + "' for data";
    else if (flag == "--epochs") problem = parse_integer(flag, value, 0, 100000, options.epochs.emplace());
    else if (flag == "--lr") problem = parse_learning_rate(value, options.lr.emplace());
    else if (flag == "--batch-size")
      problem = parse_integer(flag, value, kMinBatchSize, kMaxBatchSize, options.config.batch_size);
    else if (flag == "--seed") problem = parse_seed_option(value, options.config.seed);
    else if (flag == "--init-params") options.init_params = value;
    else if (flag == "--save-params") options.save_params = value;
    else if (flag == "--shuffle") options.config.shuffle = true;
    else if (flag == "--tsv") options.tsv = true;
    else if (flag == "--batches") options.batches = true;
    else if (flag == "--save-grad") options.save_grad = value;
    else if (flag == "--loss") problem = parse_loss_option(value, options);
    else if (flag == "--init") problem = parse_init_option(value, options);
    else if (flag == "--kernel" && (value == "fast" || value == "plain")) options.spec_kernel = value == "plain";
    else if (flag == "--kernel") problem = "--kernel must be fast or plain, got '" + value + "'";
    else if (flag == "--model") problem = parse_model(value, options);
    else problem = "unknown option '" + flag + "'";
    if (problem) return Error{*problem};
  }
  if (options.baseline) {
    // The baseline has no parameters to draw, read, save or train: such a flag is a mistake to point out.
    for (const char* flag : {"--init", "--init-params", "--save-params", "--kernel", "--save-grad", "--loss"}) {
      if (std::find(given.begin(), given.end(), flag) != given.end())
        return Error{std::string(flag) + " means nothing for --model baseline, which has no parameters"};
    }
  }
  if (options.batches && options.tsv) return Error{"--batches and --tsv are two different tables: choose one"};
  const BookSchedule book = model_facts(options.model).book;
  options.config.lr = options.lr.value_or(book.lr);
  options.epochs = options.epochs.value_or(book.epochs);
  if (options.save_grad && *options.epochs == 0) return Error{"--save-grad needs at least one epoch"};
  return options;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "mnist-sgd: %s\n", message.c_str());
  return 1;
}

// The chapter's starting point: no training, just the mean 3 and mean 7 as templates.
int run_baseline(const MnistSample& sample) {
  const BaselineAccuracy accuracy = evaluate_pixel_similarity(fit_pixel_similarity(sample.train), sample.valid);
  std::printf("pixel similarity: accuracy on 3s %.4f, on 7s %.4f, mean %.4f\n", accuracy.threes, accuracy.sevens,
              accuracy.mean);
  return 0;
}

int train(const Options& options) {
  // Everything that can be wrong with the input is checked before any result is printed.
  // The notebook: torch.manual_seed(seed), the initial parameters, then the DataLoaders. --init-params
  // replaces the parameters drawn, as a notebook that loads them over its init does; the shuffling goes on
  // from the generator as the init left it.
  const Init init = options.init.value_or(model_facts(options.model).default_init);
  TorchGenerator generator(options.config.seed);
  std::unique_ptr<Model> model = options.spec_kernel ? make_spec_model(options.model, init, generator)
                                                     : make_model(options.model, init, generator);
  if (options.init_params && !options.baseline) {
    auto text = read_file(*options.init_params, 4 << 20);
    if (!text) return fail(text.error());
    auto flat = parse_params(*text, model_facts(options.model).param_count);
    if (!flat) return fail(*options.init_params + ": " + flat.error());
    if (auto set = model->set_flat_params(*flat); !set) return fail(*options.init_params + ": " + set.error());
  }
  for (const auto& path : {options.save_params, options.save_grad}) {
    if (!path) continue;
    if (auto writable = write_file_atomically(*path + ".check", ""); !writable) return fail(*path + ": cannot write there");
    std::remove((*path + ".check").c_str());
  }
  auto location = locate_mnist_sample(options.data, /*allow_download=*/true);
  if (!location) return fail(location.error());
  auto sample = load_mnist_sample_path(*location);
  if (!sample) return fail(sample.error());
  if (options.baseline) return run_baseline(*sample);
  auto trainer = Trainer::create(std::make_shared<const MnistSample>(std::move(sample).value()), std::move(model),
                                 options.config, generator);
  if (!trainer) return fail(trainer.error());

  if (options.tsv) std::printf("epoch\tvalidate_epoch\taccuracy\ttrain_loss\tms\n");
  if (options.batches) std::printf("epoch\tbatch\tloss\n");
  const bool lines = !options.tsv && !options.batches;  // the book's line of validate_epoch values
  std::vector<double> epoch_ms;
  std::size_t steps_printed = 0;
  Validation validation = trainer->validate_epoch();
  if (options.save_grad) {
    // The run's first step, traced: its gradient before the update. The epoch goes on from the next batch.
    auto traced = trainer->trace_batch();
    if (!traced) return fail(traced.error());
    if (auto saved = write_file_atomically(*options.save_grad, format_params(traced->gradient)); !saved)
      return fail(saved.error());
  }
  for (int epoch = 1; epoch <= *options.epochs; ++epoch) {
    auto stats = trainer->train_epoch();
    if (options.batches) {
      const std::vector<float>& losses = trainer->step_losses();
      const int per_epoch = trainer->batches_per_epoch();
      for (; steps_printed < losses.size(); ++steps_printed)
        std::printf("%d\t%d\t%.9g\n", static_cast<int>(steps_printed / per_epoch) + 1,
                    static_cast<int>(steps_printed % per_epoch) + 1, static_cast<double>(losses[steps_printed]));
    }
    if (!stats) {
      if (lines && epoch > 1) std::printf("\n");
      std::fflush(stdout);
      return fail(stats.error());
    }
    validation = trainer->validate_epoch();
    epoch_ms.push_back(stats->ms);
    if (options.tsv)
      std::printf("%d\t%.4f\t%.6f\t%.6f\t%.3f\n", epoch, validation.validate_epoch, validation.accuracy,
                  stats->train_loss, stats->ms);
    else if (lines) std::printf("%s%.4f", epoch > 1 ? " " : "", validation.validate_epoch);
    std::fflush(stdout);
  }
  if (options.save_params) {
    if (auto saved = write_file_atomically(*options.save_params, format_params(trainer->model().flat_params())); !saved)
      return fail(saved.error());
  }
  if (lines) {
    std::sort(epoch_ms.begin(), epoch_ms.end());
    const double median_ms = epoch_ms.empty() ? 0.0 : epoch_ms[epoch_ms.size() / 2];
    std::printf(
        "%s%s, %d epochs, lr %g, batch %d: validate_epoch %.4f, accuracy %.4f (%d/%d), %.2f ms/epoch (median)\n",
        *options.epochs > 0 ? "\n" : "", model_facts(options.model).name, *options.epochs,
        static_cast<double>(options.config.lr), options.config.batch_size, validation.validate_epoch,
        validation.accuracy, validation.correct, validation.count, median_ms);
  }
  return 0;
}

int run(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::printf("%s", kUsage);
    return 0;
  }
  auto parsed = parse_options(args);
  if (!parsed) {
    std::fprintf(stderr, "mnist-sgd: %s (see mnist-sgd --help)\n", parsed.error().c_str());
    return 2;
  }
  const Options& options = *parsed;
  if (options.command == "data") {
    auto location = locate_mnist_sample(options.data, /*allow_download=*/true);
    if (!location) return fail(location.error());
    std::printf("%s\n", location->c_str());
    return 0;
  }
  return train(options);
}

}  // namespace
}  // namespace mnist_sgd

int main(int argc, char** argv) {
  try {
    return mnist_sgd::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "mnist-sgd: out of memory\n");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mnist-sgd: %s\n", error.what());
  }
  return 1;
}
