// The chapter's first model, which needs no training: pixel similarity. The mean 3 and the mean 7 of the
// training set are the templates; an image is a 3 when its mean absolute distance to the mean 3 is smaller.
#pragma once

#include <cstdint>
#include <vector>

#include "book/dataset.hpp"

namespace mnist_sgd {

struct PixelSimilarity {
  std::vector<float> mean3;  // (784)
  std::vector<float> mean7;  // (784)
};

// The book: mean3 = stacked_threes.mean(0), mean7 = stacked_sevens.mean(0).
PixelSimilarity fit_pixel_similarity(const Dataset& train);

// The book's mnist_distance(a, b) = (a - b).abs().mean((-1, -2)), for an image a (its 784 bytes, read as the
// book's floats) and a mean image b.
float mnist_distance(const std::uint8_t* a, const float* b);

// The book's is_3(x) = mnist_distance(x, mean3) < mnist_distance(x, mean7).
bool is_3(const PixelSimilarity& model, const std::uint8_t* x);

struct BaselineAccuracy {
  float threes = 0.0f;  // accuracy on the validation 3s
  float sevens = 0.0f;  // accuracy on the validation 7s
  float mean = 0.0f;    // (threes + sevens) / 2, as the book prints it
};

BaselineAccuracy evaluate_pixel_similarity(const PixelSimilarity& model, const Dataset& valid);

}  // namespace mnist_sgd
