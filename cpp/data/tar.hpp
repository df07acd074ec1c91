// What the MNIST sample is shipped in: a gzip'd tar of 28x28 grey PNGs. Every decoder here is bounded:
// it reads only the bytes it is given and refuses output past the limits below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mnist_sgd {

struct ByteSpan {
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
};

constexpr std::size_t kMaxArchiveBytes = 64u << 20;   // the real archive is 3.2 MB
constexpr std::size_t kMaxInflatedBytes = 64u << 20;  // the real tar is 15 MB

// Where a stream hands its bytes as they come: the receiver takes what it can of `bytes` and says how much;
// the rest comes again, followed by more. `last`: nothing more follows, and the receiver takes all or fails.
using ByteReceiver = std::function<Result<std::size_t>(ByteSpan bytes, bool last)>;

class InflateStream;

// A gzip file (RFC 1952) inflated as its bytes arrive: write() each piece, then end(), which checks the
// CRC-32 and the length in the trailer before the receiver gets its last call.
class GunzipStream {
 public:
  explicit GunzipStream(std::size_t max_output = kMaxInflatedBytes);
  GunzipStream(GunzipStream&&) noexcept;
  GunzipStream& operator=(GunzipStream&&) noexcept;
  ~GunzipStream();

  Result<void> write(ByteSpan bytes, const ByteReceiver& receive);
  Result<void> end(const ByteReceiver& receive);

 private:
  Result<void> inflate_input(bool last, const ByteReceiver& receive);
  Result<void> read_header(bool last);

  std::size_t max_output_;
  std::unique_ptr<InflateStream> inflate_;
  std::vector<std::uint8_t> input_;  // arrived; the first input_used_ bytes are taken
  std::size_t input_used_ = 0;
  std::size_t received_ = 0;
  bool header_read_ = false;
  bool inflated_ = false;  // the deflate stream has ended
  std::uint32_t crc_ = 0;
  std::size_t output_size_ = 0;
};

struct TarEntry {
  std::string path;
  ByteSpan content;  // points into the tar bytes
};

// A tar (ustar, GNU or pax) read as its bytes arrive. take() hands each regular file that `wants` names to
// `on_file`, whole (content valid during the call); the content of other files is skipped as it passes, so
// that a large file costs no memory.
class TarReader {
 public:
  using Wants = bool (*)(const std::string& path);
  using OnFile = std::function<Result<void>(const std::string& path, ByteSpan content)>;

  // Files that `wants` names may be up to max_file_bytes long (a bound the caller's buffer can keep).
  TarReader(Wants wants, std::size_t max_file_bytes) : wants_(wants), max_file_bytes_(max_file_bytes) {}

  // Reads the whole records at the start of `bytes` and says how many bytes they took; `last`: the tar
  // ends with them.
  Result<std::size_t> take(ByteSpan bytes, bool last, const OnFile& on_file);

 private:
  Wants wants_;
  std::size_t max_file_bytes_;
  std::size_t offset_ = 0;     // of bytes[0] in the tar
  std::size_t skipping_ = 0;   // bytes still to pass of content nobody wants
  std::string next_path_;      // from a GNU long-name or pax header, for the entry that follows
  int files_ = 0;
  bool ended_ = false;         // after the end-of-archive blocks: nothing more is read
};

constexpr int kImageSide = 28;
constexpr int kImagePixels = kImageSide * kImageSide;

// A PNG that must be 28x28, 8-bit greyscale, not interlaced -> its 784 pixels, row by row, into `pixels`
// (written only when the whole image decodes).
Result<void> decode_digit_png(ByteSpan png, std::uint8_t* pixels);

}  // namespace mnist_sgd
