// The MNIST sample's images: each a PNG of 28x28 grey pixels.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "data/bytes.hpp"

namespace mnist_sgd {

// A PNG that must be 28x28, 8-bit greyscale, not interlaced -> its 784 pixels, row by row, into `pixels`
// (written only when the whole image decodes).
Result<void> decode_digit_png(ByteSpan png, std::uint8_t* pixels);

}  // namespace mnist_sgd
