// The training loop on the real sample: the fast kernel against the plain spec, PyTorch's reference run,
// validate_epoch's definition, stepping, shuffling, bad settings and divergence.
#include "book/training.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "fast/linear_step.hpp"
#include "support.hpp"

using namespace mnist_sgd;
using test_support::real_sample;

namespace {

// A run of the linear model from params, stepped by the fast kernel or (spec) by the Eigen spec.
Trainer make_trainer(std::shared_ptr<const MnistSample> sample, const LinearParams& params, const TrainConfig& config,
                     bool spec = false) {
  std::unique_ptr<Model> model =
      spec ? make_spec_model(ModelKind::linear, 0, Init::randn) : make_model(ModelKind::linear, 0, Init::randn);
  REQUIRE(model->set_flat_params(to_flat(params)));
  auto trainer = Trainer::create(std::move(sample), std::move(model), config, TorchGenerator(config.seed));
  if (!trainer) FAIL("Trainer::create: " << trainer.error());
  return std::move(trainer).value();
}

void train_epochs(Trainer& trainer, int epochs) {
  for (int e = 0; e < epochs; ++e) {
    auto stats = trainer.train_epoch();
    if (!stats) FAIL("train_epoch: " << stats.error());
  }
}

std::unique_ptr<Model> any_model() { return make_model(ModelKind::linear, 0, Init::randn); }

std::vector<float> params_of(const Trainer& trainer) { return trainer.model().flat_params(); }

// Two images per split: enough for a Trainer, small enough to make it diverge on purpose.
std::shared_ptr<const MnistSample> tiny_sample() {
  auto sample = std::make_shared<MnistSample>();
  for (Dataset* set : {&sample->train, &sample->valid}) {
    for (int i = 0; i < 2; ++i) {
      std::uint8_t x[kInputs];
      for (int p = 0; p < kInputs; ++p) x[p] = static_cast<std::uint8_t>((p * (i + 3)) % 256);
      set->append(i == 0 ? 1.0f : 0.0f, x);
    }
  }
  return sample;
}

}  // namespace

TEST_CASE("the fast kernel and the plain spec train the same epoch on the real sample", "[trainer][kernel]") {
  struct Case {
    int batch_size;
    bool shuffle;
  };
  // 256 (the book), 100 (does not divide 12,396 or 2,038: a short last batch) and a shuffled epoch.
  const Case c = GENERATE(Case{256, false}, Case{100, false}, Case{256, true});
  INFO("batch size " << c.batch_size << (c.shuffle ? ", shuffled" : ""));
  TrainConfig config;
  config.batch_size = c.batch_size;
  config.shuffle = c.shuffle;
  const LinearParams start = init_params(42);

  Trainer fast = make_trainer(real_sample(), start, config);
  Trainer plain = make_trainer(real_sample(), start, config, /*spec=*/true);
  train_epochs(fast, 1);
  train_epochs(plain, 1);

  CHECK(test_support::largest_gap(params_of(fast), params_of(plain)) < 1e-5f);
  CHECK(test_support::largest_gap(params_of(fast), to_flat(start)) >
        1e-2f);  // both trained: the equality is not of two untouched inits
  const Validation a = fast.validate_epoch(), b = plain.validate_epoch();
  CHECK(a.validate_epoch == b.validate_epoch);
  CHECK(a.correct == b.correct);
}

TEST_CASE("one fast-kernel SGD step lowers the loss on its real batch", "[trainer][kernel]") {
  // 256 images spread over the training set, so that the batch holds both 3s and 7s.
  const Dataset& train = real_sample()->train;
  std::vector<int> rows;
  for (int i = 0; i < 256; ++i) rows.push_back(i * 48);
  Eigen::MatrixXf xb(256, kInputs);
  Eigen::VectorXf yb(256);
  for (int i = 0; i < 256; ++i) {
    xb.row(i) = Eigen::Map<const Eigen::RowVectorXf>(train.image(rows[i]).data(), kInputs);
    yb[i] = train.y[rows[i]];
  }
  REQUIRE(yb.sum() > 50.0f);
  REQUIRE(yb.sum() < 206.0f);

  LinearParams params = init_params(42);
  const float spec_before = mnist_loss(linear1(xb, params), yb);
  std::vector<float> dz;
  const float before = fast_sgd_step(train, rows.data(), 256, 1.0f, params, dz);
  const float after = mnist_loss(linear1(xb, params), yb);
  CHECK(before == Approx(spec_before).epsilon(1e-5));  // the loss it returns is the batch's, before the step
  INFO("loss before " << before << ", after " << after);
  CHECK(after < before - 1e-3f);
}

TEST_CASE("training from the reference init reproduces PyTorch's trajectory", "[trainer][reference]") {
  const bool spec = GENERATE(false, true);
  INFO((spec ? "the Eigen spec" : "the fast kernel"));
  const auto reference = test_support::reference_trajectory();
  REQUIRE(reference.size() == 20);

  TrainConfig config;  // the book's: lr 1, batch 256, no shuffling
  Trainer trainer = make_trainer(real_sample(), test_support::reference_params("init_params.txt"), config, spec);
  for (const auto& expected : reference) {
    INFO("epoch " << expected.epoch);
    auto stats = trainer.train_epoch();
    REQUIRE(stats);
    CHECK(stats->epoch == expected.epoch);
    CHECK(stats->train_loss == Approx(expected.mean_train_loss).margin(1e-5));
    const Validation v = trainer.validate_epoch();
    CHECK(v.validate_epoch == Approx(expected.validate_epoch).margin(1e-3));
    CHECK(v.accuracy == Approx(expected.exact_accuracy).margin(1e-3));
  }
  const LinearParams final_params = test_support::reference_params("final_params.txt");
  CHECK(test_support::largest_gap(params_of(trainer), to_flat(final_params)) < 1e-3f);
}

TEST_CASE("validate_epoch is the mean of per-batch accuracies rounded to four places", "[trainer]") {
  const int batch_size = GENERATE(256, 100);
  INFO("batch size " << batch_size);
  TrainConfig config;
  config.batch_size = batch_size;
  const LinearParams params = test_support::reference_params("init_params.txt");
  const Trainer trainer = make_trainer(real_sample(), params, config);
  const Validation v = trainer.validate_epoch();

  // The book's validate_epoch, written out with the spec's linear1 and batch_accuracy.
  const Dataset& valid = real_sample()->valid;
  double sum = 0.0;
  int batches = 0;
  for (int first = 0; first < valid.size(); first += batch_size) {
    const int count = std::min(batch_size, valid.size() - first);
    std::vector<int> rows(static_cast<std::size_t>(count));
    std::iota(rows.begin(), rows.end(), first);
    Eigen::MatrixXf xb;
    Eigen::VectorXf yb;
    test_support::batch_of(valid, rows, xb, yb);
    sum += batch_accuracy(linear1(xb, params), yb);
    ++batches;
  }
  CHECK(v.validate_epoch == Approx(std::round(sum / batches * 1e4) / 1e4).margin(1e-6));
  CHECK(v.count == 2038);
  CHECK(v.accuracy == Approx(static_cast<double>(v.correct) / 2038).epsilon(1e-6));
}

TEST_CASE("validation follows every change of the parameters, though validate_epoch and confusion share it",
          "[trainer]") {
  const Dataset& valid = real_sample()->valid;
  // validate_epoch's exact accuracy and the confusion matrix of a trainer, against forward() of each image.
  const auto check_against_forward = [&](const Trainer& trainer) {
    const Validation v = trainer.validate_epoch();
    const Confusion c = trainer.confusion();
    int correct = 0;
    for (int i = 0; i < valid.size(); ++i)
      correct += (sigmoid(trainer.model().forward(valid.image(i).data())) > 0.5f) == (valid.y[i] == 1.0f);
    CHECK(v.correct == correct);
    CHECK(c.threes_as_three + c.sevens_as_seven == correct);
  };
  TrainConfig config;
  Trainer trainer = make_trainer(real_sample(), test_support::reference_params("init_params.txt"), config);
  check_against_forward(trainer);
  const int untrained = trainer.validate_epoch().correct;
  REQUIRE(trainer.train_batch());
  check_against_forward(trainer);
  CHECK(trainer.validate_epoch().correct != untrained);  // the step changed what validation sees
  REQUIRE(trainer.trace_batch());
  check_against_forward(trainer);
  REQUIRE(trainer.train_epoch());
  check_against_forward(trainer);
  REQUIRE(trainer.set_params(to_flat(test_support::reference_params("init_params.txt"))));
  check_against_forward(trainer);
  CHECK(trainer.validate_epoch().correct == untrained);
}

TEST_CASE("stepping batch by batch equals training whole epochs", "[trainer]") {
  TrainConfig config;
  config.batch_size = 1000;  // 13 batches, the last one 396 images
  const LinearParams start = init_params(7);
  Trainer by_epoch = make_trainer(real_sample(), start, config);
  Trainer by_batch = make_trainer(real_sample(), start, config);
  REQUIRE(by_batch.batches_per_epoch() == 13);

  train_epochs(by_epoch, 2);
  for (int epoch = 1; epoch <= 2; ++epoch) {
    for (int batch = 1; batch <= 13; ++batch) {
      auto stats = by_batch.train_batch();
      REQUIRE(stats);
      CHECK(stats->epoch == epoch);
      CHECK(stats->batch == batch);
      CHECK(stats->batches_per_epoch == 13);
    }
    CHECK(by_batch.epochs_done() == epoch);
  }
  CHECK(by_epoch.epochs_done() == 2);
  CHECK(test_support::largest_gap(params_of(by_epoch), params_of(by_batch)) == 0.0f);

  // train_epoch after a few train_batch calls finishes that epoch only.
  REQUIRE(by_batch.train_batch());
  auto rest = by_batch.train_epoch();
  REQUIRE(rest);
  CHECK(rest->epoch == 3);
  CHECK(by_batch.epochs_done() == 3);
}

TEST_CASE("shuffling is reproducible from its seed and changes the run", "[trainer]") {
  const LinearParams start = init_params(42);
  auto run = [&](bool shuffle, std::uint64_t seed) {
    TrainConfig config;
    config.shuffle = shuffle;
    config.seed = seed;
    Trainer trainer = make_trainer(real_sample(), start, config);
    train_epochs(trainer, 2);
    return params_of(trainer);
  };
  const std::vector<float> shuffled = run(true, 42);
  CHECK(test_support::largest_gap(shuffled, run(true, 42)) == 0.0f);
  CHECK(test_support::largest_gap(shuffled, run(true, 43)) > 1e-3f);
  CHECK(test_support::largest_gap(shuffled, run(false, 42)) > 1e-3f);
}

TEST_CASE("torch.manual_seed(42) and a shuffled DataLoader give PyTorch's shuffled run, epoch by epoch",
          "[trainer][reference][random]") {
  // The notebook: manual_seed, init_params, then each epoch train_epoch over the shuffled DataLoader and
  // validate_epoch over the validation one, both drawing from the global generator.
  const std::string run = "linear-shuffle-seed42-lr1-bs256-e10";
  const auto reference = test_support::reference_trajectory(run);
  REQUIRE(reference.size() == 10);
  TrainConfig config;
  config.shuffle = true;
  TorchGenerator generator(42);
  auto model = make_model(ModelKind::linear, Init::randn, generator);
  REQUIRE(model->flat_params() == test_support::reference_flat_params(run, "init_params.txt"));
  auto trainer = Trainer::create(real_sample(), std::move(model), config, generator);
  REQUIRE(trainer);
  char printed[16], expected[16];
  for (const auto& epoch : reference) {
    INFO("epoch " << epoch.epoch);
    REQUIRE(trainer->train_epoch());
    const Validation v = trainer->validate_epoch();
    std::snprintf(printed, sizeof printed, "%.4f", v.validate_epoch);
    std::snprintf(expected, sizeof expected, "%.4f", epoch.validate_epoch);
    CHECK(std::string(printed) == expected);
    CHECK(v.accuracy == Approx(epoch.exact_accuracy).margin(5e-7));  // the file's 6 places
  }
}

TEST_CASE("the trainer refuses bad settings with a message naming them", "[trainer]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (float lr : {0.0f, -1.0f, nan, inf}) {
    TrainConfig config;
    config.lr = lr;
    auto checked = check_config(config);
    INFO("lr " << lr);
    REQUIRE_FALSE(checked);
    CHECK_THAT(checked.error(), Catch::Contains("learning rate"));
  }
  for (int batch_size : {0, -5, kMaxBatchSize + 1}) {
    TrainConfig config;
    config.batch_size = batch_size;
    auto checked = check_config(config);
    INFO("batch size " << batch_size);
    REQUIRE_FALSE(checked);
    CHECK_THAT(checked.error(), Catch::Contains("batch size") && Catch::Contains(std::to_string(batch_size)));
  }
  CHECK(check_config(TrainConfig{}));

  TrainConfig bad;
  bad.lr = -1.0f;
  auto refused = Trainer::create(tiny_sample(), any_model(), bad, TorchGenerator());
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error(), Catch::Contains("learning rate"));

  auto empty = Trainer::create(std::make_shared<const MnistSample>(), any_model(), TrainConfig{}, TorchGenerator());
  REQUIRE_FALSE(empty);
  CHECK_THAT(empty.error(), Catch::Contains("no training or no validation images"));
  auto null_sample = Trainer::create(nullptr, any_model(), TrainConfig{}, TorchGenerator());
  REQUIRE_FALSE(null_sample);
}

TEST_CASE("a run whose loss turns NaN stops with a diverged error until new parameters are set", "[trainer]") {
  // Weights of +-3e38 overflow z to +inf and -inf in the same dot product: inf - inf is NaN.
  // (A large learning rate alone cannot do it: mnist_loss is bounded and its gradient vanishes once the
  // sigmoid saturates.)
  LinearParams huge;
  for (int i = 0; i < kInputs; ++i) huge.weights[i] = i % 2 == 0 ? 3e38f : -3e38f;
  Trainer trainer = make_trainer(tiny_sample(), huge, TrainConfig{});

  auto first = trainer.train_batch();
  REQUIRE_FALSE(first);
  CHECK_THAT(first.error(), Catch::Contains("diverged at epoch 1"));
  auto again = trainer.train_epoch();
  REQUIRE_FALSE(again);
  CHECK_THAT(again.error(), Catch::Contains("diverged"));

  // New parameters must be finite, and they clear the divergence.
  LinearParams not_finite;
  not_finite.bias = std::numeric_limits<float>::quiet_NaN();
  auto refused = trainer.set_params(to_flat(not_finite));
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error(), Catch::Contains("finite"));
  REQUIRE(trainer.set_params(to_flat(LinearParams{})));
  CHECK(trainer.train_epoch());
}
