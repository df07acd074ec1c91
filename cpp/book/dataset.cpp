#include "book/dataset.hpp"

#include <algorithm>
#include <cstring>

namespace mnist_sgd {

// A look-up per pixel. Validation, which took every image, reads the bytes itself (Model::outputs); the
// callers left take a few images, or one batch.
Image Dataset::image(int i) const {
  Image x;
  const std::uint8_t* row = pixels(i);
  for (int p = 0; p < kImagePixels; ++p) x[p] = kPixelValues.of[row[p]];
  return x;
}

int Dataset::count_label(float label) const { return static_cast<int>(std::count(y.begin(), y.end(), label)); }

void Dataset::list_blocks(const std::uint8_t* row) {
  constexpr int kBlocks = kImagePixels / kBlockPixels;
  static_assert(kImagePixels % kBlockPixels == 0 && kBlocks <= 128, "an image's blocks fit in 128 bits");
  Blocks blocks = {};
  for (int block = 0; block < kBlocks; ++block) {
    std::uint64_t bytes;
    std::memcpy(&bytes, row + block * kBlockPixels, sizeof bytes);
    blocks[block / 64] |= std::uint64_t{bytes != 0} << (block % 64);
  }
  inked_blocks_.push_back(blocks);
}

// Counted first, so that the list is allocated once at its size (grown, it would be copied as it doubled).
void Dataset::list_ink() const {
  std::size_t total = 0;
  ink_ends_.resize(rows_.size());
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    MNIST_SGD_KEEP_LOOP
    for (int p = 0; p < kImagePixels; ++p) total += rows_[i][p] != 0;
    ink_ends_[i] = static_cast<std::uint32_t>(total);
  }
  ink_.assign(total, 0);
  ink_bytes_.reset(new std::uint8_t[total]);
  std::uint16_t* out = ink_.data();
  std::uint8_t* bytes = ink_bytes_.get();
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    MNIST_SGD_KEEP_LOOP
    for (int p = 0; p < kImagePixels; ++p)
      if (rows_[i][p] != 0) *out++ = static_cast<std::uint16_t>(p), *bytes++ = rows_[i][p];
  }
}

// Counted first, as list_ink's.
void Dataset::list_block_bytes() const {
  std::size_t total = 0;
  block_bytes_starts_.resize(rows_.size());
  MNIST_SGD_KEEP_LOOP
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    block_bytes_starts_[i] = static_cast<std::uint32_t>(total);
    const Blocks& inked = inked_blocks_[i];
    total += static_cast<std::size_t>(__builtin_popcountll(inked[0]) + __builtin_popcountll(inked[1])) * kBlockPixels;
  }
  block_bytes_.reset(new std::uint8_t[total]);
  std::uint8_t* out = block_bytes_.get();
  MNIST_SGD_KEEP_LOOP
  for (std::size_t i = 0; i < rows_.size(); ++i)
    for_each_block(inked_blocks_[i], [&](int first) {
      std::memcpy(out, rows_[i] + first, kBlockPixels);
      out += kBlockPixels;
    });
}

void Dataset::append(float label, const std::uint8_t* pixels) {
  const std::size_t slot = rows_.size() % kImagesPerBlock;
  // A new block is left unzeroed: each of its rows is written whole before it is read.
  if (slot == 0) blocks_.emplace_back(new std::uint8_t[static_cast<std::size_t>(kImagesPerBlock) * kImagePixels]);
  rows_.push_back(blocks_.back().get() + slot * kImagePixels);
  std::memcpy(rows_.back(), pixels, kImagePixels);
  list_blocks(pixels);
  y.push_back(label);
}

void Dataset::reorder(const std::vector<int>& order) {
  // The rows move, in place, rather than only their pointers: training reads images in order, and reads
  // them fastest where they lie in order (three times faster than scattered, natively). Each cycle of the
  // permutation is followed once, through one spare row (and its inked blocks).
  std::uint8_t spare[kImagePixels];
  std::vector<bool> placed(order.size(), false);
  std::vector<float> labels(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) labels[i] = y[static_cast<std::size_t>(order[i])];
  for (std::size_t start = 0; start < order.size(); ++start) {
    if (placed[start]) continue;
    std::memcpy(spare, rows_[start], kImagePixels);
    const Blocks spare_blocks = inked_blocks_[start];
    std::size_t to = start;
    for (auto from = static_cast<std::size_t>(order[to]); from != start; from = static_cast<std::size_t>(order[to])) {
      std::memcpy(rows_[to], rows_[from], kImagePixels);
      inked_blocks_[to] = inked_blocks_[from];
      placed[to] = true;
      to = from;
    }
    std::memcpy(rows_[to], spare, kImagePixels);
    inked_blocks_[to] = spare_blocks;
    placed[to] = true;
  }
  y.swap(labels);
  ink_ends_.clear();
  block_bytes_starts_.clear();
}

}  // namespace mnist_sgd
