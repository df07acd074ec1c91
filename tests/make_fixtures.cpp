// make_fixtures DIR: writes the bad (and one good) inputs that cli_test.sh feeds to mnist-sgd.
// Built from code at build time, so that no binary fixture is committed. The truncated real archive is
// the one fixture cli_test.sh makes itself, from $MNIST_SAMPLE at test time.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures.hpp"

namespace {

using fixtures::Bytes;

bool write(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) {
    std::fprintf(stderr, "make_fixtures: cannot write %s\n", path.string().c_str());
    return false;
  }
  return true;
}

// The tiny sample with train/7/bad.png added.
Bytes tiny_sample_with_bad_png(const Bytes& png) {
  auto files = fixtures::tiny_sample_files();
  files.push_back({"mnist_sample/train/7/bad.png", png});
  return fixtures::gzip_stored(fixtures::tar(files));
}

// n lines of parameters: value(i) for line i (0-based).
template <typename Value>
Bytes params_text(int n, Value value) {
  std::string text;
  for (int i = 0; i < n; ++i) text += value(i) + "\n";
  return fixtures::to_bytes(text);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fixtures DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::fprintf(stderr, "make_fixtures: cannot make %s: %s\n", dir.string().c_str(), error.message().c_str());
    return 1;
  }

  const auto small = [](int) { return std::string("0.01"); };
  const bool ok =
      write(dir / "tiny.tgz", fixtures::tiny_sample_tgz()) &&  // a valid sample, one to three images a folder
      write(dir / "empty.tgz", {}) &&
      write(dir / "not-gzip.tgz", fixtures::to_bytes("this is a text file, not a .tgz archive\n")) &&
      write(dir / "no-class-folders.tgz",
            fixtures::gzip_stored(fixtures::tar({{"photos/", {}},
                                                 {"photos/README.txt", fixtures::to_bytes("hello\n")},
                                                 {"photos/cat.png", fixtures::digit_png(1)}}))) &&
      write(dir / "png-28x29.tgz", tiny_sample_with_bad_png(fixtures::png(28, 29, 1, Bytes(28 * 29, 128)))) &&
      write(dir / "png-rgb.tgz", tiny_sample_with_bad_png(fixtures::png(28, 28, 3, Bytes(28 * 28 * 3, 128)))) &&
      write(dir / "png-corrupt.tgz",
            tiny_sample_with_bad_png(fixtures::flip_chunk_byte(fixtures::digit_png(2), "IDAT", 10, false))) &&
      write(dir / "bomb.tgz", fixtures::gzip_zeros(std::size_t{100} << 20)) &&  // 100 MiB of zeros
      write(dir / "params-784.txt", params_text(784, small)) &&
      write(dir / "params-not-numbers.txt",
            params_text(785, [](int i) { return std::string(i == 2 ? "zero point one" : "0.01"); })) &&
      write(dir / "params-nan.txt", params_text(785, [](int i) { return std::string(i == 9 ? "nan" : "0.01"); })) &&
      // Weights of +-3e38: z overflows to +inf and -inf in one dot product, and inf - inf makes the loss NaN.
      write(dir / "params-overflowing.txt", params_text(785, [](int i) {
              return std::string(i == 784 ? "0" : i % 2 == 0 ? "3e38" : "-3e38");
            }));
  return ok ? 0 : 1;
}
