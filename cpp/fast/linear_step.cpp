#include "fast/linear_step.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fast/pixels.hpp"
#include "fast/simd.hpp"

namespace mnist_sgd {
namespace {

static_assert(kInputs % kLanes == 0, "images split evenly into vectors");
constexpr int kChunk =
    16;  // images per forward + backward round: 50 KB of floats, still in cache for the backward pass
static_assert(kChunk % 4 == 0, "chunks hold whole groups of four images");

// Two accumulators (even and odd vectors) keep two additions in flight. Not inlined: in the large function
// the training loop ends up in, V8 keeps this loop's values on the stack; on its own they stay in registers.
[[gnu::noinline]] float dot(const float* x, const float* w) {
  f32x4 even = {}, odd = {};
  for (const float* end = x + kInputs; x != end; x += 2 * kLanes, w += 2 * kLanes) {
    even += load4(x) * load4(w);
    odd += load4(x + kLanes) * load4(w + kLanes);
  }
  return sum_lanes(even + odd);
}

// An image in blocks of 8 pixels (two vectors; 98 blocks), as Dataset::inked_blocks gives them.
constexpr int kBlockVectors = Dataset::kBlockPixels / kLanes;
constexpr int kBlocks = kInputs / Dataset::kBlockPixels;
static_assert(kBlockVectors == 2, "a block is an even and an odd vector (pixel_values8's)");
using Blocks = Dataset::Blocks;
constexpr Blocks kAllBlocks = {~std::uint64_t{0}, (std::uint64_t{1} << (kBlocks - 64)) - 1};

Blocks operator|(const Blocks& a, const Blocks& b) { return {a[0] | b[0], a[1] | b[1]}; }
Blocks but_not(const Blocks& a, const Blocks& b) { return {a[0] & ~b[0], a[1] & ~b[1]}; }

// The book's floats of the 8 bytes of a block, as vectors V.
void block_values(const std::uint8_t* bytes, f32x4 (&out)[2], const ValueParts& parts) {
  pixel_values8(bytes, out, parts);
}
#if MNIST_SGD_WIDE
void block_values(const std::uint8_t* bytes, f32x8 (&out)[1], const ValueParts&) { pixel_values8(bytes, out[0]); }
#endif

// x = the book's floats of an image's blocks in `blocks` (the others are left as they were), and returns
// dot(x, w) over those blocks: the same additions into the same accumulators as dot's, less the blocks left
// out (when those are blank and w is finite, their products are +-0, which leave a sum as it is). dot's even
// and odd vectors are the two halves of one vector of 8. `bytes` holds those blocks one after another: the
// image's inked_block_bytes for its inked blocks, its pixels for all of them.
template <typename V>
float to_floats_dot(const std::uint8_t* bytes, float* x, const float* w, const Blocks& blocks) {
  constexpr int kWidth = kLanesOf<V>, kPerBlock = Dataset::kBlockPixels / kWidth;
  V sum[kPerBlock] = {};
  const ValueParts parts = value_parts();
  Dataset::for_each_block(blocks, [&](int j) {
    V values[kPerBlock];
    block_values(bytes, values, parts);
    bytes += Dataset::kBlockPixels;
    for (int b = 0; b < kPerBlock; ++b) {
      store<V>(x + j + b * kWidth, values[b]);
      sum[b] += values[b] * load<V>(w + j + b * kWidth);
    }
  });
  if constexpr (kWidth == 4) {
    return sum_lanes(sum[0] + sum[1]);
  } else {
    return sum_lanes(__builtin_shufflevector(sum[0], sum[0], 0, 1, 2, 3) +
                     __builtin_shufflevector(sum[0], sum[0], 4, 5, 6, 7));
  }
}

// The blocks of an image that the forward pass adds, and their bytes one after another: its inked blocks, or all
// of them when a weight is not finite (a blank pixel's product is then not +-0).
struct BlocksToRead {
  const std::uint8_t* bytes;
  Blocks blocks;
};
BlocksToRead blocks_to_read(const Dataset& set, int row, bool weights_finite) {
  if (weights_finite) return {set.inked_block_bytes(row), set.inked_blocks(row)};
  return {set.pixels(row), kAllBlocks};
}

// Zeros in x's blocks in `blocks`.
void fill_blank(float* x, const Blocks& blocks) {
  Dataset::for_each_block(blocks, [&](int j) {
    store4(x + j, f32x4{});
    store4(x + j + kLanes, f32x4{});
  });
}

// Backward for eight images: dL/dweights += sum of dz[k] * x[k], over the blocks in `blocks` (where the
// others are blank in every image, and add +-0). The caller adds dL/dbias itself: passed here by
// reference, it made the whole step slower under Node.
// Each group of four is summed as ((0 + 1) + (2 + 3)) and added to the gradient in turn, so eight images
// in one pass give the same bits as two passes of four, with half the loads and stores of the gradient.
template <typename V>
void add_images(const float* const* images, const float* dz, const Blocks& blocks, V* grad) {
  constexpr int kWidth = kLanesOf<V>;
  const float* x[8];  // copies, so that the compiler keeps them in registers across the gradient stores
  float d[8];
  for (int k = 0; k < 8; ++k) x[k] = images[k], d[k] = dz[k];
  Dataset::for_each_block(blocks, [&](int first) {
    for (int j = first; j < first + Dataset::kBlockPixels; j += kWidth) {
      V g = grad[j / kWidth];
      g +=
          (d[0] * load<V>(x[0] + j) + d[1] * load<V>(x[1] + j)) + (d[2] * load<V>(x[2] + j) + d[3] * load<V>(x[3] + j));
      g +=
          (d[4] * load<V>(x[4] + j) + d[5] * load<V>(x[5] + j)) + (d[6] * load<V>(x[6] + j) + d[7] * load<V>(x[7] + j));
      grad[j / kWidth] = g;
    }
  });
}

// The blocks a backward pass over images first .. first + n of the chunk adds: those where one of them has
// ink, or all when a dL/dz is not finite.
[[gnu::noinline]] Blocks blocks_to_add(const Blocks* written, const float* dz, int first, int n) {
  Blocks any = {};
  bool finite = true;
  MNIST_SGD_KEEP_LOOP
  for (int k = first; k < first + n; ++k) any = any | written[k], finite &= std::isfinite(dz[k]);
  return finite ? any : kAllBlocks;
}

}  // namespace

float linear1_row(const float* x, const float* weights, float bias) { return dot(x, weights) + bias; }

// to_floats_dot's sums are dot's, less the blocks left out: in vectors of 4, with each block's floats
// written to a scratch image. Validation under Node: 0.23-0.31 ms, against 0.47 when each whole image was
// converted first (and 0.20 when the images were kept as floats).
std::vector<float> linear1_rows(const Dataset& set, const LinearParams& params) {
  const float* weights = params.weights.data();
  const bool weights_finite = all_finite(weights, kInputs);
  std::vector<float> z(static_cast<std::size_t>(set.size()));
  alignas(16) float x[kInputs];
  for (int i = 0; i < set.size(); ++i) {
    const BlocksToRead read = blocks_to_read(set, i, weights_finite);
    z[static_cast<std::size_t>(i)] = to_floats_dot<f32x4>(read.bytes, x, weights, read.blocks) + params.bias;
  }
  return z;
}

namespace {

// The step, in vectors V of 4 or 8 floats.
template <typename V>
float step_in(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
              std::vector<float>& workspace) {
  constexpr int kWidth = kLanesOf<V>;
  float* chunk = cache_aligned(
      workspace, static_cast<std::size_t>(kChunk) * kInputs +
                     static_cast<std::size_t>(count));  // the chunk's images as the book's floats, (kChunk, 784)
  float* dz = chunk + kChunk * kInputs;                 // dL/dz of each image, (count)
  float* weights = params.weights.data();
  const float inv_batch = 1.0f / static_cast<float>(count);
  V grad[kInputs / kWidth] = {};  // dL/dweights, (784)
  float grad_bias = 0.0f;
  float loss_sum = 0.0f;
  // Blank blocks are skipped only where their products are +-0, which leave a sum as it is: with finite
  // weights in the forward pass, and finite dL/dz in the backward one. Otherwise every block is added.
  const bool weights_finite = all_finite(weights, kInputs);
  // Each slot of the chunk holds zeros outside the blocks its image wrote (`written`), so that a backward
  // pass may add any block of any image. Keeping it so costs zeros only where a slot's last image had ink and
  // its next has none. Before, each pass of eight wrote zeros wherever one image had ink and another none:
  // in Chromium, leaving those out (for a timing only) took the epoch from 2.6-3.1 ms to 2.2-2.3.
  Blocks written[kChunk] = {};
  std::memset(chunk, 0, static_cast<std::size_t>(kChunk) * kInputs * sizeof(float));

  // The weights are fixed within a batch, so the batch is taken a chunk of images at a time: their forward
  // pass reads their bytes from memory and leaves their floats in cache for the backward pass.
  for (int first = 0; first < count; first += kChunk) {
    const int last = std::min(first + kChunk, count);

    // Forward: z = x @ weights + bias, then the loss and dL/dz (book/linear.hpp), in a loop of its own so
    // that the sigmoids of several images overlap (each is a long chain of dependent operations).
    int i = first;
    for (; i < last; ++i) {
      const BlocksToRead read = blocks_to_read(set, rows[i], weights_finite);
      float* x = chunk + (i - first) * kInputs;
      fill_blank(x, but_not(written[i - first], read.blocks));
      written[i - first] = read.blocks;
      dz[i] = to_floats_dot<V>(read.bytes, x, weights, read.blocks) + params.bias;
    }
    for (i = first; i < last; ++i) {
      const float s = sigmoid(dz[i]);
      const bool is_three = set.y[rows[i]] == 1.0f;
      loss_sum += mnist_loss_term(s, is_three);
      dz[i] = mnist_loss_backward(s, is_three, inv_batch);
    }

    // Backward: dL/dweights += x^T @ dz, eight images per pass over the gradient (then four); over the
    // blocks where one of the pass's images has ink (or all, when a dL/dz is not finite).
    for (i = first; i < last;) {
      // After the passes of eight, the last four images, then each of the last 1 to 3, make a pass of eight
      // whose others add 0 (dL/dz 0, on copies of one of them): a group of four that adds 0 leaves the
      // gradient as it is, and ((d0 x0 + 0) + (0 + 0)) is d0 x0, so each gets what the passes of four and
      // the single images gave.
      const int n = last - i >= 8 ? 8 : last - i >= 4 ? 4 : 1;
      float d[8] = {};
      const float* images[8];
      for (int k = 0; k < 8; ++k) {
        images[k] = chunk + (i + std::min(k, n - 1) - first) * kInputs;
        if (k < n) d[k] = dz[i + k];
      }
      add_images(images, d, blocks_to_add(written, dz + first, i - first, n), grad);
      grad_bias += (d[0] + d[1]) + (d[2] + d[3]);
      if (n == 8) grad_bias += (d[4] + d[5]) + (d[6] + d[7]);
      i += n;
    }
  }

  // SGD: p -= lr * grad.
  for (int v = 0; v < kInputs / kWidth; ++v) {
    store<V>(weights + v * kWidth, load<V>(weights + v * kWidth) - lr * grad[v]);
  }
  params.bias -= lr * grad_bias;
  return loss_sum / static_cast<float>(count);
}

}  // namespace

float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
                    std::vector<float>& workspace, int lanes) {
  return run_in_lanes<8>(lanes, [&](auto vectors) {
    return step_in<typename decltype(vectors)::type>(set, rows, count, lr, params, workspace);
  });
}

}  // namespace mnist_sgd
