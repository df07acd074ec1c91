// Bytes as the decoders read them, and the most they accept: every decoder here reads only the bytes it is
// given and refuses output past these limits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnist_sgd {

struct ByteSpan {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

constexpr std::size_t kMaxArchiveBytes = 64u << 20;   // the real archive is 3.2 MB
constexpr std::size_t kMaxInflatedBytes = 64u << 20;  // the real tar is 15 MB

inline std::uint32_t read_le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

inline std::uint32_t read_be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

}  // namespace mnist_sgd
