#include "data/gzip.hpp"

#include <string>

#include "data/crc32.hpp"
#include "data/inflate.hpp"

namespace mnist_sgd {
namespace {

std::string mib(std::size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

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
  if (n < 18)
    return last ? Error{n < 2 ? "not a gzip file (expected a .tgz archive)" : "truncated gzip file"} : Result<void>();
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

}  // namespace mnist_sgd
