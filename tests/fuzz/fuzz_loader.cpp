// libFuzzer target over everything that reads untrusted bytes: the .tgz path (gzip -> tar -> PNG -> sample),
// and the tar and PNG readers on their own, since a random mutation rarely survives the gzip checksum.
// Built by the `fuzz` preset (clang, -fsanitize=fuzzer,address,undefined); run with scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "archive.hpp"
#include "mnist_sample.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mnist_sgd::ByteSpan bytes{data, size};
  (void)mnist_sgd::load_mnist_sample(bytes);
  if (auto entries = mnist_sgd::untar(bytes); entries) (void)mnist_sgd::load_mnist_sample(*entries);
  std::vector<std::uint8_t> pixels(mnist_sgd::kImagePixels);
  (void)mnist_sgd::decode_digit_png(bytes, pixels.data());
  return 0;
}
