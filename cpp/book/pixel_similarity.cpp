#include "book/pixel_similarity.hpp"

#include <cmath>

namespace mnist_sgd {
namespace {

std::vector<float> mean_image(const Dataset& set, float label) {
  std::vector<double> sum(kImagePixels, 0.0);
  int count = 0;
  for (int i = 0; i < set.size(); ++i) {
    if (set.y[i] != label) continue;
    const Image x = set.image(i);
    for (int j = 0; j < kImagePixels; ++j) sum[j] += x[j];
    ++count;
  }
  std::vector<float> mean(kImagePixels, 0.0f);
  if (count > 0)
    for (int j = 0; j < kImagePixels; ++j) mean[j] = static_cast<float>(sum[j] / count);
  return mean;
}

}  // namespace

PixelSimilarity fit_pixel_similarity(const Dataset& train) {
  return {mean_image(train, 1.0f), mean_image(train, 0.0f)};
}

float mnist_distance(const float* a, const float* b) {
  double sum = 0.0;
  for (int j = 0; j < kImagePixels; ++j) sum += std::fabs(a[j] - b[j]);
  return static_cast<float>(sum / kImagePixels);
}

bool is_3(const PixelSimilarity& model, const float* x) {
  return mnist_distance(x, model.mean3.data()) < mnist_distance(x, model.mean7.data());
}

BaselineAccuracy evaluate_pixel_similarity(const PixelSimilarity& model, const Dataset& valid) {
  int threes = 0, threes_right = 0, sevens = 0, sevens_right = 0;
  for (int i = 0; i < valid.size(); ++i) {
    const bool predicted_three = is_3(model, valid.image(i).data());
    if (valid.y[i] == 1.0f) {
      ++threes;
      threes_right += predicted_three;
    } else {
      ++sevens;
      sevens_right += !predicted_three;
    }
  }
  BaselineAccuracy accuracy;
  accuracy.threes = threes ? static_cast<float>(threes_right) / threes : 0.0f;
  accuracy.sevens = sevens ? static_cast<float>(sevens_right) / sevens : 0.0f;
  accuracy.mean = (accuracy.threes + accuracy.sevens) / 2.0f;
  return accuracy;
}

}  // namespace mnist_sgd
