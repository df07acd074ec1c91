#include "archive.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "inflate.hpp"

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

  // Straight into the result, sized by the trailer's length (right in any honest file). That length is
  // only a hint (mod 2^32, unchecked until the end, maybe not a trailer at all in a truncated file), so the
  // buffer is also held to what deflate can expand the input into; if the data is longer than the trailer
  // says, it is inflated again into buffers twice as large each time, so that memory stays within twice
  // what the data really holds.
  constexpr std::size_t kDeflateMaxRatio = 1032;
  const ByteSpan deflate_stream{p + pos, n - pos};
  const std::size_t largest = n < max_output / kDeflateMaxRatio ? n * kDeflateMaxRatio : max_output;
  std::vector<std::uint8_t> out(std::max<std::size_t>(std::min<std::size_t>(read_le32(p + n - 4), largest), 1));
  InflateResult inflated = inflate(deflate_stream, out.data(), out.size());
  while (inflated.status == InflateStatus::kOutputFull && out.size() < largest) {
    out.assign(std::min(2 * out.size(), largest), 0);
    inflated = inflate(deflate_stream, out.data(), out.size());
  }
  switch (inflated.status) {
    case InflateStatus::kOk: break;
    case InflateStatus::kTruncated: return Error{"truncated archive: the compressed data ends early"};
    case InflateStatus::kOutputFull:
      return Error{"the archive inflates past " + mib(max_output) + " (not the MNIST sample)"};
    case InflateStatus::kCorrupt: return Error{"corrupt gzip data"};
  }
  out.resize(inflated.output_size);
  const std::size_t stream_end = pos + inflated.input_used;
  if (stream_end + 8 > n) return Error{"truncated archive: the gzip trailer is missing"};
  if (read_le32(p + stream_end) != crc32(out.data(), out.size()) && !kSkipChecksums)
    return Error{"corrupt archive: gzip checksum mismatch"};
  if (read_le32(p + stream_end + 4) != static_cast<std::uint32_t>(out.size()))
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
    // The checksum is the sum of the header's bytes, its own 8 counted as spaces.
    std::uint64_t sum = 8 * ' ';
    for (std::size_t i = 0; i < kBlock; ++i) sum += header[i];
    for (std::size_t i = 148; i < 156; ++i) sum -= header[i];
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

namespace {

constexpr int kRowBytes = 1 + kImageSide;  // each row of the image data starts with its filter type

// PNG's prediction of a byte from the bytes left of it, above it and above-left (section 9.2), by filter type.
int predict(int filter, int left, int above, int above_left) {
  switch (filter) {
    case 1: return left;                  // Sub
    case 2: return above;                 // Up
    case 3: return (left + above) / 2;    // Average
    case 4: {                             // Paeth: whichever neighbour is closest to left + above - above_left
      const int to_left = std::abs(above - above_left), to_above = std::abs(left - above_left),
                to_above_left = std::abs(left + above - 2 * above_left);
      if (to_left <= to_above && to_left <= to_above_left) return left;
      return to_above <= to_above_left ? above : above_left;
    }
    default: return 0;                    // None (decoded without predictions)
  }
}

}  // namespace

Result<void> decode_digit_png(ByteSpan png, std::uint8_t* pixels) {
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size < 33 || std::memcmp(png.data, kSignature, 8) != 0 || read_be32(png.data + 8) != 13 ||
      std::memcmp(png.data + 12, "IHDR", 4) != 0)
    return Error{"not a PNG image"};
  const std::uint32_t width = read_be32(png.data + 16), height = read_be32(png.data + 20);
  const int bit_depth = png.data[24], colour_type = png.data[25], compression = png.data[26],
            filtering = png.data[27], interlace = png.data[28];

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
    return Error{"image is " + std::to_string(width) + "x" + std::to_string(height) + " " +
                 std::to_string(bit_depth) + "-bit " + (colour_type == 0 ? "grey" : "colour") +
                 (interlace != 0 ? " interlaced" : "") + ", expected 28x28 8-bit grey"};
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
      row[x] = static_cast<std::uint8_t>(
          filtered[x] + predict(filter, x > 0 ? row[x - 1] : 0, above[x], x > 0 ? above[x - 1] : 0));
  }
  return {};
}

}  // namespace mnist_sgd
