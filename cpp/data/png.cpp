#include "data/png.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "data/crc32.hpp"
#include "data/inflate.hpp"

namespace mnist_sgd {
namespace {

constexpr int kRowBytes = 1 + kImageSide;  // each row of the image data starts with its filter type

// PNG's prediction of a byte from the bytes left of it, above it and above-left (section 9.2), by filter type.
int predict(int filter, int left, int above, int above_left) {
  switch (filter) {
    case 1: return left;                // Sub
    case 2: return above;               // Up
    case 3: return (left + above) / 2;  // Average
    case 4: {                           // Paeth: whichever neighbour is closest to left + above - above_left
      const int to_left = std::abs(above - above_left), to_above = std::abs(left - above_left),
                to_above_left = std::abs(left + above - 2 * above_left);
      if (to_left <= to_above && to_left <= to_above_left) return left;
      return to_above <= to_above_left ? above : above_left;
    }
    default: return 0;  // None (decoded without predictions)
  }
}

}  // namespace

Result<void> decode_digit_png(ByteSpan png, std::uint8_t* pixels) {
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size < 33 || std::memcmp(png.data, kSignature, 8) != 0 || read_be32(png.data + 8) != 13 ||
      std::memcmp(png.data + 12, "IHDR", 4) != 0)
    return Error{"not a PNG image"};
  const std::uint32_t width = read_be32(png.data + 16), height = read_be32(png.data + 20);
  const int bit_depth = png.data[24], colour_type = png.data[25], compression = png.data[26], filtering = png.data[27],
            interlace = png.data[28];

  // Every chunk must be whole and pass its CRC (the image data's own Adler-32 is left unchecked, as stb_image
  // left it: the CRCs already cover those bytes). The image data may be split over several IDAT chunks.
  ByteSpan zlib_stream;
  int idat_chunks = 0;
  std::vector<std::uint8_t> joined;  // only from a second IDAT chunk on
  for (std::size_t pos = 8;;) {
    if (pos + 12 > png.size) return Error{"corrupt PNG image: truncated"};
    const std::uint32_t length = read_be32(png.data + pos);
    if (length > png.size - pos - 12) return Error{"corrupt PNG image: truncated"};
    if (read_be32(png.data + pos + 8 + length) != crc32(png.data + pos + 4, length + 4) && !kSkipChecksums)
      return Error{"corrupt PNG image: checksum mismatch"};
    const std::uint8_t* type = png.data + pos + 4;
    const std::uint8_t* data = png.data + pos + 8;
    if (std::memcmp(type, "IEND", 4) == 0) break;
    if (std::memcmp(type, "IDAT", 4) == 0) {
      if (++idat_chunks == 1) {
        zlib_stream = {data, length};
      } else {
        if (idat_chunks == 2) joined.assign(zlib_stream.data, zlib_stream.data + zlib_stream.size);
        joined.insert(joined.end(), data, data + length);
        zlib_stream = {joined.data(), joined.size()};
      }
    } else if (pos > 8 && (type[0] & 0x20) == 0) {  // a critical chunk (upper-case first letter) but IHDR
      return Error{"corrupt PNG image: unexpected critical chunk"};
    }
    pos += 12 + length;
  }
  if (width != kImageSide || height != kImageSide || bit_depth != 8 || colour_type != 0 || interlace != 0)
    return Error{"image is " + std::to_string(width) + "x" + std::to_string(height) + " " + std::to_string(bit_depth) +
                 "-bit " + (colour_type == 0 ? "grey" : "colour") + (interlace != 0 ? " interlaced" : "") +
                 ", expected 28x28 8-bit grey"};
  if (compression != 0 || filtering != 0) return Error{"corrupt PNG image: unknown compression or filter method"};

  if (idat_chunks == 0) return Error{"corrupt PNG image: no image data"};
  // zlib (RFC 1950): deflate, no preset dictionary, header bytes a multiple of 31.
  const std::uint8_t* z = zlib_stream.data;
  if (zlib_stream.size < 2 || (z[0] & 0x0f) != 8 || (z[0] >> 4) > 7 || (z[0] << 8 | z[1]) % 31 != 0 ||
      (z[1] & 0x20) != 0)
    return Error{"corrupt PNG image: bad zlib header"};
  std::uint8_t rows[kImageSide * kRowBytes];
  const InflateResult inflated = inflate({z + 2, zlib_stream.size - 2}, rows, sizeof rows);
  if (inflated.status != InflateStatus::kOk || inflated.output_size != sizeof rows)
    return Error{"corrupt PNG image: bad image data"};
  for (int y = 0; y < kImageSide; ++y)
    if (rows[y * kRowBytes] > 4) return Error{"corrupt PNG image: unknown row filter"};

  static const std::uint8_t kZeros[kImageSide] = {};  // above the first row
  for (int y = 0; y < kImageSide; ++y) {
    const std::uint8_t* filtered = rows + y * kRowBytes + 1;
    std::uint8_t* row = pixels + y * kImageSide;
    const std::uint8_t* above = y > 0 ? row - kImageSide : kZeros;
    const int filter = filtered[-1];
    if (filter == 0) {  // None, as in every row of the sample
      std::memcpy(row, filtered, kImageSide);
      continue;
    }
    for (int x = 0; x < kImageSide; ++x)
      row[x] = static_cast<std::uint8_t>(filtered[x] +
                                         predict(filter, x > 0 ? row[x - 1] : 0, above[x], x > 0 ? above[x - 1] : 0));
  }
  return {};
}

}  // namespace mnist_sgd
