// The model, on inputs small enough to check by hand: linear1, sigmoid, mnist_loss, calc_grad, one SGD step,
// and the fast step (fast/linear_step.hpp) against the book's (book/linear.hpp) batch by batch.
#include "book/linear.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "common/torch_random.hpp"
#include "fast/linear_step.hpp"
#include "support.hpp"

using namespace mnist_sgd;
using test_support::batch_of;
using test_support::random_dataset;

namespace {

// Small random weights, so that z stays where the sigmoid is not flat (|z| around 1).
LinearParams small_params(std::uint64_t seed) {
  TorchGenerator generator(seed);
  LinearParams params;
  for (int i = 0; i < kInputs; ++i) params.weights[i] = static_cast<float>(0.05 * torch::normal_double(generator));
  params.bias = 0.1f;
  return params;
}

}  // namespace

TEST_CASE("linear1 sigmoid and mnist_loss match a batch computed by hand", "[model]") {
  // Three images; only pixels 0, 1 and 783 have weights, pixel 400 has none.
  LinearParams params;
  params.weights[0] = 1.0f;
  params.weights[1] = -2.0f;
  params.weights[783] = 0.5f;
  params.bias = 0.25f;
  Eigen::MatrixXf xb = Eigen::MatrixXf::Zero(3, kInputs);
  xb(0, 0) = 0.5f, xb(0, 1) = 0.25f, xb(0, 783) = 1.0f;  // z = 0.5 - 0.5 + 0.5 + 0.25 = 0.75
  xb(1, 0) = 1.0f, xb(1, 1) = 1.0f;                      // z = 1 - 2 + 0.25 = -0.75
  xb(2, 400) = 1.0f;                                     // z = bias = 0.25
  Eigen::VectorXf yb(3);
  yb << 1.0f, 0.0f, 0.0f;

  const Eigen::VectorXf z = linear1(xb, params);
  REQUIRE(z.size() == 3);
  CHECK(z[0] == Approx(0.75f).margin(1e-7));
  CHECK(z[1] == Approx(-0.75f).margin(1e-7));
  CHECK(z[2] == Approx(0.25f).margin(1e-7));

  const Eigen::VectorXf s = sigmoid(z);
  CHECK(s[0] == Approx(0.679178699175393).epsilon(1e-6));
  CHECK(s[1] == Approx(0.320821300824607).epsilon(1e-6));
  CHECK(s[2] == Approx(0.562176500885798).epsilon(1e-6));

  // The book's loss: 1 - s where the target is a 3, s where it is a 7, averaged:
  // (0.320821 + 0.320821 + 0.562177) / 3.
  CHECK(mnist_loss(z, yb) == Approx(0.401273034178337).epsilon(1e-6));
  // Predicted 3, 7, 3 against 3, 7, 7: two of three right.
  CHECK(batch_accuracy(z, yb) == Approx(2.0f / 3.0f).epsilon(1e-6));
}

TEST_CASE("sigmoid is exact at zero and saturates without NaN", "[model]") {
  CHECK(sigmoid(0.0f) == 0.5f);
  CHECK(sigmoid(100.0f) == 1.0f);
  CHECK(sigmoid(-100.0f) > 0.0f);  // 3.7e-44, a float denormal: the loss still sees it
  CHECK(sigmoid(-1000.0f) == 0.0f);
  CHECK(sigmoid(2.0f) == Approx(1.0 / (1.0 + std::exp(-2.0))).epsilon(1e-7));
  CHECK(sigmoid(-2.0f) + sigmoid(2.0f) == Approx(1.0f).epsilon(1e-7));
}

TEST_CASE("round4 rounds to four places as the book prints", "[model]") {
  CHECK(round4(0.73044f) == Approx(0.7304f).margin(1e-7));
  CHECK(round4(0.85056f) == Approx(0.8506f).margin(1e-7));
  CHECK(round4(1.0f) == 1.0f);
  CHECK(round4(0.0f) == 0.0f);
}

TEST_CASE("calc_grad matches central differences of mnist_loss", "[model]") {
  const Dataset set = random_dataset(4, 11);
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, {0, 1, 2, 3}, xb, yb);
  const LinearParams params = small_params(12);
  const Gradients grads = calc_grad(xb, yb, params);
  CHECK(grads.loss == Approx(mnist_loss(linear1(xb, params), yb)).epsilon(1e-6));

  // L(p + h e_j) - L(p - h e_j) over the step actually taken (p +- h rounds in float). With h = 1e-2 the
  // truncation error is ~h^2 and the rounding error of a float loss ~1e-7 / h: both near 1e-5, while the
  // gradients here are ~1e-2. The wrong backward (cross-entropy's s - y) would be off by far more.
  const float h = 1e-2f;
  auto loss_at = [&](const LinearParams& p) { return static_cast<double>(mnist_loss(linear1(xb, p), yb)); };
  double largest = 0.0;
  int compared = 0;
  for (int j = 0; j < kInputs; ++j) {
    LinearParams plus = params, minus = params;
    plus.weights[j] += h;
    minus.weights[j] -= h;
    const double step = static_cast<double>(plus.weights[j]) - minus.weights[j];
    const double numeric = (loss_at(plus) - loss_at(minus)) / step;
    INFO("weight " << j << ": analytic " << grads.weights[j] << ", numeric " << numeric);
    REQUIRE(grads.weights[j] == Approx(numeric).epsilon(2e-3).margin(2e-5));
    largest = std::max(largest, std::abs(numeric));
    ++compared;
  }
  REQUIRE(compared == kInputs);
  REQUIRE(largest > 1e-2);  // the comparison was not between numbers that are all near zero

  LinearParams plus = params, minus = params;
  plus.bias += h;
  minus.bias -= h;
  const double numeric_bias = (loss_at(plus) - loss_at(minus)) / (static_cast<double>(plus.bias) - minus.bias);
  CHECK(std::abs(numeric_bias) > 1e-3);
  CHECK(grads.bias == Approx(numeric_bias).epsilon(2e-3).margin(2e-5));
}

TEST_CASE("one SGD step lowers the loss on its batch", "[model]") {
  const Dataset set = random_dataset(8, 21);
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, {0, 1, 2, 3, 4, 5, 6, 7}, xb, yb);
  LinearParams params = small_params(22);

  const Gradients grads = calc_grad(xb, yb, params);
  params.weights -= 1.0f * grads.weights;  // the book: p.data -= p.grad * lr, lr = 1
  params.bias -= 1.0f * grads.bias;
  const float after = mnist_loss(linear1(xb, params), yb);
  INFO("loss before " << grads.loss << ", after " << after);
  CHECK(after < grads.loss - 1e-3f);
}

TEST_CASE("the fast kernel's SGD step equals the spec's on one batch", "[model][kernel]") {
  // 13 rows in a scattered order: the kernel's groups of four and chunks of eight both leave a remainder. Three
  // fifths of the groups of 4 pixels blank: the kernel skips the blank blocks.
  const Dataset set = random_dataset(20, 31, 0.6);
  const std::vector<int> rows = {19, 0, 7, 3, 12, 5, 1, 18, 9, 4, 16, 2, 11};
  const LinearParams start = small_params(32);
  const float lr = 0.5f;

  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, rows, xb, yb);
  const Gradients grads = calc_grad(xb, yb, start);
  LinearParams spec = start;
  spec.weights -= lr * grads.weights;
  spec.bias -= lr * grads.bias;

  LinearParams fast = start;
  std::vector<float> dz;
  const float loss = fast_sgd_step(set, rows.data(), static_cast<int>(rows.size()), lr, fast, dz);

  CHECK(loss == Approx(grads.loss).epsilon(1e-6));
  CHECK(fast.bias == Approx(spec.bias).margin(1e-6));
  const float weight_gap = (fast.weights - spec.weights).cwiseAbs().maxCoeff();
  INFO("largest weight difference " << weight_gap);
  CHECK(weight_gap < 1e-6f);
  CHECK((fast.weights - start.weights).cwiseAbs().maxCoeff() > 1e-3f);  // the step did move the weights
}

TEST_CASE("the fast kernel's forward pass equals linear1, and predict_three its sigmoid", "[model][kernel]") {
  const Dataset set = random_dataset(10, 41, 0.6);
  const LinearParams params = small_params(42);
  std::vector<int> all(10);
  for (int i = 0; i < 10; ++i) all[i] = i;
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  batch_of(set, all, xb, yb);
  const Eigen::VectorXf z = linear1(xb, params);
  for (int i = 0; i < 10; ++i) {
    INFO("image " << i);
    CHECK(linear1_row(set.image(i).data(), params.weights.data(), params.bias) == Approx(z[i]).margin(1e-5));
    CHECK(predict_three(set.image(i).data(), params) == Approx(sigmoid(z[i])).margin(1e-6));
  }
}
