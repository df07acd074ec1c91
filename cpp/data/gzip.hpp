// How the MNIST sample is shipped: a gzip'd tar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "common/result.hpp"
#include "data/bytes.hpp"

namespace mnist_sgd {

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

}  // namespace mnist_sgd
