// libFuzzer target over everything that reads untrusted bytes: the .tgz path (gzip -> tar -> PNG -> sample),
// whole and in pieces, and the tar and PNG readers on their own, since a random mutation rarely survives
// the gzip checksum.
// Built by the `fuzz` preset (clang, -fsanitize=fuzzer,address,undefined); run with scripts/fuzz.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "archive.hpp"
#include "mnist_sample.hpp"

namespace {

// The bytes arriving in pieces (of 1 to 64 bytes, set by the first byte), as a download gives them: the
// decoder stops and starts again at every piece's end.
void load_in_pieces(const std::uint8_t* data, std::size_t size, mnist_sgd::SampleDecoder::Format format) {
  mnist_sgd::SampleDecoder decoder(format);
  const std::size_t piece = size > 0 ? 1 + data[0] % 64 : 1;
  for (std::size_t pos = 0; pos < size; pos += piece)
    if (!decoder.write({data + pos, std::min(piece, size - pos)})) return;
  (void)decoder.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mnist_sgd::ByteSpan bytes{data, size};
  (void)mnist_sgd::load_mnist_sample(bytes);
  load_in_pieces(data, size, mnist_sgd::SampleDecoder::Format::kTgz);
  load_in_pieces(data, size, mnist_sgd::SampleDecoder::Format::kTar);
  if (auto entries = mnist_sgd::untar(bytes); entries) (void)mnist_sgd::load_mnist_sample(*entries);
  std::vector<std::uint8_t> pixels(mnist_sgd::kImagePixels);
  (void)mnist_sgd::decode_digit_png(bytes, pixels.data());
  return 0;
}
