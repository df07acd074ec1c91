// exp and log from IEEE +, -, *, / and exact scalings alone. libm's versions differ in the last bit between
// glibc (native) and musl (WebAssembly), and those bits would reach the weights; these give the same
// result everywhere, accurate to about 1e-13, far below the float precision the model uses.
#pragma once

#include <cstdint>
#include <cstring>

namespace mnist_sgd {

double portable_log(double x);  // x > 0

// e^x for |x| < 700. Inline: the trainer calls it once per image, and independent calls overlap.
inline double portable_exp(double x) {
  constexpr double kInvLn2 = 1.44269504088896340736;
  constexpr double kLn2High = 0.693147180369123816490;    // ln 2 to 32 bits, so that k * kLn2High is exact
  constexpr double kLn2Low = 1.90821492927058770002e-10;  // the rest of ln 2
  constexpr double kRoundToInteger = 0x1.8p52;            // adding and subtracting it rounds to nearest
  // x = k ln 2 + r with |r| <= ln 2 / 2, so e^x = 2^k e^r.
  const double k = (x * kInvLn2 + kRoundToInteger) - kRoundToInteger;
  const double r = (x - k * kLn2High) - k * kLn2Low;
  // e^r by its Taylor series to r^12 / 12! (Horner): the next term is below 3e-15.
  constexpr double kInverseFactorial[13] = {
      1.0,        1.0,         1.0 / 2,      1.0 / 6,       1.0 / 24,       1.0 / 120,      1.0 / 720,
      1.0 / 5040, 1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600};
  double series = kInverseFactorial[12];
  for (int n = 11; n >= 0; --n) series = series * r + kInverseFactorial[n];
  // 2^k built from its bits: exact, no libm call.
  const std::uint64_t bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + 1023) << 52;
  double scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return series * scale;
}

}  // namespace mnist_sgd
