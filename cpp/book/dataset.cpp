#include "book/dataset.hpp"

#include <algorithm>

namespace mnist_sgd {

int Dataset::count_label(float label) const { return static_cast<int>(std::count(y.begin(), y.end(), label)); }

float* Dataset::append(float label) {
  const std::size_t slot = rows_.size() % kImagesPerBlock;
  // A new block is left unzeroed: each of its rows is written whole before it is read.
  if (slot == 0) blocks_.emplace_back(new float[static_cast<std::size_t>(kImagesPerBlock) * kImagePixels]);
  rows_.push_back(blocks_.back().get() + slot * kImagePixels);
  y.push_back(label);
  return rows_.back();
}

void Dataset::reorder(const std::vector<int>& order) {
  // The rows move, in place, rather than only their pointers: training reads images in order, and reads
  // them fastest where they lie in order (three times faster than scattered, natively). Each cycle of the
  // permutation is followed once, through one spare row.
  std::vector<float> spare(kImagePixels);
  std::vector<bool> placed(order.size(), false);
  std::vector<float> labels(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) labels[i] = y[static_cast<std::size_t>(order[i])];
  for (std::size_t start = 0; start < order.size(); ++start) {
    if (placed[start]) continue;
    std::copy(rows_[start], rows_[start] + kImagePixels, spare.data());
    std::size_t to = start;
    for (auto from = static_cast<std::size_t>(order[to]); from != start; from = static_cast<std::size_t>(order[to])) {
      std::copy(rows_[from], rows_[from] + kImagePixels, rows_[to]);
      placed[to] = true;
      to = from;
    }
    std::copy(spare.begin(), spare.end(), rows_[to]);
    placed[to] = true;
  }
  y.swap(labels);
}

}  // namespace mnist_sgd
