// What the MNIST sample is shipped in: a gzip'd tar of 28x28 grey PNGs. Every decoder here is bounded:
// it reads only the bytes it is given and refuses output past the limits below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "result.hpp"

namespace mnist_sgd {

struct ByteSpan {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

constexpr std::size_t kMaxArchiveBytes = 64u << 20;   // the real archive is 3.2 MB
constexpr std::size_t kMaxInflatedBytes = 64u << 20;  // the real tar is 15 MB

// A gzip file (RFC 1952) -> its content. Checks the CRC-32 and length in the trailer.
Result<std::vector<std::uint8_t>> gunzip(ByteSpan gz, std::size_t max_output = kMaxInflatedBytes);

struct TarEntry {
  std::string path;
  ByteSpan content;  // points into the tar bytes
};

// The regular files of a ustar/GNU/pax tar, in archive order.
Result<std::vector<TarEntry>> untar(ByteSpan tar);

constexpr int kImageSide = 28;
constexpr int kImagePixels = kImageSide * kImageSide;

// A PNG that must be 28x28, 8-bit greyscale, not interlaced -> its 784 pixels, row by row, into `pixels`
// (written only when the whole image decodes).
Result<void> decode_digit_png(ByteSpan png, std::uint8_t* pixels);

}  // namespace mnist_sgd
