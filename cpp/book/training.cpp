#include "book/training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace mnist_sgd {
namespace {

std::string format_number(float x) {
  if (std::isnan(x)) return "nan";  // printf may say "-nan"
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

std::string seed_range() {
  return "seed must be a whole number from " + std::to_string(kMinSeed) + " to " + std::to_string(kMaxSeed);
}

}  // namespace

Result<Trainer> Trainer::create(std::shared_ptr<const MnistSample> sample, std::unique_ptr<Model> model,
                                TrainConfig config, TorchGenerator generator) {
  if (auto checked = check_config(config); !checked) return Error{checked.error()};
  if (!sample || sample->train.size() == 0 || sample->valid.size() == 0)
    return Error{"the dataset has no training or no validation images"};
  if (!model) return Error{"no model given"};
  return Trainer(std::move(sample), std::move(model), config, generator);
}

Trainer::Trainer(std::shared_ptr<const MnistSample> sample, std::unique_ptr<Model> model, TrainConfig config,
                 TorchGenerator generator)
    : sample_(std::move(sample)), model_(std::move(model)), config_(config), generator_(generator) {}

int Trainer::batches_per_epoch() const { return (sample_->train.size() + config_.batch_size - 1) / config_.batch_size; }

Result<void> Trainer::set_params(const std::vector<float>& flat) {
  valid_outputs_.clear();
  if (auto set = model_->set_flat_params(flat); !set) return Error{set.error()};
  divergence_.clear();
  return {};
}

// Each epoch draws what a notebook's loop draws from the global generator: iterating a DataLoader takes its
// workers' base seed (two outputs), shuffled or not, and a shuffled one then its order (two more, then a
// randperm on a generator of its own). The book's loop is train_epoch then validate_epoch, so between two
// training passes the validation DataLoader takes its base seed: validate_epoch() itself draws nothing, so
// that the page may look at the model as often as it likes without changing the run.
void Trainer::start_epoch() {
  if (epochs_done_ > 0) torch::dataloader_base_seed(generator_);  // the last epoch's validate_epoch
  order_ = torch::dataloader_epoch(sample_->train.size(), config_.shuffle, generator_);
  epoch_loss_sum_ = 0.0f;
  epoch_batches_ = 0;
}

// The book:
//   def train_epoch(model, lr, params):
//       for xb, yb in dl:
//           calc_grad(xb, yb, model)
//           for p in params: p.data -= p.grad * lr; p.grad.zero_()
// Here a turn of the loop is train_batch, so that the page can also take one step at a time.
Result<EpochStats> Trainer::train_epoch() {
  const auto start = std::chrono::steady_clock::now();
  const int epoch = epochs_done_ + 1;
  do {
    auto batch = train_batch();
    if (!batch) return Error{batch.error()};
  } while (next_row_ != 0);
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  return EpochStats{epoch, epoch_loss_sum_ / static_cast<float>(epoch_batches_), elapsed.count()};
}

// One turn of train_epoch's loop: the next batch, calc_grad, and p -= lr * grad, which model_->sgd_step
// takes at once. For the models make_model builds, that is fast_sgd_step in fast/linear_step.cpp or
// fast/simple_net_step.cpp; for make_spec_model's, the book's calc_grad and update (sgd_step in
// book/linear.cpp, book/simple_net.cpp), which the tests hold the fast steps to.
Result<BatchStats> Trainer::train_batch() { return step(nullptr); }

Result<StepTrace> Trainer::trace_batch() {
  StepTrace trace;
  auto stats = step(&trace);
  if (!stats) return Error{stats.error()};
  trace.stats = *stats;
  return trace;
}

// A trace only looks: it reads the batch and the parameters around the step, which runs as in train_batch.
Result<BatchStats> Trainer::step(StepTrace* trace) {
  if (!divergence_.empty()) return Error{divergence_};
  if (next_row_ == 0) start_epoch();
  const int count = std::min(config_.batch_size, sample_->train.size() - next_row_);
  const int* rows = order_.data() + next_row_;
  std::vector<float> before;
  if (trace) {
    trace->rows.assign(rows, rows + count);
    for (int row : trace->rows) {
      (sample_->train.y[row] == 1.0f ? trace->threes : trace->sevens)++;
      trace->predictions.push_back(model_->predict_three(sample_->train.image(row).data()));
    }
    before = model_->flat_params();
    trace->gradient = config_.loss == LossKind::mnist_loss ? model_->book_gradient(sample_->train, rows, count)
                                                           : std::vector<float>(before.size(), 0.0f);
  }
  // With the accuracy as the loss every gradient is zero, and p -= lr * 0 leaves p as it is: no step to take.
  const float loss = config_.loss == LossKind::mnist_loss ? model_->sgd_step(sample_->train, rows, count, config_.lr)
                                                          : accuracy_as_loss(rows, count);
  valid_outputs_.clear();
  if (trace) {
    trace->update = model_->flat_params();
    for (std::size_t i = 0; i < before.size(); ++i) trace->update[i] -= before[i];
  }
  next_row_ += count;
  epoch_loss_sum_ += loss;
  ++epoch_batches_;
  step_losses_.push_back(loss);

  BatchStats stats{epochs_done_ + 1, epoch_batches_, batches_per_epoch(), loss};
  if (next_row_ == sample_->train.size()) {
    next_row_ = 0;
    ++epochs_done_;
  }
  if (!std::isfinite(loss) || !model_->finite()) {
    divergence_ = "diverged at epoch " + std::to_string(stats.epoch) + ": the loss is " + format_number(loss) +
                  (std::isfinite(loss) ? " but the parameters overflowed" : "");
    return Error{divergence_};
  }
  return stats;
}

// The book's batch_accuracy(model(xb), yb) on the batch.
float Trainer::accuracy_as_loss(const int* rows, int count) const {
  Eigen::VectorXf z(count), yb(count);
  for (int i = 0; i < count; ++i) {
    z[i] = model_->forward(sample_->train.image(rows[i]).data());
    yb[i] = sample_->train.y[rows[i]];
  }
  return batch_accuracy(z, yb);
}

// The book:
//   def validate_epoch(model):
//       accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
//       return round(torch.stack(accs).mean().item(), 4)
// and the exact accuracy beside it (a short last batch weighs as much as a full one in the book's mean).
Validation Trainer::validate_epoch() const {
  const Dataset& valid = sample_->valid;
  const std::vector<float>& outputs = valid_outputs();
  Validation result;
  result.count = valid.size();
  float accuracy_sum = 0.0f;
  int batches = 0;
  for (int first = 0; first < valid.size(); first += config_.batch_size) {
    const int count = std::min(config_.batch_size, valid.size() - first);
    Eigen::VectorXf z(count), yb(count);  // model(xb), yb
    for (int i = 0; i < count; ++i) {
      z[i] = outputs[static_cast<std::size_t>(first + i)];
      yb[i] = valid.y[first + i];
    }
    const float accuracy = batch_accuracy(z, yb);
    accuracy_sum += accuracy;
    // The batch's right answers, back from its accuracy: exact, as the float correct / count is within
    // 2^-24 of the fraction and count is at most 2^20.
    result.correct += static_cast<int>(std::lround(static_cast<double>(accuracy) * count));
    ++batches;
  }
  result.validate_epoch = round4(accuracy_sum / static_cast<float>(batches));
  result.accuracy = static_cast<float>(result.correct) / static_cast<float>(result.count);
  return result;
}

const std::vector<float>& Trainer::valid_outputs() const {
  if (valid_outputs_.empty()) valid_outputs_ = model_->outputs(sample_->valid);
  return valid_outputs_;
}

Confusion Trainer::confusion() const {
  const Dataset& valid = sample_->valid;
  const std::vector<float>& outputs = valid_outputs();
  Confusion result;
  for (int i = 0; i < valid.size(); ++i) {
    const bool is_three = valid.y[i] == 1.0f;
    const bool predicts_three = sigmoid(outputs[static_cast<std::size_t>(i)]) > 0.5f;
    (is_three ? (predicts_three ? result.threes_as_three : result.threes_as_seven)
              : (predicts_three ? result.sevens_as_three : result.sevens_as_seven))++;
    if (is_three != predicts_three) result.misclassified.push_back(i);
  }
  return result;
}

Result<void> check_config(const TrainConfig& config) {
  if (!std::isfinite(config.lr) || config.lr <= 0.0f)
    return Error{"learning rate must be a positive number, got " + format_number(config.lr)};
  if (config.batch_size < kMinBatchSize || config.batch_size > kMaxBatchSize)
    return Error{"batch size must be between " + std::to_string(kMinBatchSize) + " and " +
                 std::to_string(kMaxBatchSize) + ", got " + std::to_string(config.batch_size)};
  return {};
}

const char* loss_name(LossKind loss) { return loss == LossKind::mnist_loss ? "mnist_loss" : "accuracy"; }

Result<LossKind> parse_loss(const std::string& name) {
  for (LossKind loss : {LossKind::mnist_loss, LossKind::accuracy})
    if (name == loss_name(loss)) return loss;
  return Error{"loss must be \"mnist_loss\" or \"accuracy\""};
}

Result<std::uint64_t> parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  for (char c : text) {
    const unsigned digit = static_cast<unsigned>(c - '0');
    if (digit > 9 || seed > (kMaxSeed - digit) / 10) return Error{seed_range()};
    seed = seed * 10 + digit;
  }
  if (text.empty()) return Error{seed_range()};
  return seed;
}

Result<RunSettings> check_run_options(const RunOptions& options) {
  const auto seed = parse_seed(options.seed);
  if (!seed) return Error{seed.error()};
  auto model = parse_model_kind(options.model);
  if (!model) return Error{model.error()};
  RunSettings run;
  run.model = *model;
  if (options.init == "default") {
    run.init = model_facts(*model).default_init;
  } else if (auto init = parse_init(options.init)) {
    run.init = *init;
  } else {
    return Error{"init must be \"randn\", \"pytorch\" or \"default\""};
  }
  run.config.lr = options.lr;
  run.config.batch_size = options.batch_size;
  run.config.shuffle = options.shuffle;
  run.config.seed = *seed;
  auto loss = parse_loss(options.loss);
  if (!loss) return Error{loss.error()};
  run.config.loss = *loss;
  if (auto checked = check_config(run.config); !checked) return Error{checked.error()};
  return run;
}

}  // namespace mnist_sgd
