// Four floats as one value (a GCC/Clang vector extension): an SSE register natively, a v128 in WebAssembly,
// where Eigen 3.4 has no SIMD path. The fast steps write their lanes out with these, so that the order of
// every addition, and so every bit of the result, is the same on both. Natively, on an x86-64 processor with
// AVX2, the steps take eight floats at a time instead (f32x8): each lane holds the same sums as before, in
// the same order, and only the reductions across lanes are written for both widths.
#pragma once

#include <cstdint>
#include <cstring>

namespace mnist_sgd {

typedef float f32x4 __attribute__((vector_size(16)));
typedef std::int32_t i32x4 __attribute__((vector_size(16)));
constexpr int kLanes = 4;
typedef float f32x8 __attribute__((vector_size(32)));

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

// The vectors the fast steps take here: 8 floats on an x86-64 processor with AVX2 (asked once), else 4.
inline int fast_lanes() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  static const int lanes = __builtin_cpu_supports("avx2") ? 8 : 4;
  return lanes;
#else
  return 4;
#endif
}

// On the function that instantiates a step for f32x8: compiled for AVX2 (without FMA: a fused multiply-add
// rounds once, and the bits would differ from WebAssembly's), with everything it calls inlined into it, so
// that no AVX2 copy of a shared inline function can end up where the processor has no AVX2.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MNIST_SGD_WIDE 1
#define MNIST_SGD_WIDE_FUNCTION __attribute__((target("avx2"), flatten))
#else
#define MNIST_SGD_WIDE 0
#endif

inline f32x4 load4(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store4(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }

// Before a loop that WebAssembly should keep a loop (clang unrolls and vectorises at -O3): for loops
// outside the hot paths, or walked a few times, whose copies would take the module over its size budget.
#if defined(__clang__)
#define MNIST_SGD_KEEP_LOOP _Pragma("clang loop unroll(disable) vectorize(disable)")
#else
#define MNIST_SGD_KEEP_LOOP
#endif

// The sum of the lanes, in a fixed tree.
inline float sum_lanes(f32x4 v) { return (v[0] + v[2]) + (v[1] + v[3]); }

// Lane by lane: value where test > 0, else 0 (a ReLU's mask).
template <typename V>
inline V where_positive(V test, V value) {
  const auto positive = test > V{};
  return reinterpret_cast<V>(positive & reinterpret_cast<decltype(positive)>(value));
}

}  // namespace mnist_sgd
