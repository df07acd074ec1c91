// fastai's MNIST_SAMPLE (the 3s and 7s of chapter 4), loaded in the seed's order: inside each of
// train/3, train/7, valid/3, valid/7 the files sorted by name (fastai's `.ls().sorted()`); all 3s, then all 7s.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive.hpp"
#include "result.hpp"

namespace mnist_sgd {

// n images of 28x28 grey pixels, as stored (0..255); the model reads pixel / 255.
struct Dataset {
  std::vector<std::uint8_t> pixels;  // (n, 784) row-major
  std::vector<std::uint8_t> labels;  // (n): 1 for a 3, 0 for a 7, as in the book
  int size() const { return static_cast<int>(labels.size()); }
  const std::uint8_t* image(int i) const { return pixels.data() + static_cast<std::size_t>(i) * kImagePixels; }
  int count_label(std::uint8_t label) const;
};

struct MnistSample {
  Dataset train;
  Dataset valid;
};

constexpr int kMaxImagesPerSplit = 100000;  // the sample has 12,396 and 2,038

// The sample as fastai ships it: the bytes of mnist_sample.tgz.
Result<MnistSample> load_mnist_sample(ByteSpan tgz);

// The sample from its files, wherever they came from (a tar, a folder): paths relative to any root,
// ending in {train,valid}/{3,7}/NAME.png; other files are ignored.
Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files);

}  // namespace mnist_sgd
