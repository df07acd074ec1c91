#include "archive.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>

// stb_image gives PNG and raw deflate in one header that also compiles to WebAssembly, where no zlib or
// libpng can be fetched. Its allocations go through a cap so that no input can make it allocate without
// bound (a gzip bomb fails with "outofmem" instead of exhausting memory).
namespace {
// The most stb may hold in one buffer: gunzip lowers it to its max_output while it inflates.
thread_local std::size_t allocation_cap = mnist_sgd::kMaxInflatedBytes;
void* capped_realloc(void* p, std::size_t size) { return size > allocation_cap ? nullptr : std::realloc(p, size); }
}  // namespace
#define STBI_MALLOC(size) capped_realloc(nullptr, size)
#define STBI_REALLOC(p, size) capped_realloc(p, size)
#define STBI_FREE(p) std::free(p)
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_image.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace mnist_sgd {
namespace {

std::uint32_t read_le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// CRC-32 (IEEE), four bytes per step ("slicing by 4"): the archive's 15 MB are checked on every load.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  // tables[0] is the classic byte table; tables[k][n] is the CRC of byte n followed by k zero bytes.
  static const std::array<std::array<std::uint32_t, 256>, 4> tables = [] {
    std::array<std::array<std::uint32_t, 256>, 4> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[0][n] = c;
    }
    for (std::uint32_t n = 0; n < 256; ++n)
      for (int k = 1; k < 4; ++k) t[k][n] = t[0][t[k - 1][n] & 0xff] ^ (t[k - 1][n] >> 8);
    return t;
  }();
  std::uint32_t crc = 0xffffffffu;
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4) {
    crc ^= read_le32(data + i);
    crc = tables[3][crc & 0xff] ^ tables[2][(crc >> 8) & 0xff] ^ tables[1][(crc >> 16) & 0xff] ^ tables[0][crc >> 24];
  }
  for (; i < size; ++i) crc = tables[0][(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Fuzzing builds ignore checksums (the libFuzzer convention), so that mutated inputs reach the decoders.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kSkipChecksums = true;
#else
constexpr bool kSkipChecksums = false;
#endif

}  // namespace

Result<std::vector<std::uint8_t>> gunzip(ByteSpan gz, std::size_t max_output) {
  const std::uint8_t* p = gz.data;
  const std::size_t n = gz.size;
  if (n == 0) return Error{"the file is empty"};
  if (n > kMaxArchiveBytes) return Error{"the archive is larger than " + mib(kMaxArchiveBytes)};
  if (n < 2 || p[0] != 0x1f || p[1] != 0x8b) return Error{"not a gzip file (expected a .tgz archive)"};
  if (n < 18) return Error{"truncated gzip file"};
  if (p[2] != 8) return Error{"unsupported gzip compression method"};

  // Header: fixed 10 bytes, then the optional fields its flags announce.
  const std::uint8_t flags = p[3];
  std::size_t pos = 10;
  auto skip_zero_terminated = [&] {
    while (pos < n && p[pos] != 0) ++pos;
    ++pos;
  };
  if (flags & 0x04) {  // FEXTRA
    if (pos + 2 > n) return Error{"truncated gzip header"};
    pos += 2 + (p[pos] | (p[pos + 1] << 8));
  }
  if (flags & 0x08) skip_zero_terminated();  // FNAME
  if (flags & 0x10) skip_zero_terminated();  // FCOMMENT
  if (flags & 0x02) pos += 2;                // FHCRC
  if (pos >= n) return Error{"truncated gzip header"};

  // The trailer's length is only a hint (it is mod 2^32, unchecked until the end, and maybe not the trailer
  // at all in a truncated file), so the first buffer is also held to what deflate can expand n bytes into.
  constexpr std::size_t kDeflateMaxRatio = 1032;
  const std::size_t declared = read_le32(p + n - 4);
  max_output = std::min<std::size_t>(max_output, INT_MAX);  // stb counts in int
  const int initial =
      static_cast<int>(std::max<std::size_t>(std::min({declared, n * kDeflateMaxRatio, max_output}), 1));
  struct CapGuard {
    explicit CapGuard(std::size_t cap) { allocation_cap = cap; }
    ~CapGuard() { allocation_cap = kMaxInflatedBytes; }
  } cap_guard(max_output);

  // stbi__do_zlib is stb_image's own inflate; calling it directly (not the public wrappers) lets us see how
  // much input the deflate stream used, so the gzip trailer is read from where the stream really ends.
  stbi__zbuf z{};
  auto inflate_into = [&](char* buffer, int size, bool expandable) {
    z = stbi__zbuf{};
    z.zbuffer = const_cast<stbi_uc*>(p + pos);
    z.zbuffer_end = const_cast<stbi_uc*>(p + n);
    return stbi__do_zlib(&z, buffer, size, expandable ? 1 : 0, /*parse_header=*/0) != 0;
  };
  // First straight into the result, sized by the trailer (right in any honest file): copying 15 MB out of
  // stb's buffer afterwards cost as much again, fresh memory being slow to touch.
  std::vector<std::uint8_t> out(static_cast<std::size_t>(initial));
  bool inflated = inflate_into(reinterpret_cast<char*>(out.data()), initial, /*expandable=*/false);
  if (inflated) {
    out.resize(static_cast<std::size_t>(z.zout - z.zout_start));
  } else if (std::strcmp(stbi_failure_reason(), "output buffer limit") == 0) {
    // More than the trailer says: again into a buffer stb grows (up to the cap), then copied.
    std::vector<std::uint8_t>().swap(out);
    char* buffer = static_cast<char*>(STBI_MALLOC(initial));
    if (!buffer) return Error{"out of memory inflating the archive"};
    inflated = inflate_into(buffer, initial, /*expandable=*/true);
    if (inflated) out.assign(z.zout_start, z.zout);
    std::free(z.zout_start);
  }
  const std::size_t stream_end = static_cast<std::size_t>(z.zbuffer - p) - z.num_bits / 8;
  const bool input_exhausted = z.zbuffer >= z.zbuffer_end && stream_end + 8 > n;
  if (!inflated) {
    if (input_exhausted) return Error{"truncated archive: the compressed data ends early"};
    if (std::strcmp(stbi_failure_reason(), "outofmem") == 0)
      return Error{"the archive inflates past " + mib(max_output) + " (not the MNIST sample)"};
    return Error{"corrupt gzip data"};
  }
  const std::size_t size = out.size();
  if (stream_end + 8 > n) return Error{"truncated archive: the gzip trailer is missing"};
  if (read_le32(p + stream_end) != crc32(out.data(), out.size()) && !kSkipChecksums)
    return Error{"corrupt archive: gzip checksum mismatch"};
  if (read_le32(p + stream_end + 4) != static_cast<std::uint32_t>(size))
    return Error{"corrupt archive: gzip length mismatch"};
  return out;
}

namespace {

// A tar number: octal digits, possibly space/NUL padded.
bool parse_octal(const std::uint8_t* field, std::size_t width, std::uint64_t& value) {
  value = 0;
  std::size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  bool any = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
    value = value * 8 + (field[i] - '0');
    any = true;
    if (value > (1ull << 40)) return false;
  }
  for (; i < width; ++i)
    if (field[i] != ' ' && field[i] != 0) return false;
  return any;
}

std::string field_string(const std::uint8_t* field, std::size_t width) {
  std::size_t len = 0;
  while (len < width && field[len] != 0) ++len;
  return std::string(reinterpret_cast<const char*>(field), len);
}

// The "path" record of a pax extended header ("<len> path=<value>\n" records), or "".
std::string pax_path(ByteSpan records) {
  const std::string text(reinterpret_cast<const char*>(records.data), records.size);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t space = text.find(' ', pos);
    if (space == std::string::npos) break;
    const std::size_t len = std::strtoul(text.c_str() + pos, nullptr, 10);
    if (len == 0 || pos + len > text.size()) break;
    const std::string record = text.substr(space + 1, pos + len - space - 2);
    if (record.rfind("path=", 0) == 0) return record.substr(5);
    pos += len;
  }
  return "";
}

}  // namespace

Result<std::vector<TarEntry>> untar(ByteSpan tar) {
  constexpr std::size_t kBlock = 512;
  std::vector<TarEntry> entries;
  std::string next_path;  // from a GNU long-name or pax header, for the entry that follows
  std::size_t pos = 0;
  while (true) {
    if (pos + kBlock > tar.size) {
      if (pos == tar.size && !entries.empty()) break;  // some writers omit the end-of-archive blocks
      return Error{"truncated tar archive"};
    }
    const std::uint8_t* header = tar.data + pos;
    if (std::all_of(header, header + kBlock, [](std::uint8_t b) { return b == 0; })) break;

    std::uint64_t checksum = 0, size = 0;
    if (!parse_octal(header + 148, 8, checksum) || !parse_octal(header + 124, 12, size))
      return Error{"corrupt tar header at byte " + std::to_string(pos)};
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : header[i];
    if (sum != checksum) return Error{"corrupt tar header at byte " + std::to_string(pos)};

    const std::size_t content_start = pos + kBlock;
    if (size > tar.size - content_start) return Error{"truncated tar archive"};
    const ByteSpan content{tar.data + content_start, static_cast<std::size_t>(size)};
    pos = content_start + (static_cast<std::size_t>(size) + kBlock - 1) / kBlock * kBlock;

    const char type = static_cast<char>(header[156]);
    if (type == 'L') {
      next_path = field_string(content.data, content.size);
      continue;
    }
    if (type == 'x') {
      next_path = pax_path(content);
      continue;
    }
    std::string path = next_path;
    next_path.clear();
    if (path.empty()) {
      path = field_string(header, 100);
      const std::string prefix = field_string(header + 345, 155);
      if (std::memcmp(header + 257, "ustar", 5) == 0 && !prefix.empty()) path = prefix + "/" + path;
    }
    if (type == '0' || type == '\0') entries.push_back({std::move(path), content});
  }
  return entries;
}

Result<std::vector<std::uint8_t>> decode_digit_png(ByteSpan png) {
  // Check the header ourselves: it gives a precise message, and stb then allocates only 784 bytes.
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size < 33 || std::memcmp(png.data, kSignature, 8) != 0 || std::memcmp(png.data + 12, "IHDR", 4) != 0)
    return Error{"not a PNG image"};
  const std::uint32_t width = read_be32(png.data + 16), height = read_be32(png.data + 20);
  const int bit_depth = png.data[24], colour_type = png.data[25];
  // Every chunk must be whole and pass its CRC: stb_image checks neither, and would decode a damaged file.
  for (std::size_t pos = 8;;) {
    if (pos + 12 > png.size) return Error{"corrupt PNG image: truncated"};
    const std::uint32_t length = read_be32(png.data + pos);
    if (length > png.size - pos - 12) return Error{"corrupt PNG image: truncated"};
    if (read_be32(png.data + pos + 8 + length) != crc32(png.data + pos + 4, length + 4) && !kSkipChecksums)
      return Error{"corrupt PNG image: checksum mismatch"};
    if (std::memcmp(png.data + pos + 4, "IEND", 4) == 0) break;
    pos += 12 + length;
  }
  if (width != kImageSide || height != kImageSide || bit_depth != 8 || colour_type != 0)
    return Error{"image is " + std::to_string(width) + "x" + std::to_string(height) + " " +
                 std::to_string(bit_depth) + "-bit " + (colour_type == 0 ? "grey" : "colour") +
                 ", expected 28x28 8-bit grey"};
  int w = 0, h = 0, channels = 0;
  stbi_uc* pixels = stbi_load_from_memory(png.data, static_cast<int>(png.size), &w, &h, &channels, 1);
  if (!pixels) return Error{"corrupt PNG image"};
  std::vector<std::uint8_t> out(pixels, pixels + kImagePixels);
  stbi_image_free(pixels);
  return out;
}

}  // namespace mnist_sgd
