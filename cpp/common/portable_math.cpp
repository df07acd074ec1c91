#include "common/portable_math.hpp"

#include <cmath>

namespace mnist_sgd {
namespace {
constexpr double kLn2 = 0.69314718055994530942;
}  // namespace

double portable_log(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(t), t = (m - 1) / (m + 1), |t| < 0.172,
  // whose series t + t^3/3 + t^5/5 + ... is below double precision after 13 terms.
  int e = 0;
  double m = std::frexp(x, &e);  // exact
  if (m < 0.70710678118654752) {
    m *= 2.0;
    e -= 1;
  }
  const double t = (m - 1.0) / (m + 1.0);
  const double t2 = t * t;
  double power = t;
  double series = 0.0;
  for (int k = 1; k <= 25; k += 2) {
    series += power / k;
    power *= t2;
  }
  return 2.0 * series + e * kLn2;
}

}  // namespace mnist_sgd
