// The book's pixel values (book/dataset.hpp's pixel_value) eight at a time, in vector lanes, without a
// division (one at a time, the fast steps look them up in kPixelValues).
#pragma once

#include <cstdint>
#include <cstring>

#include "book/dataset.hpp"
#include "fast/simd.hpp"

#if MNIST_SGD_WIDE
#include <immintrin.h>
#endif

namespace mnist_sgd {

// Four bytes' values at once. 1/255 in binary is 0.00000001 00000001 ... (257 / 2^16 and then the same
// again 2^16 times smaller), so b / 255 = b * 257 / 2^16 + b / 255 / 2^16. The first term is exact in a
// float (b * 257 fits in 17 bits); the second, rounded, is too small for its rounding to reach the sum's
// last bit, and the sum is rounded once: the correctly rounded quotient. Checked for all 256 bytes below.
constexpr float kHigh = 257.0f / 65536.0f;
constexpr float kLow = static_cast<float>(1.0 / 255.0 / 65536.0);
constexpr float quotient_by_parts(float byte) { return byte * kHigh + byte * kLow; }
constexpr bool parts_match_the_book() {
  for (int byte = 0; byte < 256; ++byte)
    if (quotient_by_parts(static_cast<float>(byte)) != kPixelValues.of[byte]) return false;
  return true;
}
static_assert(parts_match_the_book(), "b * 257 / 2^16 + b / 255 / 2^16 is the book's b / 255 for every byte");

// The two factors as vectors, loaded from memory: V8 builds a vector constant afresh at each use, three
// instructions in a loop, where a loaded vector stays in a register (in Chromium, the linear epoch went from
// 2.28 to 2.18 ms). The empty asm hides where the pointer points, so that the compiler cannot fold the loads
// back into constants.
struct ValueParts {
  f32x4 high, low;
};
inline ValueParts value_parts() {
  static constexpr float kParts[2] = {kHigh, kLow};
  const float* parts = kParts;
  __asm__("" : "+r"(parts));
  return {f32x4{} + parts[0], f32x4{} + parts[1]};
}

// The values of 8 bytes, as two vectors of four. The bytes are widened by interleaving them with zeros
// (SSE2 has no single instruction for it, and a plain conversion went byte by byte through the scalar unit).
inline void pixel_values8(const std::uint8_t* bytes, f32x4 (&out)[2], const ValueParts& parts) {
  typedef std::uint8_t u8x16 __attribute__((vector_size(16)));
  typedef std::uint16_t u16x8 __attribute__((vector_size(16)));
  typedef std::uint64_t u64x2 __attribute__((vector_size(16)));
  std::uint64_t word;  // one 8-byte load (through memory into a zeroed vector, it stalled the loop)
  std::memcpy(&word, bytes, sizeof word);
  const u8x16 b = reinterpret_cast<u8x16>(u64x2{word, 0});
  const u8x16 zero8 = {};
  const u16x8 zero16 = {};
  const u16x8 wide = reinterpret_cast<u16x8>(
      __builtin_shufflevector(b, zero8, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23));
  const i32x4 words[2] = {reinterpret_cast<i32x4>(__builtin_shufflevector(wide, zero16, 0, 8, 1, 9, 2, 10, 3, 11)),
                          reinterpret_cast<i32x4>(__builtin_shufflevector(wide, zero16, 4, 12, 5, 13, 6, 14, 7, 15))};
  for (int v = 0; v < 2; ++v) {
    const f32x4 x = __builtin_convertvector(words[v], f32x4);
    out[v] = x * parts.high + x * parts.low;
  }
}

#if MNIST_SGD_WIDE
// The same as one vector of 8, in AVX2 code, which widens 8 bytes to 8 lanes in one instruction (GCC 12
// builds __builtin_convertvector's u8 -> i32 byte by byte).
__attribute__((target("avx2"))) inline void pixel_values8(const std::uint8_t* bytes, f32x8& out) {
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  const f32x8 x = reinterpret_cast<f32x8>(
      _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(word)))));
  out = x * kHigh + x * kLow;  // through a reference: an 8-float value returned to code without AVX changes the ABI
}
#endif

}  // namespace mnist_sgd
