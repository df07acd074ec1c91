#include "data/tar.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace mnist_sgd {
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

}  // namespace mnist_sgd
