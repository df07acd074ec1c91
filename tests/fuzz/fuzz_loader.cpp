// libFuzzer target over everything that reads untrusted bytes: the .tgz path (gzip -> tar -> PNG -> sample),
// whole and in pieces, and the tar and PNG readers on their own, since a random mutation rarely survives
// the gzip checksum.
// Built by the `fuzz` preset (clang, -fsanitize=fuzzer,address,undefined); run with scripts/fuzz.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/mnist_sample.hpp"
#include "data/png.hpp"
#include "decoders.hpp"

namespace {

// The piece size (1 to 64 bytes, set by the first byte) in which the bytes arrive, as a download gives them:
// the decoders stop and start again at every piece's end.
std::size_t piece_size(const std::uint8_t* data, std::size_t size) { return size > 0 ? 1 + data[0] % 64 : 1; }

void load_in_pieces(const std::uint8_t* data, std::size_t size) {
  mnist_sgd::SampleDecoder decoder;
  const std::size_t piece = piece_size(data, size);
  for (std::size_t pos = 0; pos < size; pos += piece)
    if (!decoder.write({data + pos, std::min(piece, size - pos)})) return;
  (void)decoder.end();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mnist_sgd::ByteSpan bytes{data, size};
  (void)mnist_sgd::load_mnist_sample(bytes);
  load_in_pieces(data, size);
  std::vector<std::vector<std::uint8_t>> storage;
  if (auto entries = test_decoders::untar_in_pieces(bytes, piece_size(data, size), storage); entries)
    (void)mnist_sgd::load_mnist_sample(*entries);
  if (auto entries = test_decoders::untar(bytes); entries) (void)mnist_sgd::load_mnist_sample(*entries);
  std::vector<std::uint8_t> pixels(mnist_sgd::kImagePixels);
  (void)mnist_sgd::decode_digit_png(bytes, pixels.data());
  return 0;
}
