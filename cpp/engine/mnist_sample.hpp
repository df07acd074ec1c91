// fastai's MNIST_SAMPLE (the 3s and 7s of chapter 4), loaded in the seed's order: inside each of
// train/3, train/7, valid/3, valid/7 the files sorted by name (fastai's `.ls().sorted()`); all 3s, then all 7s.
#pragma once

#include <cstdint>
#include <memory>
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

// Decodes the sample a batch of images at a time, so that a caller can show progress (and, in a browser,
// so that the engine's optimised code takes over between calls: V8 swaps it in only at a call boundary).
class SampleDecoder {
 public:
  // From mnist_sample.tgz as fastai ships it.
  static Result<SampleDecoder> from_archive(ByteSpan tgz);
  // From the tar inside it, inflated by the caller (a browser can do that with its DecompressionStream).
  // The bytes must outlive the decoder, or be owned by `owner`, which the decoder keeps.
  static Result<SampleDecoder> from_tar(ByteSpan tar, std::shared_ptr<const void> owner = nullptr);
  // From its files, wherever they came from: paths relative to any root, ending in
  // {train,valid}/{3,7}/NAME.png; other files are ignored. The bytes must outlive the decoder.
  static Result<SampleDecoder> from_files(const std::vector<TarEntry>& files);

  // Decodes up to `count` more images; an error names the file.
  Result<void> decode(int count);
  int decoded() const { return next_; }
  int total() const { return static_cast<int>(files_.size()); }
  bool done() const { return next_ == total(); }
  // The sample, once done() (moved out).
  MnistSample take() { return std::move(sample_); }

 private:
  std::shared_ptr<const void> owner_;  // keeps the bytes files_ point into, when the decoder owns them
  std::vector<TarEntry> files_;    // in the seed's order: train 3s, train 7s, valid 3s, valid 7s
  int train_count_ = 0;
  int next_ = 0;
  MnistSample sample_;
};

// The whole sample in one call, from the bytes of mnist_sample.tgz.
Result<MnistSample> load_mnist_sample(ByteSpan tgz);

// The whole sample in one call, from its files (see SampleDecoder::from_files).
Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files);

}  // namespace mnist_sgd
