// fastai's MNIST_SAMPLE (the 3s and 7s of chapter 4), loaded in the seed's order: inside each of
// train/3, train/7, valid/3, valid/7 the files sorted by name (fastai's `.ls().sorted()`); all 3s, then all 7s.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/tar.hpp"
#include "common/result.hpp"

namespace mnist_sgd {

// The book's tensors: x = stacked images .view(-1, 28*28).float() / 255, y = 1 for a 3 and 0 for a 7.
// Each image is converted once, as it is read, so that training streams floats and never converts a pixel
// again. The rows of x are kept in blocks of memory (growing one array would copy them all), and image(i)
// finds row i.
class Dataset {
 public:
  std::vector<float> y;  // (n)

  int size() const { return static_cast<int>(y.size()); }
  // Row i of x: 784 values, pixel order row * 28 + col.
  const float* image(int i) const { return rows_[static_cast<std::size_t>(i)]; }
  int count_label(float label) const;

  // A new last image, labelled `label`: the caller writes its 784 values.
  float* append(float label);
  // Image i becomes the one that was image order[i] (order holds each index once); rows move in memory.
  void reorder(const std::vector<int>& order);

 private:
  static constexpr int kImagesPerBlock = 1024;  // 3.2 MB
  std::vector<std::unique_ptr<float[]>> blocks_;
  std::vector<float*> rows_;
};

struct MnistSample {
  Dataset train;
  Dataset valid;
};

constexpr int kMaxImagesPerSplit = 100000;  // the sample has 12,396 and 2,038

// Loads the sample while its archive arrives (write each piece, then end): inflated, untarred, and each image
// decoded and converted as its bytes come, so that a download and its decoding overlap and the 15 MB tar is
// never held whole. end() then puts the images in the seed's order.
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
  MnistSample sample_;  // the images in the order read
};

// The whole sample in one call, from the bytes of mnist_sample.tgz.
Result<MnistSample> load_mnist_sample(ByteSpan tgz);

// The whole sample in one call, from its files (see SampleDecoder::load_files).
Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files);

}  // namespace mnist_sgd
