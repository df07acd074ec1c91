// simple_net (784-30-1, ReLU): the spec's gradients against central differences, the fast step against the
// spec, initialisation and the parameter layout, and PyTorch's reference run of 40 epochs.
#include "book/simple_net.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "book/model.hpp"
#include "book/training.hpp"
#include "common/torch_random.hpp"
#include "fast/linear_step.hpp"
#include "fast/simd.hpp"
#include "fast/simple_net_step.hpp"
#include "support.hpp"

using namespace mnist_sgd;
using test_support::batch_of;
using test_support::random_dataset;

namespace {

// Weights small enough that z stays where the sigmoid is not flat, with about half the hidden units active.
SimpleNetParams small_simple_net(std::uint64_t seed) {
  TorchGenerator generator(seed);
  SimpleNetParams params;
  for (int p = 0; p < kInputs; ++p)
    for (int h = 0; h < kHidden; ++h) params.w1(h, p) = static_cast<float>(0.05 * torch::normal_double(generator));
  for (int h = 0; h < kHidden; ++h) {
    params.b1[h] = static_cast<float>(0.1 * torch::normal_double(generator));
    params.w2[h] = static_cast<float>(0.3 * torch::normal_double(generator));
  }
  params.b2 = 0.1f;
  return params;
}

// mnist_loss(simple_net(xb)) computed in double precision.
double loss_in_double(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const SimpleNetParams& params) {
  const Eigen::MatrixXd pre =
      (xb.cast<double>() * params.w1.cast<double>().transpose()).rowwise() + params.b1.cast<double>().transpose();
  const Eigen::VectorXd z = (pre.cwiseMax(0.0) * params.w2.cast<double>()).array() + static_cast<double>(params.b2);
  double sum = 0.0;
  for (int i = 0; i < z.size(); ++i) {
    const double s = 1.0 / (1.0 + std::exp(-z[i]));
    sum += yb[i] == 1.0f ? 1.0 - s : s;
  }
  return sum / static_cast<double>(z.size());
}

Trainer make_trainer(std::unique_ptr<Model> model, const TrainConfig& config) {
  auto trainer = Trainer::create(test_support::real_sample(), std::move(model), config, TorchGenerator(config.seed));
  if (!trainer) FAIL("Trainer::create: " << trainer.error());
  return std::move(trainer).value();
}

}  // namespace

TEST_CASE("simple_net's calc_grad matches central differences of mnist_loss", "[simple_net]") {
  const Dataset set = random_dataset(6, 51, 0.5);
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, {0, 1, 2, 3, 4, 5}, xb, yb);
  SimpleNetParams params = small_simple_net(52);
  const SimpleNetGradients grads = calc_grad(xb, yb, params);
  CHECK(grads.loss == Approx(mnist_loss(simple_net(xb, params), yb)).epsilon(1e-6));

  // The differences are taken of the loss in double precision, so that the step can be small (1e-3): then
  // it rarely moves a hidden unit across the ReLU's kink, where the derivative jumps.
  // All of b1, w2 and b2, and a spread of w1 (checking all 23,520 of w1 is slow).
  const float h = 1e-3f;
  auto numeric = [&](float& parameter) {  // a parameter of params, nudged and put back
    const float original = parameter;
    parameter = original + h;
    const float above = parameter;
    const double loss_above = loss_in_double(xb, yb, params);
    parameter = original - h;
    const double loss_below = loss_in_double(xb, yb, params);
    const double step = static_cast<double>(above) - parameter;
    parameter = original;
    return (loss_above - loss_below) / step;
  };
  double largest = 0.0;
  for (int hidden = 0; hidden < kHidden; ++hidden) {
    INFO("unit " << hidden);
    const double dw2 = numeric(params.w2[hidden]);
    CHECK(grads.w2[hidden] == Approx(dw2).epsilon(1e-3).margin(1e-6));
    CHECK(grads.b1[hidden] == Approx(numeric(params.b1[hidden])).epsilon(1e-3).margin(1e-6));
    for (int pixel = hidden * 7; pixel < kInputs; pixel += 97) {
      INFO("w1(" << hidden << ", " << pixel << ")");
      CHECK(grads.w1(hidden, pixel) == Approx(numeric(params.w1(hidden, pixel))).epsilon(1e-3).margin(1e-6));
    }
    largest = std::max(largest, std::abs(dw2));
  }
  CHECK(grads.b2 == Approx(numeric(params.b2)).epsilon(1e-3).margin(1e-6));
  REQUIRE(largest > 1e-2);  // the comparison was not between numbers that are all near zero
}

TEST_CASE("simple_net's fast SGD step equals the spec's on one batch", "[simple_net][kernel]") {
  // Images with blank groups of pixels, which the fast step skips, and some with none.
  const double blank = GENERATE(0.0, 0.8);
  INFO("blank groups " << blank);
  const Dataset set = random_dataset(20, 61, blank);
  const std::vector<int> rows = {19, 0, 7, 3, 12, 5, 1, 18, 9, 4, 16, 2, 11};
  const SimpleNetParams start = small_simple_net(62);
  const float lr = 0.5f;

  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, rows, xb, yb);
  const SimpleNetGradients grads = calc_grad(xb, yb, start);
  SimpleNetParams spec = start;
  spec.w1 -= lr * grads.w1;
  spec.b1 -= lr * grads.b1;
  spec.w2 -= lr * grads.w2;
  spec.b2 -= lr * grads.b2;

  SimpleNetParams fast = start;
  std::vector<float> workspace;
  const float loss = fast_sgd_step(set, rows.data(), static_cast<int>(rows.size()), lr, fast, workspace);

  CHECK(loss == Approx(grads.loss).epsilon(1e-6));
  const float gap = test_support::largest_gap(to_flat(fast), to_flat(spec));
  INFO("largest parameter difference " << gap);
  CHECK(gap < 1e-6f);
  CHECK(test_support::largest_gap(to_flat(fast), to_flat(start)) > 1e-3f);  // the step did move them
}

TEST_CASE("simple_net's fast forward pass equals the spec's", "[simple_net][kernel]") {
  const Dataset set = random_dataset(10, 71, 0.7);
  const SimpleNetParams params = small_simple_net(72);
  std::vector<int> all(10);
  for (int i = 0; i < 10; ++i) all[i] = i;
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, all, xb, yb);
  const Eigen::VectorXf s = sigmoid(simple_net(xb, params));
  for (int i = 0; i < 10; ++i) {
    INFO("image " << i);
    CHECK(predict_three(set.image(i).data(), params) == Approx(s[i]).margin(1e-6));
  }
}

TEST_CASE("simple_net's parameters follow the reference files' layout", "[simple_net]") {
  const std::vector<float> reference =
      test_support::reference_flat_params(test_support::kSimpleNetReference, "init_params.txt");
  REQUIRE(reference.size() == static_cast<std::size_t>(kSimpleNetParamCount));
  auto params = simple_net_from_flat(reference);
  REQUIRE(params);
  // w1 is PyTorch's (30 out, 784 in), row-major: unit 1's weight for pixel 2 is number 784 + 2.
  CHECK(params->w1(1, 2) == reference[784 + 2]);
  CHECK(params->b1[0] == reference[30 * 784]);
  CHECK(params->w2[29] == reference[30 * 784 + 30 + 29]);
  CHECK(params->b2 == reference.back());
  CHECK(to_flat(*params) == reference);

  std::vector<float> short_by_one(reference.begin(), reference.end() - 1);
  auto refused = simple_net_from_flat(short_by_one);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error(), Catch::Contains("23581") && Catch::Contains("23580"));
  std::vector<float> not_finite = reference;
  not_finite[100] = std::numeric_limits<float>::infinity();
  CHECK_FALSE(simple_net_from_flat(not_finite));
}

TEST_CASE("seed 42 draws the initial parameters of PyTorch's runs for both models and both inits",
          "[simple_net][random][reference]") {
  // The reference files hold %.9g text, which gives back every float exactly.
  const struct {
    const char* run;
    ModelKind kind;
    Init init;
  } runs[] = {{"linear-seed42-lr1-bs256-e20", ModelKind::linear, Init::randn},
              {"linear-pytorch-seed42-lr1-bs256-e20", ModelKind::linear, Init::pytorch_linear},
              {"simple_net-seed42-lr0.1-bs256-e40", ModelKind::simple_net, Init::pytorch_linear},
              {"simple_net-randn-seed42-lr0.01-bs256-e10", ModelKind::simple_net, Init::randn}};
  for (const auto& run : runs) {
    INFO(run.run);
    const std::vector<float> expected = test_support::reference_flat_params(run.run, "init_params.txt");
    CHECK(make_model(run.kind, 42, run.init)->flat_params() == expected);
    CHECK(make_spec_model(run.kind, 42, run.init)->flat_params() == expected);
  }
  CHECK(to_flat(init_simple_net(42, Init::randn)) != to_flat(init_simple_net(43, Init::randn)));
}

TEST_CASE("the fast and plain kernels train the same simple_net epoch on the real sample", "[simple_net][trainer]") {
  const int batch_size = GENERATE(256, 100);
  INFO("batch size " << batch_size);
  TrainConfig config;
  config.lr = 0.1f;
  config.batch_size = batch_size;
  Trainer fast = make_trainer(make_model(ModelKind::simple_net, 42, Init::pytorch_linear), config);
  Trainer plain = make_trainer(make_spec_model(ModelKind::simple_net, 42, Init::pytorch_linear), config);
  const std::vector<float> start = fast.model().flat_params();
  REQUIRE(fast.train_epoch());
  REQUIRE(plain.train_epoch());

  const float gap = test_support::largest_gap(fast.model().flat_params(), plain.model().flat_params());
  INFO("largest parameter difference " << gap);
  CHECK(gap < 1e-5f);
  CHECK(test_support::largest_gap(fast.model().flat_params(), start) > 1e-2f);
  const Validation a = fast.validate_epoch(), b = plain.validate_epoch();
  CHECK(a.validate_epoch == b.validate_epoch);
  CHECK(a.correct == b.correct);
}

TEST_CASE("both models' steps give the same bits in vectors of 4 floats, 8 and 16", "[simple_net][kernel]") {
  if (fast_lanes() < 8) {
    WARN("this processor has no AVX2: the steps run in vectors of 4 only, and there is nothing to compare");
    return;
  }
  const auto sample = test_support::real_sample();
  const Dataset& train = sample->train;
  std::vector<int> rows(static_cast<std::size_t>(train.size()));
  for (int i = 0; i < train.size(); ++i) rows[static_cast<std::size_t>(i)] = (i * 7919) % train.size();
  // An epoch of each in both widths, batch by batch; the last batch is short (12,396 = 48 x 256 + 108).
  const auto epoch = [&](auto params, float lr, int lanes) {
    std::vector<float> workspace, losses;
    for (int first = 0; first < train.size(); first += 256) {
      const int count = std::min(256, train.size() - first);
      losses.push_back(fast_sgd_step(train, rows.data() + first, count, lr, params, workspace, lanes));
    }
    return std::make_pair(to_flat(params), losses);
  };
  const SimpleNetParams net = init_simple_net(42, Init::pytorch_linear);
  CHECK(epoch(net, 0.1f, 4) == epoch(net, 0.1f, 8));
  CHECK(epoch(net, 0.1f, 8).first != to_flat(net));
  if (fast_lanes() >= 16) CHECK(epoch(net, 0.1f, 4) == epoch(net, 0.1f, 16));  // AVX-512: simple_net only
  else WARN("this processor has no AVX-512: simple_net's vectors of 16 are not compared");
  const LinearParams linear = init_params(42, Init::randn);
  CHECK(epoch(linear, 1.0f, 4) == epoch(linear, 1.0f, 8));
  CHECK(epoch(linear, 1.0f, 8).first != to_flat(linear));
}

TEST_CASE("a model's outputs over a dataset are forward() of each image's floats, bit for bit", "[kernel]") {
  const auto bits = [](float value) {
    std::uint32_t b;
    std::memcpy(&b, &value, sizeof b);
    return b;
  };
  // Every output against forward() of the image's floats: how many differ in any bit.
  const auto differing = [&](const Dataset& set, const std::vector<float>& outputs, const auto& forward) {
    int differ = static_cast<int>(outputs.size()) != set.size();
    for (int i = 0; i < set.size() && !differ; ++i)
      differ += bits(outputs[static_cast<std::size_t>(i)]) != bits(forward(set.image(i).data()));
    return differ;
  };
  const auto sample = test_support::real_sample();
  for (const ModelKind kind : kModelKinds) {
    const auto model = make_model(kind, 42, kind == ModelKind::linear ? Init::randn : Init::pytorch_linear);
    CHECK(differing(sample->valid, model->outputs(sample->valid), [&](const float* x) { return model->forward(x); }) ==
          0);
  }
  // An infinite weight: blank pixels' products are then NaN, not +-0, and must not be left out.
  Dataset set = random_dataset(3, 12, 0.6);
  const std::uint8_t blank[kImagePixels] = {};
  set.append(0.0f, blank);
  LinearParams linear = init_params(7, Init::randn);
  linear.weights[300] = std::numeric_limits<float>::infinity();
  CHECK(differing(set, linear1_rows(set, linear),
                  [&](const float* x) { return linear1_row(x, linear.weights.data(), linear.bias); }) == 0);
  SimpleNetParams net = init_simple_net(7, Init::pytorch_linear);
  net.w1(4, 300) = -std::numeric_limits<float>::infinity();
  CHECK(differing(set, simple_net_rows(set, net), [&](const float* x) { return simple_net_row(x, net); }) == 0);
}

TEST_CASE("all_finite finds an infinity or a NaN wherever it is, and nothing else", "[kernel]") {
  // 23 floats: five vectors of 4 and three more. Finite extremes: the largest, the smallest subnormal, -0.
  std::vector<float> values(23);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) - 11.5f;
  values[1] = std::numeric_limits<float>::max();
  values[2] = -std::numeric_limits<float>::max();
  values[3] = std::numeric_limits<float>::denorm_min();
  values[22] = -0.0f;
  CHECK(all_finite(values.data(), values.size()));
  CHECK(all_finite(values.data(), 0));
  const float infinity = std::numeric_limits<float>::infinity();
  for (const float bad :
       {infinity, -infinity, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN()}) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      const float kept = values[i];
      values[i] = bad;
      CHECK_FALSE(all_finite(values.data(), values.size()));
      CHECK(all_finite(values.data(), i));  // the floats before it
      values[i] = kept;
    }
  }
}

TEST_CASE("simple_net trained from the reference init reproduces PyTorch's 40 epochs", "[simple_net][reference]") {
  const auto reference = test_support::reference_trajectory(test_support::kSimpleNetReference);
  REQUIRE(reference.size() == 40);
  auto model = make_model(ModelKind::simple_net,
                          test_support::reference_flat_params(test_support::kSimpleNetReference, "init_params.txt"));
  REQUIRE(model);
  TrainConfig config;  // the reference's: lr 0.1, batch 256, no shuffling
  config.lr = 0.1f;
  Trainer trainer = make_trainer(std::move(model).value(), config);
  for (const auto& expected : reference) {
    INFO("epoch " << expected.epoch);
    auto stats = trainer.train_epoch();
    REQUIRE(stats);
    CHECK(stats->train_loss == Approx(expected.mean_train_loss).margin(1e-5));
    const Validation v = trainer.validate_epoch();
    CHECK(v.validate_epoch == Approx(expected.validate_epoch).margin(1e-3));
    CHECK(v.accuracy == Approx(expected.exact_accuracy).margin(1e-3));
  }
  const std::vector<float> final_params =
      test_support::reference_flat_params(test_support::kSimpleNetReference, "final_params.txt");
  CHECK(test_support::largest_gap(trainer.model().flat_params(), final_params) < 1e-3f);
}
