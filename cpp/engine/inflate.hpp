// Raw deflate (RFC 1951), the one decompressor behind the loader: gunzip inflates the 15 MB tar with it,
// and every PNG's image data is a zlib stream (a ~190-byte one) around a deflate stream.
#pragma once

#include <cstddef>
#include <cstdint>

#include "archive.hpp"

namespace mnist_sgd {

enum class InflateStatus {
  kOk,
  kTruncated,   // the stream needs bytes past the end of the input
  kCorrupt,     // not a valid deflate stream
  kOutputFull,  // it inflates to more than the output holds
};

struct InflateResult {
  InflateStatus status = InflateStatus::kOk;
  std::size_t output_size = 0;  // bytes written to the output
  std::size_t input_used = 0;   // bytes of input the stream took (where what follows it, e.g. a trailer, starts)
};

// Inflates the deflate stream at the start of `input` into output[0, capacity). Back-references reach into
// the output itself, so it holds the whole result (no separate window).
InflateResult inflate(ByteSpan input, std::uint8_t* output, std::size_t capacity);

}  // namespace mnist_sgd
