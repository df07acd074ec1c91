#include "fixtures.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_image.h>
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace fixtures {
namespace {

void put_le32(Bytes& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

void write_be32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

// gzip's fixed 10-byte header: deflate, no flags, mtime 0, OS unix.
void put_gzip_header(Bytes& out) {
  const std::uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
  out.insert(out.end(), header, header + 10);
}

// Deflate's bit order: fields least significant bit first, Huffman codes most significant bit first.
class BitWriter {
 public:
  explicit BitWriter(Bytes& out) : out_(out) {}
  void bits(std::uint32_t value, int count) {
    for (int i = 0; i < count; ++i) {
      if (used_ == 0) out_.push_back(0);
      out_.back() |= static_cast<std::uint8_t>(((value >> i) & 1u) << used_);
      used_ = (used_ + 1) & 7;
    }
  }
  void code(std::uint32_t code, int length) {
    for (int i = length - 1; i >= 0; --i) bits((code >> i) & 1u, 1);
  }

 private:
  Bytes& out_;
  int used_ = 0;  // bits used in the last byte
};

// Where the chunk of `type` starts (its length field), or throws.
std::size_t find_chunk(const Bytes& png, const std::string& type) {
  for (std::size_t pos = 8; pos + 12 <= png.size();) {
    const std::uint32_t length = read_be32(png.data() + pos);
    if (std::memcmp(png.data() + pos + 4, type.data(), 4) == 0) return pos;
    pos += 12 + length;
  }
  throw std::runtime_error("fixture PNG has no " + type + " chunk");
}

void fix_chunk_crc(Bytes& png, std::size_t chunk) {
  const std::uint32_t length = read_be32(png.data() + chunk);
  write_be32(png.data() + chunk + 8 + length, crc32(png.data() + chunk + 4, length + 4));
}

void write_octal(std::uint8_t* field, std::size_t width, std::uint64_t value) {
  // width - 1 digits, zero padded, then a NUL.
  for (std::size_t i = width - 1; i-- > 0; value >>= 3) field[i] = static_cast<std::uint8_t>('0' + (value & 7));
  field[width - 1] = 0;
}

// The CRC-32 of `count` zero bytes in O(log count) steps, where a byte loop over 100 MiB takes a while.
// Feeding a zero byte maps the CRC register r to table[r & 0xff] ^ (r >> 8), which is linear over GF(2):
// a 32x32 bit matrix (one column per bit of r). The matrix for 2^k bytes is the square of the one for 2^(k-1).
std::uint32_t crc32_of_zeros(std::size_t count) {
  using Matrix = std::array<std::uint32_t, 32>;
  auto apply = [](const Matrix& m, std::uint32_t r) {
    std::uint32_t out = 0;
    for (int bit = 0; bit < 32; ++bit)
      if (r >> bit & 1u) out ^= m[bit];
    return out;
  };
  Matrix step;  // one zero byte
  for (int bit = 0; bit < 32; ++bit) {
    const std::uint8_t zero = 0;
    // crc32() inverts before and after; undo both to get the bare register update of basis vector `bit`.
    step[bit] = ~crc32(&zero, 1, ~(1u << bit));
  }
  std::uint32_t r = 0xffffffffu;  // the register's initial value
  for (; count > 0; count >>= 1) {
    if (count & 1) r = apply(step, r);
    Matrix squared;
    for (int bit = 0; bit < 32; ++bit) squared[bit] = apply(step, step[bit]);
    step = squared;
  }
  return ~r;
}

}  // namespace

Bytes to_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

Bytes gzip_stored(const Bytes& content) {
  Bytes out;
  put_gzip_header(out);
  std::size_t pos = 0;
  do {  // at least one block, even for empty content
    const std::size_t len = std::min<std::size_t>(content.size() - pos, 65535);
    const bool final = pos + len == content.size();
    out.push_back(final ? 1 : 0);  // BFINAL, BTYPE 00 (stored), then padding to the byte boundary
    out.push_back(static_cast<std::uint8_t>(len));
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(~len));
    out.push_back(static_cast<std::uint8_t>(~len >> 8));
    out.insert(out.end(), content.begin() + pos, content.begin() + pos + len);
    pos += len;
  } while (pos < content.size());
  put_le32(out, crc32(content.data(), content.size()));
  put_le32(out, static_cast<std::uint32_t>(content.size()));
  return out;
}

Bytes gzip_zeros(std::size_t count, long long declared_size) {
  // A literal zero, then copies of 258 bytes from 1 byte back, then the zeros left as literals.
  std::vector<DeflatePiece> pieces;
  std::size_t written = 0;
  if (count > 0) pieces.push_back({0, 0, 0}), ++written;
  for (; count - written >= 258; written += 258) pieces.push_back({0, 258, 1});
  for (; written < count; ++written) pieces.push_back({0, 0, 0});
  Bytes out;
  put_gzip_header(out);
  const Bytes deflated = deflate_fixed(pieces);
  out.insert(out.end(), deflated.begin(), deflated.end());
  put_le32(out, crc32_of_zeros(count));
  put_le32(out, static_cast<std::uint32_t>(declared_size >= 0 ? static_cast<unsigned long long>(declared_size)
                                                              : static_cast<unsigned long long>(count)));
  return out;
}

Bytes deflate_fixed(const std::vector<DeflatePiece>& pieces) {
  // RFC 1951, 3.2.5: each length and distance is a code's base plus its extra bits.
  static constexpr int kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                          31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static constexpr int kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                           2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  static constexpr int kDistanceBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                            33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                            1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
  static constexpr int kDistanceExtra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                             6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
  const auto code_of = [](const int* base, int count, int value) {
    int code = count - 1;
    while (base[code] > value) --code;
    return code;
  };
  Bytes out;
  BitWriter w(out);
  w.bits(1, 1);                                      // BFINAL
  w.bits(1, 2);                                      // BTYPE 01: fixed Huffman codes
  const auto literal_or_length = [&w](int symbol) {  // the fixed code of symbol 0..287
    if (symbol < 144) w.code(0x30 + symbol, 8);
    else if (symbol < 256) w.code(0x190 + symbol - 144, 9);
    else if (symbol < 280) w.code(symbol - 256, 7);
    else w.code(0xc0 + symbol - 280, 8);
  };
  for (const DeflatePiece& piece : pieces) {
    if (piece.length == 0) {
      literal_or_length(piece.literal);
      continue;
    }
    const int length_code = piece.length == 258 ? 28 : code_of(kLengthBase, 28, piece.length);
    literal_or_length(257 + length_code);
    w.bits(static_cast<std::uint32_t>(piece.length - kLengthBase[length_code]), kLengthExtra[length_code]);
    const int distance_code = code_of(kDistanceBase, 30, piece.distance);
    w.code(static_cast<std::uint32_t>(distance_code), 5);
    w.bits(static_cast<std::uint32_t>(piece.distance - kDistanceBase[distance_code]), kDistanceExtra[distance_code]);
  }
  literal_or_length(256);  // end of block
  return out;
}

Bytes tar(const std::vector<TarFile>& files) {
  constexpr std::size_t kBlock = 512;
  Bytes out;
  for (const TarFile& file : files) {
    if (file.path.size() >= 100) throw std::runtime_error("fixture tar paths must be shorter than 100 bytes");
    const bool folder = file.path.back() == '/';
    std::uint8_t header[kBlock] = {};
    std::memcpy(header, file.path.data(), file.path.size());
    write_octal(header + 100, 8, folder ? 0755 : 0644);  // mode
    write_octal(header + 108, 8, 0);                     // uid
    write_octal(header + 116, 8, 0);                     // gid
    write_octal(header + 124, 12, folder ? 0 : file.content.size());
    write_octal(header + 136, 12, 0);  // mtime
    header[156] = folder ? '5' : '0';
    std::memcpy(header + 257, "ustar", 6);  // magic, NUL terminated
    std::memcpy(header + 263, "00", 2);     // version
    // The checksum: the header's byte sum with the checksum field read as spaces; 6 digits, NUL, space.
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (std::uint8_t b : header) sum += b;
    write_octal(header + 148, 7, sum);
    header[155] = ' ';
    out.insert(out.end(), header, header + kBlock);
    if (!folder) {
      out.insert(out.end(), file.content.begin(), file.content.end());
      out.resize((out.size() + kBlock - 1) / kBlock * kBlock, 0);
    }
  }
  out.resize(out.size() + 2 * kBlock, 0);
  return out;
}

Bytes png(int width, int height, int channels, const Bytes& pixels, int row_filter) {
  if (pixels.size() != static_cast<std::size_t>(width) * height * channels)
    throw std::runtime_error("fixture PNG: pixel count does not match its size");
  Bytes out;
  auto append = [](void* context, void* data, int size) {
    auto* bytes = static_cast<const std::uint8_t*>(data);
    static_cast<Bytes*>(context)->insert(static_cast<Bytes*>(context)->end(), bytes, bytes + size);
  };
  stbi_write_force_png_filter = row_filter;
  const bool written = stbi_write_png_to_func(append, &out, width, height, channels, pixels.data(), width * channels);
  stbi_write_force_png_filter = -1;
  if (!written) throw std::runtime_error("fixture PNG: stb_image_write failed");
  return out;
}

Bytes digit_pixels(int n) {
  Bytes pixels(mnist_sgd::kImagePixels);
  for (int i = 0; i < mnist_sgd::kImagePixels; ++i)
    pixels[i] = static_cast<std::uint8_t>((i * (2 * n + 1) + 37 * n) % 256);
  return pixels;
}

Bytes digit_png(int n) { return png(28, 28, 1, digit_pixels(n)); }

Bytes flip_chunk_byte(const Bytes& png, const std::string& type, std::size_t offset, bool fix_crc) {
  Bytes out = png;
  const std::size_t chunk = find_chunk(out, type);
  if (offset >= read_be32(out.data() + chunk)) throw std::runtime_error("fixture PNG: offset past the chunk");
  out[chunk + 8 + offset] ^= 0xff;
  if (fix_crc) fix_chunk_crc(out, chunk);
  return out;
}

void fix_all_crcs(Bytes& png) {
  for (std::size_t pos = 8; pos + 12 <= png.size();) {
    const std::uint32_t length = read_be32(png.data() + pos);
    if (length > png.size() - pos - 12) break;
    fix_chunk_crc(png, pos);
    pos += 12 + length;
  }
}

Bytes with_idat_split(const Bytes& png, std::size_t first_size) {
  const std::size_t chunk = find_chunk(png, "IDAT");
  const std::uint32_t length = read_be32(png.data() + chunk);
  if (first_size > length) throw std::runtime_error("fixture PNG: split past the IDAT chunk");
  const std::size_t split = chunk + 8 + first_size;
  Bytes out(png.begin(), png.begin() + static_cast<long>(split));
  out.insert(out.end(), 12, 0);  // the first chunk's CRC, then the second chunk's length and type
  out.insert(out.end(), png.begin() + static_cast<long>(split), png.end());
  write_be32(out.data() + chunk, static_cast<std::uint32_t>(first_size));
  const std::size_t second = split + 4;
  write_be32(out.data() + second, static_cast<std::uint32_t>(length - first_size));
  std::memcpy(out.data() + second + 4, "IDAT", 4);
  fix_chunk_crc(out, chunk);
  fix_chunk_crc(out, second);
  return out;
}

Bytes with_bit_depth(const Bytes& png, std::uint8_t bit_depth) {
  Bytes out = png;
  const std::size_t chunk = find_chunk(out, "IHDR");
  out[chunk + 8 + 8] = bit_depth;  // IHDR data: width (4), height (4), bit depth, colour type, ...
  fix_chunk_crc(out, chunk);
  return out;
}

std::vector<TarFile> tiny_sample_files() {
  return {
      {"mnist_sample/", {}},
      {"mnist_sample/labels.csv", to_bytes("name,label\ntrain/3/9.png,3\n")},
      {"mnist_sample/train/", {}},
      {"mnist_sample/train/3/", {}},
      {"mnist_sample/train/3/9.png", digit_png(3)},
      {"mnist_sample/train/3/100.png", digit_png(2)},
      {"mnist_sample/train/3/10.png", digit_png(1)},
      {"mnist_sample/train/7/", {}},
      {"mnist_sample/train/7/5.png", digit_png(4)},
      {"mnist_sample/valid/", {}},
      {"mnist_sample/valid/3/", {}},
      {"mnist_sample/valid/3/7.png", digit_png(5)},
      {"mnist_sample/valid/7/", {}},
      {"mnist_sample/valid/7/8.png", digit_png(6)},
  };
}

Bytes tiny_sample_tgz() { return gzip_stored(tar(tiny_sample_files())); }

Bytes decode_png_grey(const Bytes& png, int& width, int& height) {
  int channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(png.data(), static_cast<int>(png.size()), &width, &height, &channels, 1);
  if (!pixels) return {};
  Bytes out(pixels, pixels + static_cast<std::size_t>(width) * height);
  stbi_image_free(pixels);
  return out;
}

}  // namespace fixtures
