#include "data/tar.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

#include "data/inflate.hpp"

namespace mnist_sgd {
namespace {

std::uint32_t read_le32(const std::uint8_t* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint32_t read_be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

// CRC-32 (IEEE), four bytes per step ("slicing by 4"): the archive's 15 MB are checked on every load.
// `crc` is the CRC of the bytes before these (0 for none).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) {
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
  crc ^= 0xffffffffu;
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

GunzipStream::GunzipStream(std::size_t max_output)
    : max_output_(max_output), inflate_(std::make_unique<InflateStream>()) {}
GunzipStream::GunzipStream(GunzipStream&&) noexcept = default;
GunzipStream& GunzipStream::operator=(GunzipStream&&) noexcept = default;
GunzipStream::~GunzipStream() = default;

Result<void> GunzipStream::write(ByteSpan bytes, const ByteReceiver& receive) {
  received_ += bytes.size;
  if (received_ > kMaxArchiveBytes) return Error{"the archive is larger than " + mib(kMaxArchiveBytes)};
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_used_));
  input_used_ = 0;
  input_.insert(input_.end(), bytes.data, bytes.data + bytes.size);
  return inflate_input(/*last=*/false, receive);
}

Result<void> GunzipStream::end(const ByteReceiver& receive) {
  if (received_ == 0) return Error{"the file is empty"};
  if (auto inflated = inflate_input(/*last=*/true, receive); !inflated) return inflated;
  const std::uint8_t* trailer = input_.data() + input_used_;
  if (input_.size() - input_used_ < 8) return Error{"truncated archive: the gzip trailer is missing"};
  if (read_le32(trailer) != crc_ && !kSkipChecksums) return Error{"corrupt archive: gzip checksum mismatch"};
  if (read_le32(trailer + 4) != static_cast<std::uint32_t>(output_size_))
    return Error{"corrupt archive: gzip length mismatch"};
  // Only a whole, checked stream gets to the receiver's last call, which must take all or fail.
  auto taken = receive(inflate_->output(), /*last=*/true);
  if (!taken) return Error{taken.error()};
  return {};
}

Result<void> GunzipStream::read_header(bool last) {
  const std::uint8_t* p = input_.data();
  const std::size_t n = input_.size();
  if (n >= 1 && (p[0] != 0x1f || (n >= 2 && p[1] != 0x8b))) return Error{"not a gzip file (expected a .tgz archive)"};
  if (n < 18) return last ? Error{n < 2 ? "not a gzip file (expected a .tgz archive)" : "truncated gzip file"} : Result<void>();
  if (p[2] != 8) return Error{"unsupported gzip compression method"};

  // Header: fixed 10 bytes, then the optional fields its flags announce.
  const std::uint8_t flags = p[3];
  std::size_t pos = 10;
  auto skip_zero_terminated = [&] {
    while (pos < n && p[pos] != 0) ++pos;
    ++pos;
  };
  if (flags & 0x04) {  // FEXTRA
    if (pos + 2 > n) return last ? Error{"truncated gzip header"} : Result<void>();
    pos += 2 + (p[pos] | (p[pos + 1] << 8));
  }
  if (flags & 0x08) skip_zero_terminated();  // FNAME
  if (flags & 0x10) skip_zero_terminated();  // FCOMMENT
  if (flags & 0x02) pos += 2;                // FHCRC
  if (pos >= n) return last ? Error{"truncated gzip header"} : Result<void>();
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(pos));
  header_read_ = true;
  return {};
}

Result<void> GunzipStream::inflate_input(bool last, const ByteReceiver& receive) {
  if (!header_read_) {
    if (auto header = read_header(last); !header || !header_read_) return header;
  }
  while (!inflated_) {
    const InflateStatus status = inflate_->run({input_.data() + input_used_, input_.size() - input_used_}, last);
    input_used_ += inflate_->input_taken();
    const ByteSpan output = inflate_->output();
    const std::size_t fresh = inflate_->new_output();
    crc_ = crc32(output.data + output.size - fresh, fresh, crc_);
    output_size_ += fresh;
    if (output_size_ > max_output_)
      return Error{"the archive inflates past " + mib(max_output_) + " (not the MNIST sample)"};
    switch (status) {
      case InflateStatus::kOk: inflated_ = true; break;
      case InflateStatus::kNeedInput:
      case InflateStatus::kOutputFull: break;
      case InflateStatus::kTruncated: return Error{"truncated archive: the compressed data ends early"};
      case InflateStatus::kCorrupt: return Error{"corrupt gzip data"};
    }
    // The receiver's last call waits for the trailer's check (in end()).
    auto taken = receive(output, /*last=*/false);
    if (!taken) return Error{taken.error()};
    inflate_->release(*taken);
    if (status == InflateStatus::kNeedInput) return {};
    if (status == InflateStatus::kOutputFull && *taken == 0 && fresh == 0)
      return Error{"the archive holds a record too large to read"};  // the receiver's bound keeps this away
  }
  return {};
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

Result<std::size_t> TarReader::take(ByteSpan bytes, bool last, const OnFile& on_file) {
  constexpr std::size_t kBlock = 512;
  std::size_t pos = 0;
  auto read = [&](std::size_t size) {
    pos += size;
    offset_ += size;
  };
  while (!ended_) {
    if (skipping_ > 0) {
      const std::size_t passed = std::min(skipping_, bytes.size - pos);
      read(passed);
      skipping_ -= passed;
      if (skipping_ > 0) {
        if (last) return Error{"truncated tar archive"};
        break;
      }
    }
    if (bytes.size - pos < kBlock) {
      if (!last) break;
      if (pos == bytes.size && files_ > 0) break;  // some writers omit the end-of-archive blocks
      return Error{"truncated tar archive"};
    }
    const std::uint8_t* header = bytes.data + pos;
    if (std::all_of(header, header + kBlock, [](std::uint8_t b) { return b == 0; })) {
      ended_ = true;
      break;
    }

    std::uint64_t checksum = 0, size = 0;
    if (!parse_octal(header + 148, 8, checksum) || !parse_octal(header + 124, 12, size))
      return Error{"corrupt tar header at byte " + std::to_string(offset_)};
    // The checksum is the sum of the header's bytes, its own 8 counted as spaces.
    std::uint64_t sum = 8 * ' ';
    for (std::size_t i = 0; i < kBlock; ++i) sum += header[i];
    for (std::size_t i = 148; i < 156; ++i) sum -= header[i];
    if (sum != checksum) return Error{"corrupt tar header at byte " + std::to_string(offset_)};
    // No entry is larger than the tar may be (checked before size_t, 32 bits in WebAssembly, holds it).
    if (size > kMaxInflatedBytes) return Error{"truncated tar archive"};
    const std::size_t padded_size = (static_cast<std::size_t>(size) + kBlock - 1) / kBlock * kBlock;

    const char type = static_cast<char>(header[156]);
    const bool path_record = type == 'L' || type == 'x';  // the path of the entry that follows
    const bool regular = type == '0' || type == '\0';
    std::string path = next_path_;
    if (regular && path.empty()) {
      path = field_string(header, 100);
      const std::string prefix = field_string(header + 345, 155);
      if (std::memcmp(header + 257, "ustar", 5) == 0 && !prefix.empty()) path = prefix + "/" + path;
    }
    const bool read_content = path_record || (regular && wants_(path));
    if (read_content && size > max_file_bytes_)
      return Error{(regular ? path : "a tar header") + " is larger than " + std::to_string(max_file_bytes_ >> 10) +
                   " KiB"};
    if (read_content && bytes.size - pos - kBlock < size) {
      if (last) return Error{"truncated tar archive"};
      break;  // the record is read whole, next time
    }

    const ByteSpan content{header + kBlock, read_content ? static_cast<std::size_t>(size) : 0};
    if (!path_record) next_path_.clear();
    if (type == 'L') {
      next_path_ = field_string(content.data, content.size);
    } else if (type == 'x') {
      next_path_ = pax_path(content);
    } else if (regular) {
      ++files_;
      if (read_content)
        if (auto received = on_file(path, content); !received) return Error{received.error()};
    }
    read(kBlock + content.size);
    skipping_ = padded_size - content.size;
  }
  if (ended_) read(bytes.size - pos);  // what follows the end-of-archive blocks is not the tar's
  return pos;
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
