#include "fast/linear_step.hpp"

#include <algorithm>

#include "fast/simd.hpp"

namespace mnist_sgd {
namespace {

constexpr int kVectors = kInputs / kLanes;  // 196 per image
static_assert(kInputs % kLanes == 0, "images split evenly into vectors");
constexpr int kChunk = 64;  // images per forward + backward round: 200 KB, still in L2 for the backward pass
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

// Backward for kImages images (a multiple of 4): dL/dweights += sum of dz[k] * x[k]. The caller adds dL/dbias
// itself: passed here by reference, it made the whole step slower under Node.
// Each group of four is summed as ((0 + 1) + (2 + 3)) and added to the gradient in turn, so eight images
// in one pass give the same bits as two passes of four, with half the loads and stores of the gradient.
template <int kImages>
void add_images(const float* const* images, const float* dz, f32x4* grad) {
  static_assert(kImages % 4 == 0, "images go in groups of four");
  const float* x[kImages];  // copies, so that the compiler keeps them in registers across the gradient stores
  float d[kImages];
  for (int k = 0; k < kImages; ++k) x[k] = images[k], d[k] = dz[k];
  for (int v = 0; v < kVectors; ++v) {
    const int j = v * kLanes;
    f32x4 g = grad[v];
    for (int k = 0; k < kImages; k += 4) {
      g += (d[k] * load4(x[k] + j) + d[k + 1] * load4(x[k + 1] + j)) +
           (d[k + 2] * load4(x[k + 2] + j) + d[k + 3] * load4(x[k + 3] + j));
    }
    grad[v] = g;
  }
}

}  // namespace

float linear1_row(const float* x, const float* weights, float bias) { return dot(x, weights) + bias; }

float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
                    std::vector<float>& dz) {
  dz.resize(count);
  float* weights = params.weights.data();
  const float inv_batch = 1.0f / static_cast<float>(count);
  f32x4 grad[kVectors] = {};  // dL/dweights, (784)
  float grad_bias = 0.0f;
  float loss_sum = 0.0f;

  // The weights are fixed within a batch, so the batch is taken a chunk of images at a time: their forward
  // pass reads them from memory, and the backward pass finds them still in cache.
  for (int first = 0; first < count; first += kChunk) {
    const int last = std::min(first + kChunk, count);

    // Forward: z = x @ weights + bias, then the loss and dL/dz (book/linear.hpp), in a loop of its own so
    // that the sigmoids of several images overlap (each is a long chain of dependent operations).
    int i = first;
    for (; i < last; ++i) dz[i] = dot(set.image(rows[i]), weights) + params.bias;
    for (i = first; i < last; ++i) {
      const float s = sigmoid(dz[i]);
      const bool is_three = set.y[rows[i]] == 1.0f;
      loss_sum += mnist_loss_term(s, is_three);
      dz[i] = mnist_loss_backward(s, is_three, inv_batch);
    }

    // Backward: dL/dweights += x^T @ dz, eight images per pass over the gradient, then four, then one.
    const float* images[8];
    for (i = first; i + 8 <= last; i += 8) {
      for (int k = 0; k < 8; ++k) images[k] = set.image(rows[i + k]);
      add_images<8>(images, &dz[i], grad);
      grad_bias += (dz[i] + dz[i + 1]) + (dz[i + 2] + dz[i + 3]);
      grad_bias += (dz[i + 4] + dz[i + 5]) + (dz[i + 6] + dz[i + 7]);
    }
    for (; i + 4 <= last; i += 4) {
      for (int k = 0; k < 4; ++k) images[k] = set.image(rows[i + k]);
      add_images<4>(images, &dz[i], grad);
      grad_bias += (dz[i] + dz[i + 1]) + (dz[i + 2] + dz[i + 3]);
    }
    for (; i < last; ++i) {
      const float* x = set.image(rows[i]);
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
