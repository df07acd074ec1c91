// The shuffled DataLoader against PyTorch's own shuffled run: the first batch of its first epoch, found through
// the gradient PyTorch computed on it (first_grad.txt). Native only: it needs the real sample.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "common/torch_random.hpp"
#include "support.hpp"

namespace torch = mnist_sgd::torch;

TEST_CASE("seed 42's shuffled first batch gives the gradient PyTorch's shuffled run computed", "[torch_random][real]") {
  constexpr int kInputs = 28 * 28, kBatch = 256;
  const std::string run = "linear-shuffle-seed42-lr1-bs256-e10";
  const auto sample = test_support::real_sample();
  const mnist_sgd::Dataset& train = sample->train;

  // The notebook: torch.manual_seed(42); weights, bias = init_params(...); then the training DataLoader's first
  // epoch, after the 785 initial parameters.
  mnist_sgd::TorchGenerator generator(42);
  const std::vector<float> params = torch::linear_randn_params(kInputs, generator);
  const std::vector<int> order = torch::dataloader_epoch(train.size(), true, generator);
  REQUIRE(params == test_support::reference_flat_params(run, "init_params.txt"));

  // mnist_loss(sigmoid(xb @ weights + bias), yb) over the first batch, and its gradient: with s = sigmoid(z),
  // dL/dz = (y == 1 ? -1 : +1) * s * (1 - s) / B. In double: PyTorch's float rounding is far below the gaps
  // another batch would make.
  std::vector<double> gradient(kInputs + 1, 0.0);
  for (int row = 0; row < kBatch; ++row) {
    const mnist_sgd::Image x = train.image(order[row]);
    double z = params[kInputs];
    for (int p = 0; p < kInputs; ++p) z += static_cast<double>(x[p]) * params[p];
    const double s = 1.0 / (1.0 + std::exp(-z));
    const double dz = (train.y[order[row]] == 1.0f ? -1.0 : 1.0) * s * (1.0 - s) / kBatch;
    for (int p = 0; p < kInputs; ++p) gradient[p] += dz * x[p];
    gradient[kInputs] += dz;
  }
  const std::vector<float> expected = test_support::reference_flat_params(run, "first_grad.txt");
  REQUIRE(expected.size() == gradient.size());
  // A pixel blank in all 256 images has a zero gradient: the pattern of zeros alone pins the batch down.
  int zero_mismatches = 0;
  double largest_gap = 0.0, largest = 0.0;
  for (std::size_t p = 0; p < gradient.size(); ++p) {
    zero_mismatches += (gradient[p] == 0.0) != (expected[p] == 0.0f) ? 1 : 0;
    largest_gap = std::max(largest_gap, std::abs(gradient[p] - expected[p]));
    largest = std::max(largest, std::abs(static_cast<double>(expected[p])));
  }
  CHECK(zero_mismatches == 0);
  INFO("largest gradient " << largest << ", largest gap " << largest_gap);
  CHECK(largest_gap < 1e-5 * largest);  // measured: 4.5e-7 of it
}
