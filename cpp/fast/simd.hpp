// Four floats as one value (a GCC/Clang vector extension): an SSE register natively, a v128 in WebAssembly,
// where Eigen 3.4 has no SIMD path. The fast steps write their lanes out with these, so that the order of
// every addition, and so every bit of the result, is the same on both. Natively, on an x86-64 processor with
// AVX2, the steps take eight floats at a time instead (f32x8), and simple_net's sixteen with AVX-512 (f32x16):
// each lane holds the same sums as before, in the same order, and only the reductions across lanes are
// written for every width.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "common/keep_loop.hpp"

namespace mnist_sgd {

typedef float f32x4 __attribute__((vector_size(16)));
typedef std::int32_t i32x4 __attribute__((vector_size(16)));
constexpr int kLanes = 4;
typedef float f32x8 __attribute__((vector_size(32)));
typedef float f32x16 __attribute__((vector_size(64)));

template <typename V>
constexpr int kLanesOf = sizeof(V) / sizeof(float);

template <typename V>
inline V load(const float* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <typename V>
inline void store(float* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// The widest vectors the fast steps take here: 16 floats on an x86-64 processor with AVX-512, 8 with AVX2
// (asked once), else 4.
inline int fast_lanes() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const int lanes = __builtin_cpu_supports("avx512f") ? 16 : __builtin_cpu_supports("avx2") ? 8 : 4;
  return lanes;
#else
  return 4;
#endif
}

// Names a vector type without holding one: a vector of 8 or 16 passed between code built for AVX and code
// that is not changes the ABI, which clang refuses.
template <typename V>
struct VectorsOf {
  using type = V;
};

// A step written once for vectors V of any width runs as step(VectorsOf<V>{}): in the widest vectors, up to kMost
// floats, that `lanes` asks for and the processor has. A wide call is compiled for AVX2 or AVX-512 with
// everything it calls inlined into it, so that no such copy of a shared inline function can end up where the
// processor lacks it. Never with a fused multiply-add (-ffp-contract=off): it rounds once, and the bits would
// differ from WebAssembly's. On this project's AMD EPYC, AVX-512 made simple_net's native epoch 7.4-8.2 ms
// against AVX2's 7.4-10 (AVX2's was slower in about half of the runs; its peak is the same).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MNIST_SGD_WIDE 1
#define MNIST_SGD_WIDE_FUNCTION __attribute__((target("avx2"), flatten))
template <typename Step>
MNIST_SGD_WIDE_FUNCTION float run_wide(Step step) {
  return step(VectorsOf<f32x8>{});
}
template <typename Step>
__attribute__((target("avx512f"), flatten)) float run_widest(Step step) {
  return step(VectorsOf<f32x16>{});
}
#else
#define MNIST_SGD_WIDE 0
#endif

template <int kMost, typename Step>
float run_in_lanes(int lanes, Step step) {
#if MNIST_SGD_WIDE
  if constexpr (kMost >= 16)
    if (lanes >= 16 && fast_lanes() >= 16) return run_widest(step);
  if (lanes >= 8 && fast_lanes() >= 8) return run_wide(step);
#endif
  (void)lanes;
  return step(VectorsOf<f32x4>{});
}

// `floats` floats of `buffer`, starting at a cache line (64 bytes): malloc aligns to 16 bytes only, and a
// vector of 8 or 16 that straddles two lines loads slower.
inline float* cache_aligned(std::vector<float>& buffer, std::size_t floats) {
  constexpr std::size_t kLine = 64 / sizeof(float);
  buffer.resize(floats + kLine - 1);
  const auto address = reinterpret_cast<std::uintptr_t>(buffer.data());
  return buffer.data() + (kLine - address / sizeof(float) % kLine) % kLine;
}

inline f32x4 load4(const float* p) { return load<f32x4>(p); }
inline void store4(float* p, f32x4 v) { store(p, v); }

// The sum of the lanes, in a fixed tree.
inline float sum_lanes(f32x4 v) { return (v[0] + v[2]) + (v[1] + v[3]); }

// Whether the n floats at values are all finite: none has an exponent of all ones (an infinity or a NaN),
// tested four at a time without a branch. The trainer asks after every step; Eigen's allFinite, one float at
// a time in WebAssembly (Eigen has no SIMD path there), took 0.55 ms of simple_net's 12.4 ms epoch under Node.
__attribute__((noinline)) inline bool all_finite(const float* values, std::size_t n) {
  const auto special = [](const float* four) {
    constexpr std::int32_t kExponent = 0x7f800000;
    i32x4 bits;
    std::memcpy(&bits, four, sizeof bits);
    return (bits & kExponent) == kExponent;
  };
  i32x4 any = {};
  const std::size_t whole = n / kLanes * kLanes;
  MNIST_SGD_KEEP_LOOP
  for (std::size_t i = 0; i < whole; i += kLanes) any |= special(values + i);
  float rest[kLanes] = {};  // the last 0 to 3, beside zeros
  std::memcpy(rest, values + whole, (n - whole) * sizeof(float));
  any |= special(rest);
  return (any[0] | any[1] | any[2] | any[3]) == 0;
}

// Lane by lane: value where test > 0, else 0 (a ReLU's mask).
template <typename V>
inline V where_positive(V test, V value) {
  const auto positive = test > V{};
  return reinterpret_cast<V>(positive & reinterpret_cast<decltype(positive)>(value));
}

}  // namespace mnist_sgd
