#include "trainer.hpp"

#include <chrono>
#include <cmath>
#include <numeric>
#include <string>

#include "kernels.hpp"

namespace mnist_sgd {
namespace {

// Shuffling draws from its own stream, so that turning it on does not change the initial weights.
constexpr std::uint64_t kShuffleStream = 0x53485546464c45ULL;

std::string format_number(float x) {
  if (std::isnan(x)) return "nan";  // printf may say "-nan"
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

// A batch as the spec sees it: xb (count, 784) and yb (count), copied out like a DataLoader's batch.
void batch_tensors(const Dataset& set, const int* rows, int count, Eigen::MatrixXf& xb, Eigen::VectorXf& yb) {
  xb.resize(count, kInputs);
  yb.resize(count);
  for (int i = 0; i < count; ++i) {
    xb.row(i) = Eigen::Map<const Eigen::RowVectorXf>(set.image(rows[i]), kInputs);
    yb[i] = set.y[rows[i]];
  }
}

}  // namespace

Result<void> check_config(const TrainConfig& config) {
  if (!std::isfinite(config.lr) || config.lr <= 0.0f)
    return Error{"learning rate must be a positive number, got " + format_number(config.lr)};
  if (config.batch_size < 1 || config.batch_size > kMaxBatchSize)
    return Error{"batch size must be between 1 and " + std::to_string(kMaxBatchSize) + ", got " +
                 std::to_string(config.batch_size)};
  return {};
}

Result<Trainer> Trainer::create(std::shared_ptr<const MnistSample> sample, LinearParams params, TrainConfig config) {
  if (auto checked = check_config(config); !checked) return Error{checked.error()};
  if (!sample || sample->train.size() == 0 || sample->valid.size() == 0)
    return Error{"the dataset has no training or no validation images"};
  return Trainer(std::move(sample), std::move(params), config);
}

Trainer::Trainer(std::shared_ptr<const MnistSample> sample, LinearParams params, TrainConfig config)
    : sample_(std::move(sample)),
      params_(std::move(params)),
      config_(config),
      shuffle_rng_(config.seed ^ kShuffleStream),
      order_(sample_->train.size()) {
  std::iota(order_.begin(), order_.end(), 0);
}

int Trainer::batches_per_epoch() const {
  return (sample_->train.size() + config_.batch_size - 1) / config_.batch_size;
}

Result<void> Trainer::set_params(LinearParams params) {
  auto checked = from_flat(to_flat(params));
  if (!checked) return Error{checked.error()};
  params_ = std::move(params);
  divergence_.clear();
  return {};
}

void Trainer::start_epoch() {
  if (config_.shuffle) shuffle_indices(order_, shuffle_rng_);
  epoch_loss_sum_ = 0.0f;
  epoch_batches_ = 0;
}

float Trainer::step(const int* rows, int count) {
  if (config_.kernel == Kernel::fast) return sgd_step(sample_->train, rows, count, config_.lr, params_, dz_);
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_tensors(sample_->train, rows, count, xb, yb);
  const Gradients grads = calc_grad(xb, yb, params_);
  params_.weights -= config_.lr * grads.weights;
  params_.bias -= config_.lr * grads.bias;
  return grads.loss;
}

Result<BatchStats> Trainer::train_batch() {
  if (!divergence_.empty()) return Error{divergence_};
  if (next_row_ == 0) start_epoch();
  const int count = std::min(config_.batch_size, sample_->train.size() - next_row_);
  const float loss = step(order_.data() + next_row_, count);
  next_row_ += count;
  epoch_loss_sum_ += loss;
  ++epoch_batches_;

  BatchStats stats{epochs_done_ + 1, epoch_batches_, batches_per_epoch(), loss};
  if (next_row_ == sample_->train.size()) {
    next_row_ = 0;
    ++epochs_done_;
  }
  if (!std::isfinite(loss) || !std::isfinite(params_.bias) || !params_.weights.allFinite()) {
    divergence_ = "diverged at epoch " + std::to_string(stats.epoch) + ": the loss is " + format_number(loss) +
                  (std::isfinite(loss) ? " but the parameters overflowed" : "");
    return Error{divergence_};
  }
  return stats;
}

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

Validation Trainer::validate_epoch() const {
  const Dataset& valid = sample_->valid;
  Validation result;
  result.count = valid.size();
  float accuracy_sum = 0.0f;
  int batches = 0;
  for (int first = 0; first < valid.size(); first += config_.batch_size) {
    const int count = std::min(config_.batch_size, valid.size() - first);
    const int correct = count_correct(valid, first, count, params_);
    accuracy_sum += static_cast<float>(correct) / static_cast<float>(count);
    result.correct += correct;
    ++batches;
  }
  result.validate_epoch = round4(accuracy_sum / static_cast<float>(batches));
  result.accuracy = static_cast<float>(result.correct) / static_cast<float>(result.count);
  return result;
}

Confusion Trainer::confusion() const {
  const Dataset& valid = sample_->valid;
  Confusion result;
  for (int i = 0; i < valid.size(); ++i) {
    const bool is_three = valid.y[i] == 1.0f;
    const bool predicts_three = predict_three(valid.image(i), params_) > 0.5f;
    (is_three ? (predicts_three ? result.threes_as_three : result.threes_as_seven)
              : (predicts_three ? result.sevens_as_three : result.sevens_as_seven))++;
    if (is_three != predicts_three) result.misclassified.push_back(i);
  }
  return result;
}

}  // namespace mnist_sgd
