// The MNIST sample's files: a tar inside the gzip.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "common/result.hpp"
#include "data/bytes.hpp"

namespace mnist_sgd {

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
  std::size_t offset_ = 0;    // of bytes[0] in the tar
  std::size_t skipping_ = 0;  // bytes still to pass of content nobody wants
  std::string next_path_;     // from a GNU long-name or pax header, for the entry that follows
  int files_ = 0;
  bool ended_ = false;  // after the end-of-archive blocks: nothing more is read
};

}  // namespace mnist_sgd
