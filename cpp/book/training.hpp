// The book's training loop as a stepper: train_epoch / train_batch / validate_epoch, so that the CLI
// runs it to the end and the page can step it one batch or one epoch at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "book/model.hpp"
#include "common/result.hpp"
#include "common/torch_random.hpp"

namespace mnist_sgd {

// What a step minimises: the book's mnist_loss, or its batch_accuracy taken as a loss, the chapter's example of
// why accuracy cannot be one: a step function of the parameters, its gradient is zero wherever it has one.
enum class LossKind { mnist_loss, accuracy };
const char* loss_name(LossKind loss);  // "mnist_loss", "accuracy"
Result<LossKind> parse_loss(const std::string& name);

struct TrainConfig {
  float lr = 1.0f;
  int batch_size = 256;  // for training and for validate_epoch's batches, as in the book
  bool shuffle = false;  // the book's DataLoader does not shuffle
  // torch.manual_seed(seed): the initial parameters, then the shuffling
  std::uint64_t seed = 42;
  LossKind loss = LossKind::mnist_loss;
};

constexpr int kMinBatchSize = 1;
constexpr int kMaxBatchSize = 1 << 20;
// Seeds as torch.manual_seed takes them: 0 to 2^64 - 1. Only their low 32 bits seed the generator (MT19937),
// so s and s + 2^32 draw alike, in PyTorch as here. JavaScript carries them as decimal strings, since its
// numbers hold every whole number only up to 2^53.
constexpr std::uint64_t kMinSeed = 0;
constexpr std::uint64_t kMaxSeed = ~std::uint64_t{0};
// A seed written in decimal ("42"), or a one-line message saying what a seed is.
Result<std::uint64_t> parse_seed(const std::string& text);

// A one-line message naming the first bad setting, or ok.
Result<void> check_config(const TrainConfig& config);

// A run as the page asks for one: the model and its initialisation by name, the random seed in decimal.
struct RunOptions {
  std::string model = "linear";  // "linear" or "simple_net"
  float lr = 1.0f;
  int batch_size = 256;
  std::string seed = "42";
  bool shuffle = false;
  // "randn" (the book's init_params), "pytorch" (nn.Linear's default) or "default": the model's own choice
  std::string init = "default";
  std::string loss = "mnist_loss";  // or "accuracy"
};

struct RunSettings {
  ModelKind model = ModelKind::linear;
  Init init = Init::randn;
  TrainConfig config;
};

// The run the options describe, or a one-line message naming the first bad option.
Result<RunSettings> check_run_options(const RunOptions& options);

struct BatchStats {
  int epoch = 0;  // 1-based: the epoch this batch belongs to
  int batch = 0;  // 1-based within the epoch
  int batches_per_epoch = 0;
  float loss = 0.0f;
};

// One SGD step seen from inside: the batch, what the model predicted for it, the gradient and the update.
struct StepTrace {
  BatchStats stats;                // stats.loss: the batch's loss before the update
  std::vector<int> rows;           // the batch's images: indices into the training set, in the batch's order
  int threes = 0, sevens = 0;      // its labels, counted
  std::vector<float> predictions;  // sigmoid(model(x)) of each image, before the update: P(3)
  std::vector<float> gradient;     // the book's calc_grad, in the parameters' layout; zero with LossKind::accuracy
  std::vector<float> update;       // the parameters after the step minus before: -lr * gradient, as rounded
};

struct EpochStats {
  int epoch = 0;            // 1-based
  float train_loss = 0.0f;  // mean of the epoch's batch losses
  double ms = 0.0;          // wall time of the epoch's training steps
};

struct Validation {
  float validate_epoch = 0.0f;  // the book's metric: mean of per-batch accuracies, rounded to 4 places
  float accuracy = 0.0f;        // correct / count
  int correct = 0;
  int count = 0;
};

// Where the model is right and wrong on the validation set: the 2x2 confusion matrix and the images it gets
// wrong, in dataset order.
struct Confusion {
  int threes_as_three = 0, threes_as_seven = 0;
  int sevens_as_three = 0, sevens_as_seven = 0;
  std::vector<int> misclassified;  // validation indices
};

class Trainer {
 public:
  // The sample is shared, not copied: several trainers (and the page's runs) can use one. The trainer owns
  // `generator` from here on, as a notebook's DataLoaders draw from the global generator after the initial
  // parameters: pass it as the model's init left it (make_model).
  static Result<Trainer> create(std::shared_ptr<const MnistSample> sample, std::unique_ptr<Model> model,
                                TrainConfig config, TorchGenerator generator);

  // The remaining batches of the current epoch (all of them unless train_batch stopped midway).
  Result<EpochStats> train_epoch();
  // One SGD step on the next batch; starts the next epoch when the last one is done.
  Result<BatchStats> train_batch();
  // train_batch, seen from inside (StepTrace). The step itself is train_batch's, bit for bit: the gradient
  // shown is computed beside it, by the book's calc_grad.
  Result<StepTrace> trace_batch();
  // The loss of every SGD step so far, in order (batches_per_epoch() per epoch).
  const std::vector<float>& step_losses() const { return step_losses_; }
  // The book's validate_epoch over the validation set, plus the exact accuracy.
  Validation validate_epoch() const;
  Confusion confusion() const;

  const Model& model() const { return *model_; }
  // Parameters in the reference files' layout; also clears a divergence. The epoch count is kept.
  Result<void> set_params(const std::vector<float>& flat);
  const TrainConfig& config() const { return config_; }
  int epochs_done() const { return epochs_done_; }
  int batches_per_epoch() const;

 private:
  Trainer(std::shared_ptr<const MnistSample> sample, std::unique_ptr<Model> model, TrainConfig config,
          TorchGenerator generator);
  void start_epoch();
  Result<BatchStats> step(StepTrace* trace);
  float accuracy_as_loss(const int* rows, int count) const;
  // The model's output for every validation image. validate_epoch and confusion share them (the page asks
  // for both after every epoch): computed once, until a step or set_params changes the parameters.
  const std::vector<float>& valid_outputs() const;

  std::shared_ptr<const MnistSample> sample_;
  std::unique_ptr<Model> model_;
  TrainConfig config_;
  TorchGenerator generator_;  // PyTorch's global generator, after the initial parameters
  std::vector<int> order_;    // the training rows in this epoch's order
  int epochs_done_ = 0;
  int next_row_ = 0;  // position in order_; 0 means the next batch starts an epoch
  float epoch_loss_sum_ = 0.0f;
  int epoch_batches_ = 0;
  std::vector<float> step_losses_;
  std::string divergence_;                    // set once the loss or the parameters stop being finite
  mutable std::vector<float> valid_outputs_;  // empty until asked for, and again after a change of parameters
};

}  // namespace mnist_sgd
