// fastai's MNIST_SAMPLE (the 3s and 7s of chapter 4), loaded in the seed's order: inside each of
// train/3, train/7, valid/3, valid/7 the files sorted by name (fastai's `.ls().sorted()`); all 3s, then all 7s.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "archive.hpp"
#include "result.hpp"

namespace mnist_sgd {

// The book's tensors: x = stacked images .view(-1, 28*28).float() / 255, y = 1 for a 3 and 0 for a 7.
// Converted once here, so that training streams floats and never converts a pixel again.
struct Dataset {
  std::vector<float> x;  // (n, 784) row-major, pixel order row * 28 + col
  std::vector<float> y;  // (n)
  int size() const { return static_cast<int>(y.size()); }
  const float* image(int i) const { return x.data() + static_cast<std::size_t>(i) * kImagePixels; }
  int count_label(float label) const;
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
