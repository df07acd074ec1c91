// Four floats as one value (a GCC/Clang vector extension): an SSE register natively, a v128 in WebAssembly,
// where Eigen 3.4 has no SIMD path. The fast steps write their lanes out with these, so that the order of
// every addition, and so every bit of the result, is the same on both.
#pragma once

#include <cstdint>
#include <cstring>

namespace mnist_sgd {

typedef float f32x4 __attribute__((vector_size(16)));
typedef std::int32_t i32x4 __attribute__((vector_size(16)));
constexpr int kLanes = 4;

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
inline f32x4 where_positive(f32x4 test, f32x4 value) {
  const i32x4 positive = test > f32x4{};
  return reinterpret_cast<f32x4>(positive & reinterpret_cast<i32x4>(value));
}

}  // namespace mnist_sgd
