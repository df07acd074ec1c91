#include "fast/linear_step.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "fast/pixels.hpp"
#include "fast/simd.hpp"

namespace mnist_sgd {
namespace {

constexpr int kVectors = kInputs / kLanes;  // 196 per image
static_assert(kInputs % kLanes == 0, "images split evenly into vectors");
constexpr int kChunk = 16;  // images per forward + backward round: 50 KB of floats, still in cache for the backward pass
static_assert(kChunk % 4 == 0, "chunks hold whole groups of four images");
constexpr int kFetchAhead = 4;  // images

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

// f(j) for the first pixel j of each block in `blocks`, in pixel order.
template <typename F>
inline void for_each_block(const Blocks& blocks, F f) {
  for (int word = 0; word < 2; ++word)
    for (std::uint64_t bits = blocks[word]; bits != 0; bits &= bits - 1)
      f((word * 64 + __builtin_ctzll(bits)) * Dataset::kBlockPixels);
}

// x = the book's floats of the bytes' blocks in `blocks` (the others are left as they were), and
// returns dot(x, w) over those blocks: the same additions into the same accumulators as dot's, less the
// blocks left out (when those are blank and w is finite, their products are +-0, which leave a sum as it is).
float to_floats_dot(const std::uint8_t* bytes, float* x, const float* w, const Blocks& blocks) {
  f32x4 even = {}, odd = {};
  for_each_block(blocks, [&](int j) {
    f32x4 values[kBlockVectors];
    pixel_values8(bytes + j, values);
    store4(x + j, values[0]);
    store4(x + j + kLanes, values[1]);
    even += values[0] * load4(w + j);
    odd += values[1] * load4(w + j + kLanes);
  });
  return sum_lanes(even + odd);
}

// Zeros in x's blocks in `blocks`.
void fill_blank(float* x, const Blocks& blocks) {
  for_each_block(blocks, [&](int j) {
    store4(x + j, f32x4{});
    store4(x + j + kLanes, f32x4{});
  });
}

// Backward for kImages images (a multiple of 4): dL/dweights += sum of dz[k] * x[k], over the blocks in
// `blocks` (where the others are blank in every image, and add +-0). The caller adds dL/dbias itself:
// passed here by reference, it made the whole step slower under Node.
// Each group of four is summed as ((0 + 1) + (2 + 3)) and added to the gradient in turn, so eight images
// in one pass give the same bits as two passes of four, with half the loads and stores of the gradient.
template <int kImages>
void add_images(const float* const* images, const float* dz, const Blocks& blocks, f32x4* grad) {
  static_assert(kImages % 4 == 0, "images go in groups of four");
  const float* x[kImages];  // copies, so that the compiler keeps them in registers across the gradient stores
  float d[kImages];
  for (int k = 0; k < kImages; ++k) x[k] = images[k], d[k] = dz[k];
  for_each_block(blocks, [&](int first) {
    for (int j = first; j < first + Dataset::kBlockPixels; j += kLanes) {
      f32x4 g = grad[j / kLanes];
      for (int k = 0; k < kImages; k += 4) {
        g += (d[k] * load4(x[k] + j) + d[k + 1] * load4(x[k + 1] + j)) +
             (d[k + 2] * load4(x[k + 2] + j) + d[k + 3] * load4(x[k + 3] + j));
      }
      grad[j / kLanes] = g;
    }
  });
}

}  // namespace

float linear1_row(const float* x, const float* weights, float bias) { return dot(x, weights) + bias; }

float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
                    std::vector<float>& workspace) {
  workspace.resize(static_cast<std::size_t>(kChunk) * kInputs + static_cast<std::size_t>(count));
  float* chunk = workspace.data();              // the chunk's images as the book's floats, (kChunk, 784)
  float* dz = chunk + kChunk * kInputs;         // dL/dz of each image, (count)
  float* weights = params.weights.data();
  const float inv_batch = 1.0f / static_cast<float>(count);
  f32x4 grad[kVectors] = {};  // dL/dweights, (784)
  float grad_bias = 0.0f;
  float loss_sum = 0.0f;
  // Blank blocks are skipped only where their products are +-0, which leave a sum as it is: with finite
  // weights in the forward pass, and finite dL/dz in the backward one. Otherwise every block is added.
  bool weights_finite = true;
  for (int j = 0; j < kInputs; ++j) weights_finite &= std::isfinite(weights[j]);
  Blocks written[kChunk];  // which blocks of each image of the chunk hold its values

  // The weights are fixed within a batch, so the batch is taken a chunk of images at a time: their forward
  // pass reads their bytes from memory and leaves their floats in cache for the backward pass.
  for (int first = 0; first < count; first += kChunk) {
    const int last = std::min(first + kChunk, count);

    // Forward: z = x @ weights + bias, then the loss and dL/dz (book/linear.hpp), in a loop of its own so
    // that the sigmoids of several images overlap (each is a long chain of dependent operations).
    int i = first;
    for (; i < last; ++i) {
      // The bytes of an image a few ahead are fetched meanwhile: each image's own blocks are too few for
      // the processor to see a stream and fetch ahead by itself.
      if (i + kFetchAhead < count) {
        const std::uint8_t* ahead = set.pixels(rows[i + kFetchAhead]);
        for (int line = 0; line < kInputs; line += 64) __builtin_prefetch(ahead + line);
      }
      Blocks& blocks = written[i - first];
      blocks = weights_finite ? set.inked_blocks(rows[i]) : kAllBlocks;
      dz[i] = to_floats_dot(set.pixels(rows[i]), chunk + (i - first) * kInputs, weights, blocks) + params.bias;
    }
    for (i = first; i < last; ++i) {
      const float s = sigmoid(dz[i]);
      const bool is_three = set.y[rows[i]] == 1.0f;
      loss_sum += mnist_loss_term(s, is_three);
      dz[i] = mnist_loss_backward(s, is_three, inv_batch);
    }

    // Backward: dL/dweights += x^T @ dz, eight images per pass over the gradient, then four, then one;
    // over the blocks where one of the pass's images has ink (or all, when a dL/dz is not finite), with
    // zeros written where another has none.
    float* images[8];
    const auto take = [&](int from, int n) {
      Blocks any = {};
      bool finite = true;
      for (int k = 0; k < n; ++k) any = any | written[from - first + k], finite &= std::isfinite(dz[from + k]);
      if (!finite) any = kAllBlocks;
      for (int k = 0; k < n; ++k) {
        images[k] = chunk + (from + k - first) * kInputs;
        fill_blank(images[k], but_not(any, written[from - first + k]));
      }
      return any;
    };
    for (i = first; i + 8 <= last; i += 8) {
      const Blocks blocks = take(i, 8);
      add_images<8>(images, &dz[i], blocks, grad);
      grad_bias += (dz[i] + dz[i + 1]) + (dz[i + 2] + dz[i + 3]);
      grad_bias += (dz[i + 4] + dz[i + 5]) + (dz[i + 6] + dz[i + 7]);
    }
    for (; i + 4 <= last; i += 4) {
      const Blocks blocks = take(i, 4);
      add_images<4>(images, &dz[i], blocks, grad);
      grad_bias += (dz[i] + dz[i + 1]) + (dz[i + 2] + dz[i + 3]);
    }
    for (; i < last; ++i) {
      float* x = chunk + (i - first) * kInputs;
      fill_blank(x, but_not(kAllBlocks, written[i - first]));
      for (int v = 0; v < kVectors; ++v) grad[v] += dz[i] * load4(x + v * kLanes);
      grad_bias += dz[i];
    }
  }

  // SGD: p -= lr * grad.
  for (int v = 0; v < kVectors; ++v) {
    store4(weights + v * kLanes, load4(weights + v * kLanes) - lr * grad[v]);
  }
  params.bias -= lr * grad_bias;
  return loss_sum / static_cast<float>(count);
}

}  // namespace mnist_sgd
