#include "data/digit_image.hpp"

#include <algorithm>
#include <cmath>

#include "book/dataset.hpp"

namespace mnist_sgd {
namespace {

constexpr int kFitBox = 20;                   // MNIST fits each digit in a 20x20 box...
constexpr double kCentre = kImageSide / 2.0;  // ...and centres its mass in the 28x28 field
constexpr float kInkThreshold = 0.01f;        // lighter than this is paper, for the bounding box

// Length of the overlap of [a0, a1) and [b0, b1).
double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

std::vector<float> mnist_preprocess(const float* ink, int width, int height) {
  if (!ink || width <= 0 || height <= 0) return {};
  int left = width, right = -1, top = height, bottom = -1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      if (ink[y * width + x] > kInkThreshold) {
        left = std::min(left, x), right = std::max(right, x);
        top = std::min(top, y), bottom = std::max(bottom, y);
      }
  if (right < 0) return {};

  // Scale the bounding box so that its longer side is 20 pixels; each output pixel is the area-weighted mean
  // of the ink it covers, which keeps the grey levels of an anti-aliased stroke.
  const int box_width = right - left + 1, box_height = bottom - top + 1;
  const double scale = static_cast<double>(kFitBox) / std::max(box_width, box_height);  // output px per input px
  const int fit_width = std::max(1, static_cast<int>(std::lround(box_width * scale)));
  const int fit_height = std::max(1, static_cast<int>(std::lround(box_height * scale)));
  std::vector<double> fitted(static_cast<std::size_t>(fit_width) * fit_height, 0.0);
  for (int fy = 0; fy < fit_height; ++fy) {
    const double y0 = top + fy / scale, y1 = top + (fy + 1) / scale;
    for (int fx = 0; fx < fit_width; ++fx) {
      const double x0 = left + fx / scale, x1 = left + (fx + 1) / scale;
      double sum = 0.0, area = 0.0;
      for (int y = static_cast<int>(y0); y < std::min<double>(y1, height); ++y) {
        const double dy = overlap(y0, y1, y, y + 1);
        for (int x = static_cast<int>(x0); x < std::min<double>(x1, width); ++x) {
          const double weight = dy * overlap(x0, x1, x, x + 1);
          sum += weight * std::clamp(ink[y * width + x], 0.0f, 1.0f);
          area += weight;
        }
      }
      fitted[fy * fit_width + fx] = area > 0.0 ? sum / area : 0.0;
    }
  }

  // Shift so that the centre of mass lands on the centre of the 28x28 field (whole pixels, as MNIST did).
  double mass = 0.0, mass_x = 0.0, mass_y = 0.0;
  for (int fy = 0; fy < fit_height; ++fy)
    for (int fx = 0; fx < fit_width; ++fx) {
      const double v = fitted[fy * fit_width + fx];
      mass += v, mass_x += v * (fx + 0.5), mass_y += v * (fy + 0.5);
    }
  if (mass <= 0.0) return {};
  const int offset_x = std::clamp(static_cast<int>(std::lround(kCentre - mass_x / mass)), 0, kImageSide - fit_width);
  const int offset_y = std::clamp(static_cast<int>(std::lround(kCentre - mass_y / mass)), 0, kImageSide - fit_height);

  std::vector<float> image(kImagePixels, 0.0f);
  for (int fy = 0; fy < fit_height; ++fy)
    for (int fx = 0; fx < fit_width; ++fx)
      image[(fy + offset_y) * kImageSide + fx + offset_x] = static_cast<float>(fitted[fy * fit_width + fx]);
  return image;
}

}  // namespace mnist_sgd
