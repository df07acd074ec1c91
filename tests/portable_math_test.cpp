// portable_math: exp and log from +, -, *, / alone, held to the platform's libm.
#include "common/portable_math.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "common/torch_random.hpp"

using namespace mnist_sgd;

TEST_CASE("portable_log agrees with std::log to 1e-14 relative", "[portable_math]") {
  // Powers spread over the whole double range, and the values Box-Muller feeds it: 1 - u in (0, 1].
  TorchGenerator generator(5);
  std::vector<double> xs = {1.0, 2.0, 0.5, 0.7071067811865476, 1.4142135623730951, 1e-300, 1e300, 4.9e-324};
  for (int i = 0; i < 20000; ++i) xs.push_back(std::exp((torch::uniform_double(generator) - 0.5) * 1400.0));
  for (int i = 0; i < 20000; ++i) xs.push_back(torch::uniform_double(generator) + 0x1.0p-60);
  for (int i = 0; i < 2000; ++i) xs.push_back(1.0 + (torch::uniform_double(generator) - 0.5) * 1e-6);  // log(x) near 0
  double worst = 0.0, worst_x = 0.0;
  for (double x : xs) {
    const double expected = std::log(x);
    const double error = std::abs(portable_log(x) - expected) / std::max(std::abs(expected), 1e-300);
    if (error > worst) worst = error, worst_x = x;
  }
  INFO("worst at x = " << worst_x << ": portable_log " << portable_log(worst_x) << ", std::log " << std::log(worst_x));
  CHECK(worst < 1e-14);  // measured: about 7e-16, a few ulps
}

TEST_CASE("portable_exp agrees with std::exp to 1e-14 relative over the sigmoid's range", "[portable_math]") {
  TorchGenerator generator(6);
  std::vector<double> xs = {0.0, 1.0, -1.0, 0.34657359027997264, 699.0, -699.0, 1e-12, -1e-300};
  for (int i = 0; i < 40000; ++i) xs.push_back((torch::uniform_double(generator) - 0.5) * 1398.0);
  for (int i = 0; i < 10000; ++i) xs.push_back((torch::uniform_double(generator) - 0.5) * 2.0);
  double worst = 0.0, worst_x = 0.0;
  for (double x : xs) {
    const double expected = std::exp(x);
    const double error = std::abs(portable_exp(x) - expected) / expected;
    if (error > worst) worst = error, worst_x = x;
  }
  INFO("worst at x = " << worst_x << ": portable_exp " << portable_exp(worst_x) << ", std::exp " << std::exp(worst_x));
  CHECK(worst < 1e-14);  // measured: about 3e-16, a couple of ulps
}
