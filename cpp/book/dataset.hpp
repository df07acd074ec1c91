// The data as the chapter's models see it: 28x28 images as rows of 784 floats, and their labels. The
// decoders (cpp/data) fill it; the models read it and include nothing of theirs.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace mnist_sgd {

constexpr int kImageSide = 28;
constexpr int kImagePixels = kImageSide * kImageSide;  // 784
constexpr int kInputs = kImagePixels;                  // the models' inputs: one per pixel

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

}  // namespace mnist_sgd
