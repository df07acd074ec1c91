// Raw deflate (RFC 1951), the one decompressor behind the loader: the archive's 15 MB tar is inflated with
// it as the download arrives (InflateStream), and every PNG's image data is a zlib stream (a ~190-byte one)
// around a deflate stream (inflate).
//
// Our own rather than zlib or miniz, because:
//  - Emscripten's zlib port (-sUSE_ZLIB) is downloaded at build time, which this build cannot do, and a
//    vendored copy of either is third-party C to keep;
//  - the module has a 150 KB budget: the inflater, its code builder, the gzip stream and CRC-32 are about
//    10 KB of it (the functions' sizes in the module); natively they are 23 KB of code against Debian's
//    zlib 1.2.13, 43 KB for the same work (inflate, inffast, inftrees, crc32, adler32, zutil; x86-64 .text);
//  - the loader streams: it inflates each piece of the download as it arrives and stops where a tar record
//    is cut, which this API is shaped for.
// The price is speed: the real archive's 15 MB inflate in 28 ms natively, zlib's in 20 ms (both with their
// CRC-32, best of 15 on the 2-core build machine); the whole sample (gzip, tar, 14,434 PNGs) decodes in
// 87 ms natively and 92 ms in WebAssembly under Node, far below the download it overlaps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/bytes.hpp"

namespace mnist_sgd {

enum class InflateStatus {
  kOk,
  kTruncated,   // the stream needs bytes past the end of the input
  kCorrupt,     // not a valid deflate stream
  kOutputFull,  // it inflates to more than the output holds
  kNeedInput,   // (InflateStream only) it stopped where its input does: give it more
};

struct InflateResult {
  InflateStatus status = InflateStatus::kOk;
  std::size_t output_size = 0;  // bytes written to the output
};

// Inflates the deflate stream at the start of `input` into output[0, capacity). Back-references reach into
// the output itself, so it holds the whole result (no separate window).
InflateResult inflate(ByteSpan input, std::uint8_t* output, std::size_t capacity);

class Inflater;

// A deflate stream inflated as its input arrives, into a window that holds only the last 32 KiB it may
// refer back to and what the caller has not yet released: the whole output is never held at once.
class InflateStream {
 public:
  InflateStream();
  InflateStream(InflateStream&&) noexcept;
  InflateStream& operator=(InflateStream&&) noexcept;
  ~InflateStream();

  // Inflates what `input` allows: the input not taken by earlier runs (see input_taken) and whatever has
  // arrived since; `last` when nothing follows it. kOk once the stream has ended, kNeedInput when it wants
  // more input, kOutputFull when output() must be released first; otherwise an error.
  InflateStatus run(ByteSpan input, bool last);
  // Whole bytes of the last run's input that the stream took: the next run starts after them.
  std::size_t input_taken() const { return input_taken_; }

  // Inflated and not yet released; the bytes that came out of the last run are the last new_output() of it.
  ByteSpan output() const { return {window_.data() + released_, size_ - released_}; }
  std::size_t new_output() const { return new_output_; }
  void release(std::size_t bytes) { released_ += bytes; }

 private:
  std::unique_ptr<Inflater> inflater_;  // where the stream is: in which block, with which codes
  std::vector<std::uint8_t> window_;
  std::size_t released_ = 0;  // window_[0, released_) is history only
  std::size_t size_ = 0;      // window_[0, size_) holds output
  std::size_t new_output_ = 0;
  std::size_t input_taken_ = 0;
  int bit_offset_ = 0;  // bits of the next input's first byte that the stream has already taken
};

}  // namespace mnist_sgd
