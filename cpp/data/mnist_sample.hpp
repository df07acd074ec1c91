// fastai's MNIST_SAMPLE (the 3s and 7s of chapter 4), decoded from its archive in the book's order: inside each of
// train/3, train/7, valid/3, valid/7 the files sorted by name (fastai's `.ls().sorted()`); all 3s, then all 7s.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "common/result.hpp"
#include "data/bytes.hpp"
#include "data/gzip.hpp"
#include "data/tar.hpp"

namespace mnist_sgd {

constexpr int kMaxImagesPerSplit = 100000;  // the sample has 12,396 and 2,038

// Loads the sample while its archive arrives (write each piece, then end): inflated, untarred, and each image
// decoded and converted as its bytes come, so that a download and its decoding overlap and the 15 MB tar is
// never held whole. end() then puts the images in the book's order.
class SampleDecoder {
 public:
  SampleDecoder();
  // From its files, wherever they came from: paths relative to any root, ending in
  // {train,valid}/{3,7}/NAME.png; other files are ignored.
  static Result<MnistSample> load_files(const std::vector<TarEntry>& files);

  // The archive's next bytes, and then its end: the sample. After an error, the decoder is of no further use.
  Result<void> write(ByteSpan bytes);
  Result<MnistSample> end();
  int images_read() const { return sample_.train.size() + sample_.valid.size(); }

 private:
  Result<std::size_t> read_tar(ByteSpan tar, bool last);
  Result<void> add_image(const std::string& path, ByteSpan png);
  Result<MnistSample> put_in_order();

  struct NamedImage {
    std::string name;
    int index;  // in its split, in the order read
  };

  GunzipStream gunzip_;
  TarReader tar_;
  std::array<std::vector<NamedImage>, 4> by_folder_;  // train 3s, train 7s, valid 3s, valid 7s
  MnistSample sample_;                                // the images in the order read
};

// The whole sample in one call, from the bytes of mnist_sample.tgz.
Result<MnistSample> load_mnist_sample(ByteSpan tgz);

// The whole sample in one call, from its files (see SampleDecoder::load_files).
Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files);

}  // namespace mnist_sgd
