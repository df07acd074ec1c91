// arithmetic-peak: how many floating-point multiplies and adds one thread of this machine does per second, for
// scripts/bench's floor of simple_net's epoch, which is bound by arithmetic rather than by memory.
//
//   arithmetic-peak     prints one line, e.g. "103.4 GFLOP/s in vectors of 16 floats, 103.4 in vectors of 8,
//                       51.5 in vectors of 4, one thread, no FMA" (the widths this processor has)
//
// As the engine computes: a multiply and then an add, never fused (a fused multiply-add rounds once, and the
// native bits would differ from WebAssembly's); in vectors of 16 and 8 floats (AVX-512 and AVX2, where the
// processor has them, as the native steps) and of 4 (as WebAssembly SIMD). Two multipliers and two adders of three
// cycles each (this AMD EPYC) need 12 independent chains to stay busy; with exactly 12 the vectors of 4 reached 39 of
// their 51 GFLOP/s, with 14 all of it. The best of 11 passes is kept: noise only ever makes a pass slower.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "fast/simd.hpp"

namespace {

constexpr int kChains = 14;
constexpr long kIterations = 20'000'000;  // about 0.1 s a pass at 100 GFLOP/s
constexpr int kPasses = 11;

volatile float sink;
volatile float multiplier = 0.999999f, addend = 0.000001f;

// x = x * m + a in kChains chains: 2 FLOPs per lane per chain and iteration. m and a keep x near 1.
template <typename V>
[[gnu::always_inline]] inline float chains() {
  V x[kChains];
  for (int c = 0; c < kChains; ++c) x[c] = V{} + 1.0f + 0.001f * static_cast<float>(c);
  const V m = V{} + multiplier, a = V{} + addend;  // read at run time, so that nothing is folded
  for (long i = 0; i < kIterations; ++i)
    for (int c = 0; c < kChains; ++c) x[c] = x[c] * m + a;
  V sum = {};
  for (int c = 0; c < kChains; ++c) sum += x[c];
  return sum[0];
}

// GFLOP/s of the best pass of run().
template <int kLanes, typename Run>
double best_gflops(Run run) {
  double best = 1e30;
  for (int pass = 0; pass < kPasses; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    sink = run();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best = std::min(best, elapsed.count());
  }
  return 2.0 * kLanes * kChains * static_cast<double>(kIterations) / best / 1e9;
}

#if MNIST_SGD_WIDE
__attribute__((target("avx512f"), flatten)) float chains16() { return chains<mnist_sgd::f32x16>(); }
MNIST_SGD_WIDE_FUNCTION float chains8() { return chains<mnist_sgd::f32x8>(); }
// As V8 compiles WebAssembly SIMD on a processor with AVX: VEX-encoded.
MNIST_SGD_WIDE_FUNCTION float chains4() { return chains<mnist_sgd::f32x4>(); }
#else
float chains4() { return chains<mnist_sgd::f32x4>(); }
#endif

}  // namespace

int main(int argc, char**) {
  if (argc != 1) {
    std::fprintf(stderr, "usage: arithmetic-peak\n");
    return 2;
  }
  const int lanes = mnist_sgd::fast_lanes();
#if MNIST_SGD_WIDE
  if (lanes >= 16) std::printf("%.1f GFLOP/s in vectors of 16 floats, ", best_gflops<16>(chains16));
  if (lanes >= 8) std::printf("%.1f%s in vectors of 8, ", best_gflops<8>(chains8), lanes == 8 ? " GFLOP/s" : "");
#endif
  std::printf("%.1f%s in vectors of 4, one thread, no FMA\n", best_gflops<4>(chains4), lanes == 4 ? " GFLOP/s" : "");
  return 0;
}
