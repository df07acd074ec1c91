// The data as the chapter's models see it: 28x28 images of 784 pixels, and their labels. The decoders
// (cpp/data) fill it; the models read it and include nothing of theirs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/keep_loop.hpp"

namespace mnist_sgd {

constexpr int kImageSide = 28;
constexpr int kImagePixels = kImageSide * kImageSide;  // 784
constexpr int kInputs = kImagePixels;                  // the models' inputs: one per pixel

// The book's value of a pixel: x = tensor.float() / 255, the float quotient (correctly rounded everywhere).
// Not the product by 1.0f / 255, which differs in the last bit for 126 of the 256 bytes.
constexpr float pixel_value(std::uint8_t byte) { return static_cast<float>(byte) / 255.0f; }

// The same, looked up: kPixelValues.of[byte].
struct PixelValues {
  std::array<float, 256> of{};
  constexpr PixelValues() {
    for (int byte = 0; byte < 256; ++byte) of[byte] = pixel_value(static_cast<std::uint8_t>(byte));
  }
};
inline constexpr PixelValues kPixelValues;

using Image = std::array<float, kImagePixels>;

// The book's tensors: x = stacked images .view(-1, 28*28).float() / 255, y = 1 for a 3 and 0 for a 7.
// x is kept as the archive's bytes (11 MB for the sample, against 45 MB as floats), and converted to the
// book's floats where it is read. The rows are kept in blocks of memory (growing one array would copy them
// all). Beside each row, which of its blocks of 8 pixels hold ink, found once here: about four fifths of a
// digit's pixels are blank and three fifths of its blocks, and the fast steps read only the rest.
class Dataset {
 public:
  std::vector<float> y;  // (n)

  int size() const { return static_cast<int>(y.size()); }
  // Row i's pixels, pixel order row * 28 + col: 784 bytes, 0 (blank) to 255.
  const std::uint8_t* pixels(int i) const { return rows_[static_cast<std::size_t>(i)]; }
  // Row i of x: 784 floats.
  Image image(int i) const;
  // Which blocks of 8 pixels of row i hold ink: bit b % 64 of word b / 64 for pixels 8b .. 8b + 7 (98 blocks).
  static constexpr int kBlockPixels = 8;
  using Blocks = std::array<std::uint64_t, 2>;
  const Blocks& inked_blocks(int i) const { return inked_blocks_[static_cast<std::size_t>(i)]; }
  // f(j) for the first pixel j of each block in `blocks`, in pixel order. The loop over the two words stays
  // a loop in WebAssembly: unrolled in each loop that walks blocks, it took the module over its budget.
  template <typename F>
  static void for_each_block(const Blocks& blocks, F f) {
    MNIST_SGD_KEEP_LOOP
    for (int word = 0; word < 2; ++word)
      for (std::uint64_t bits = blocks[word]; bits != 0; bits &= bits - 1)
        f((word * 64 + __builtin_ctzll(bits)) * kBlockPixels);
  }
  // The inked (nonzero) pixels of row i, in pixel order: [ink(i), ink_end(i)). Listed for all rows at the
  // first call (the linear model never makes one): 147 per digit on average, 3.6 MB for the sample's
  // training set, against the listing at every step that took a fifth of simple_net's epoch.
  const std::uint16_t* ink(int i) const {
    const std::size_t start = ink_start(i);  // first: it may list them, and ink_ is then another array
    return ink_.data() + start;
  }
  const std::uint16_t* ink_end(int i) const {
    const std::size_t end = ink_start(i + 1);
    return ink_.data() + end;
  }
  // Their bytes, in the same order: ink_bytes(i)[k] is pixels(i)[ink(i)[k]]. 1.8 MB more, read in order
  // where looking each up in its row took 0.5 ms of simple_net's 11.5 ms epoch under Node.
  const std::uint8_t* ink_bytes(int i) const {
    const std::size_t start = ink_start(i);
    return ink_bytes_.get() + start;
  }
  // The bytes of row i's inked blocks, one block after another in pixel order: what the linear model reads,
  // in order, so that the processor fetches them ahead as a stream. Each row read in place, its blank blocks
  // skipped, left the linear epoch waiting on memory where nothing prefetches (WebAssembly has no prefetch):
  // in Chromium 2.63 ms, 2.13 from these. 301 bytes a digit on average, 4.3 MB for the sample; laid out for all
  // rows at the first call (simple_net never makes one).
  const std::uint8_t* inked_block_bytes(int i) const {
    if (block_bytes_starts_.size() != rows_.size()) list_block_bytes();
    return block_bytes_.get() + block_bytes_starts_[static_cast<std::size_t>(i)];
  }
  int count_label(float label) const;

  // A new last image, labelled `label`, with these 784 pixels.
  void append(float label, const std::uint8_t* pixels);
  // Image i becomes the one that was image order[i] (order holds each index once); rows move in memory.
  void reorder(const std::vector<int>& order);

 private:
  void list_blocks(const std::uint8_t* row);

  static constexpr int kImagesPerBlock = 1024;  // 800 KB
  std::vector<std::unique_ptr<std::uint8_t[]>> blocks_;
  std::vector<std::uint8_t*> rows_;
  std::vector<Blocks> inked_blocks_;                   // (n)
  mutable std::vector<std::uint16_t> ink_;             // every row's inked pixels, row after row
  mutable std::unique_ptr<std::uint8_t[]> ink_bytes_;  // and their bytes
  mutable std::vector<std::uint32_t> ink_ends_;        // (n): where each row's list ends in ink_
  void list_ink() const;
  mutable std::unique_ptr<std::uint8_t[]> block_bytes_;    // every row's inked blocks, row after row
  mutable std::vector<std::uint32_t> block_bytes_starts_;  // (n): where each row's blocks start in block_bytes_
  void list_block_bytes() const;
  // Both are made again when their index does not have a row's size (after append), or was cleared (reorder).
  // Where row i's list starts in ink_ (and row i - 1's ends), listing them all first if need be.
  std::size_t ink_start(int i) const {
    if (ink_ends_.size() != rows_.size()) list_ink();
    return i == 0 ? 0 : ink_ends_[static_cast<std::size_t>(i) - 1];
  }
};

struct MnistSample {
  Dataset train;
  Dataset valid;
};

}  // namespace mnist_sgd
