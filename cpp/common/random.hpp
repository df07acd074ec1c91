// The project's own random numbers. std::normal_distribution (and std::shuffle) differ between standard
// libraries, so the native build (libstdc++) and the WebAssembly build (libc++) would draw different
// weights from the same seed. Everything here uses only integer arithmetic and IEEE +, -, *, /, sqrt,
// which give the same bits on every conforming platform (portable_math.hpp).
#pragma once

#include <cstdint>
#include <vector>

namespace mnist_sgd {

// xoshiro256** seeded through splitmix64 (Blackman & Vigna).
class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();
  double uniform();                          // [0, 1), 53 random bits
  std::uint64_t below(std::uint64_t bound);  // [0, bound), unbiased
  double normal();                           // standard normal (Marsaglia's polar method)

 private:
  std::uint64_t state_[4];
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

// Fisher-Yates shuffle of 0..n-1 in place.
void shuffle_indices(std::vector<int>& indices, Rng& rng);

}  // namespace mnist_sgd
