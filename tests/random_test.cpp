// The project's own random numbers (random.hpp): the same bits on every platform, and the right distributions.
#include "common/random.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "book/linear.hpp"
#include "common/portable_math.hpp"

using namespace mnist_sgd;

TEST_CASE("Rng draws the published xoshiro256** sequence for a seed", "[random]") {
  // Values from an independent implementation of splitmix64 seeding + xoshiro256** (Blackman & Vigna).
  // The native and WebAssembly builds must draw these same bits.
  Rng rng(42);
  CHECK(rng.next_u64() == 0x15780b2e0c2ec716ULL);
  CHECK(rng.next_u64() == 0x6104d9866d113a7eULL);
  CHECK(rng.next_u64() == 0xae17533239e499a1ULL);
  CHECK(Rng(0).next_u64() == 0x99ec5f36cb75f2b4ULL);
}

TEST_CASE("init_params draws the pinned weights for seed 42", "[random][model]") {
  // Marsaglia's polar method on the stream above, rounded to float (computed independently in Python).
  const LinearParams params = init_params(42);
  CHECK(params.weights[0] == -0.726219118f);
  CHECK(params.weights[1] == -0.211196914f);
  CHECK(params.weights[2] == 0.221622705f);
  CHECK(params.weights[3] == 0.522771716f);
  CHECK(params.bias == 0.228257969f);  // drawn after the 784 weights
}

TEST_CASE("portable_log agrees with std::log to 1e-14 relative", "[random]") {
  // Powers spread over the whole double range, and the values polar sampling feeds it: s in (0, 1).
  Rng rng(5);
  std::vector<double> xs = {1.0, 2.0, 0.5, 0.7071067811865476, 1.4142135623730951, 1e-300, 1e300, 4.9e-324};
  for (int i = 0; i < 20000; ++i) xs.push_back(std::exp((rng.uniform() - 0.5) * 1400.0));
  for (int i = 0; i < 20000; ++i) xs.push_back(rng.uniform() + 0x1.0p-60);
  for (int i = 0; i < 2000; ++i) xs.push_back(1.0 + (rng.uniform() - 0.5) * 1e-6);  // log(x) near 0
  double worst = 0.0, worst_x = 0.0;
  for (double x : xs) {
    const double expected = std::log(x);
    const double error = std::abs(portable_log(x) - expected) / std::max(std::abs(expected), 1e-300);
    if (error > worst) worst = error, worst_x = x;
  }
  INFO("worst at x = " << worst_x << ": portable_log " << portable_log(worst_x) << ", std::log " << std::log(worst_x));
  CHECK(worst < 1e-14);  // measured: about 7e-16, a few ulps
}

TEST_CASE("portable_exp agrees with std::exp to 1e-14 relative over the sigmoid's range", "[random]") {
  Rng rng(6);
  std::vector<double> xs = {0.0, 1.0, -1.0, 0.34657359027997264, 699.0, -699.0, 1e-12, -1e-300};
  for (int i = 0; i < 40000; ++i) xs.push_back((rng.uniform() - 0.5) * 1398.0);
  for (int i = 0; i < 10000; ++i) xs.push_back((rng.uniform() - 0.5) * 2.0);
  double worst = 0.0, worst_x = 0.0;
  for (double x : xs) {
    const double expected = std::exp(x);
    const double error = std::abs(portable_exp(x) - expected) / expected;
    if (error > worst) worst = error, worst_x = x;
  }
  INFO("worst at x = " << worst_x << ": portable_exp " << portable_exp(worst_x) << ", std::exp " << std::exp(worst_x));
  CHECK(worst < 1e-14);  // measured: about 3e-16, a couple of ulps
}

TEST_CASE("Rng normal draws have mean 0 and variance 1", "[random]") {
  Rng rng(123);
  const int n = 1000000;
  double sum = 0.0, sum_sq = 0.0, sum_4 = 0.0;
  int within_one = 0;
  for (int i = 0; i < n; ++i) {
    const double v = rng.normal();
    sum += v;
    sum_sq += v * v;
    sum_4 += v * v * v * v;
    within_one += std::abs(v) < 1.0;
  }
  const double mean = sum / n;
  const double variance = sum_sq / n - mean * mean;
  // Standard errors at n = 1e6: mean 0.001, variance 0.0014, fourth moment 0.01, fraction 0.0005.
  CHECK(mean == Approx(0.0).margin(0.005));
  CHECK(variance == Approx(1.0).margin(0.007));
  CHECK(sum_4 / n == Approx(3.0).margin(0.05));  // a normal's kurtosis, which a uniform or a sum would miss
  CHECK(static_cast<double>(within_one) / n == Approx(0.682689).margin(0.0025));
}

TEST_CASE("Rng uniform and below stay in range and spread evenly", "[random]") {
  Rng rng(9);
  std::vector<int> counts(6, 0);
  double low = 1.0, high = 0.0;
  for (int i = 0; i < 600000; ++i) {
    const std::uint64_t k = rng.below(6);
    REQUIRE(k < 6);
    ++counts[k];
    const double u = rng.uniform();
    low = std::min(low, u);
    high = std::max(high, u);
  }
  CHECK(low >= 0.0);
  CHECK(high < 1.0);
  CHECK(high > 0.999);
  for (int c : counts) CHECK(c == Approx(100000).margin(1500));  // sd 289
  CHECK(rng.below(1) == 0);
}

TEST_CASE("init_params is deterministic for a seed and differs across seeds", "[random][model]") {
  const LinearParams a = init_params(42), b = init_params(42), c = init_params(43);
  CHECK(a.weights == b.weights);
  CHECK(a.bias == b.bias);
  CHECK((a.weights - c.weights).cwiseAbs().maxCoeff() > 0.1f);

  // randn: the book's torch.randn, so mean ~0 and sd ~1 over 784 weights.
  CHECK(a.weights.mean() == Approx(0.0).margin(0.15));
  const float sd = std::sqrt((a.weights.array() - a.weights.mean()).square().mean());
  CHECK(sd == Approx(1.0).margin(0.1));

  // nn.Linear's default: uniform in +-1/sqrt(784) = +-1/28.
  const LinearParams p = init_params(42, Init::pytorch_linear);
  CHECK(p.weights.cwiseAbs().maxCoeff() <= 1.0f / 28.0f);
  CHECK(p.weights.cwiseAbs().maxCoeff() > 0.9f / 28.0f);
  CHECK(std::abs(p.bias) <= 1.0f / 28.0f);
  CHECK(p.weights != init_params(43, Init::pytorch_linear).weights);
}

TEST_CASE("shuffle_indices is a permutation and depends on the stream", "[random]") {
  std::vector<int> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  Rng rng(1);
  std::vector<int> first = identity;
  shuffle_indices(first, rng);
  std::vector<int> second = identity;
  shuffle_indices(second, rng);

  for (const auto* order : {&first, &second}) {
    std::vector<int> sorted = *order;
    std::sort(sorted.begin(), sorted.end());
    CHECK(sorted == identity);  // every index exactly once
    CHECK(*order != identity);
  }
  CHECK(first != second);  // successive epochs get different orders

  Rng same(1);
  std::vector<int> replay = identity;
  shuffle_indices(replay, same);
  CHECK(replay == first);

  // Where index 0 lands is uniform: over 6000 shuffles of 6, each position about 1000 times.
  std::vector<int> landed(6, 0);
  Rng many(2);
  for (int i = 0; i < 6000; ++i) {
    std::vector<int> order = {0, 1, 2, 3, 4, 5};
    shuffle_indices(order, many);
    ++landed[std::find(order.begin(), order.end(), 0) - order.begin()];
  }
  for (int count : landed) CHECK(count == Approx(1000).margin(130));  // sd 29

  std::vector<int> empty, one = {7};
  shuffle_indices(empty, rng);
  shuffle_indices(one, rng);
  CHECK(one == std::vector<int>{7});
}
