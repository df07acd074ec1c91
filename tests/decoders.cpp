#include "decoders.hpp"

#include <algorithm>

namespace test_decoders {

using mnist_sgd::ByteSpan;
using mnist_sgd::Error;
using mnist_sgd::Result;
using mnist_sgd::TarEntry;

Result<std::vector<std::uint8_t>> gunzip(ByteSpan gz, std::size_t max_output) {
  mnist_sgd::GunzipStream stream(max_output);
  std::vector<std::uint8_t> content;
  const mnist_sgd::ByteReceiver keep = [&content](ByteSpan bytes, bool) -> Result<std::size_t> {
    content.insert(content.end(), bytes.data, bytes.data + bytes.size);
    return bytes.size;
  };
  if (auto written = stream.write(gz, keep); !written) return Error{written.error()};
  if (auto ended = stream.end(keep); !ended) return Error{ended.error()};
  return content;
}

Result<std::vector<TarEntry>> untar(ByteSpan tar) {
  std::vector<TarEntry> entries;
  mnist_sgd::TarReader reader([](const std::string&) { return true; }, tar.size);
  auto taken = reader.take(tar, /*last=*/true, [&entries](const std::string& path, ByteSpan content) -> Result<void> {
    entries.push_back({path, content});
    return {};
  });
  if (!taken) return Error{taken.error()};
  return entries;
}

Result<std::vector<TarEntry>> untar_in_pieces(ByteSpan tar, std::size_t piece,
                                              std::vector<std::vector<std::uint8_t>>& storage) {
  std::vector<std::pair<std::string, std::size_t>> files;  // path, index in storage
  mnist_sgd::TarReader reader([](const std::string&) { return true; }, tar.size);
  const mnist_sgd::TarReader::OnFile keep = [&](const std::string& path, ByteSpan content) -> Result<void> {
    storage.emplace_back(content.data, content.data + content.size);
    files.emplace_back(path, storage.size() - 1);
    return {};
  };
  // Records are read whole: what a piece ends in the middle of waits for the next one.
  std::vector<std::uint8_t> unread;
  for (std::size_t pos = 0; pos < tar.size; pos += piece) {
    unread.insert(unread.end(), tar.data + pos, tar.data + std::min(pos + piece, tar.size));
    auto taken = reader.take({unread.data(), unread.size()}, /*last=*/false, keep);
    if (!taken) return Error{taken.error()};
    unread.erase(unread.begin(), unread.begin() + static_cast<std::ptrdiff_t>(*taken));
  }
  auto taken = reader.take({unread.data(), unread.size()}, /*last=*/true, keep);
  if (!taken) return Error{taken.error()};
  std::vector<TarEntry> entries;
  for (const auto& [path, index] : files) entries.push_back({path, {storage[index].data(), storage[index].size()}});
  return entries;
}

}  // namespace test_decoders
