#include "kernels.hpp"

#include <algorithm>
#include <cstring>

namespace mnist_sgd {
namespace {

// Four floats as one value (a GCC/Clang vector extension): an SSE register or a WebAssembly v128.
// Writing the lanes out keeps the order of every addition the same on both.
typedef float f32x4 __attribute__((vector_size(16)));
constexpr int kLanes = 4;
constexpr int kVectors = kInputs / kLanes;  // 196 per image
static_assert(kInputs % kLanes == 0, "images split evenly into vectors");
constexpr int kChunk = 64;  // images per forward + backward round: 200 KB, still in L2 for the backward pass
static_assert(kChunk % 4 == 0, "chunks hold whole groups of four images");

inline f32x4 load(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Sums the lanes in a fixed tree, so that every platform adds in the same order.
inline float sum_lanes(f32x4 a, f32x4 b) {
  const f32x4 v = a + b;
  return (v[0] + v[2]) + (v[1] + v[3]);
}

// Two accumulators (even and odd vectors) keep two additions in flight.
inline float dot(const float* x, const float* w) {
  f32x4 even = {}, odd = {};
  for (int v = 0; v < kVectors; v += 2) {
    even += load(x + v * kLanes) * load(w + v * kLanes);
    odd += load(x + (v + 1) * kLanes) * load(w + (v + 1) * kLanes);
  }
  return sum_lanes(even, odd);
}

}  // namespace

float linear1_row(const float* x, const float* weights, float bias) { return dot(x, weights) + bias; }

float predict_three(const float* x, const LinearParams& params) {
  return sigmoid(linear1_row(x, params.weights.data(), params.bias));
}

float sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
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

    // Forward: z = x @ weights + bias, then the loss and dL/dz (see calc_grad for the derivation).
    int i = first;
    for (; i < last; ++i) {
      const float s = sigmoid(dot(set.image(rows[i]), weights) + params.bias);
      const bool is_three = set.y[rows[i]] == 1.0f;
      loss_sum += is_three ? 1.0f - s : s;
      dz[i] = (is_three ? -inv_batch : inv_batch) * s * (1.0f - s);
    }

    // Backward: dL/dweights += x^T @ dz, four images per pass over the gradient.
    for (i = first; i + 4 <= last; i += 4) {
      const float *x0 = set.image(rows[i]), *x1 = set.image(rows[i + 1]);
      const float *x2 = set.image(rows[i + 2]), *x3 = set.image(rows[i + 3]);
      const float d0 = dz[i], d1 = dz[i + 1], d2 = dz[i + 2], d3 = dz[i + 3];
      for (int v = 0; v < kVectors; ++v) {
        const int j = v * kLanes;
        grad[v] += (d0 * load(x0 + j) + d1 * load(x1 + j)) + (d2 * load(x2 + j) + d3 * load(x3 + j));
      }
      grad_bias += (d0 + d1) + (d2 + d3);
    }
    for (; i < last; ++i) {
      const float* x = set.image(rows[i]);
      for (int v = 0; v < kVectors; ++v) grad[v] += dz[i] * load(x + v * kLanes);
      grad_bias += dz[i];
    }
  }

  // SGD: p -= lr * grad.
  for (int v = 0; v < kVectors; ++v) {
    const f32x4 updated = load(weights + v * kLanes) - lr * grad[v];
    std::memcpy(weights + v * kLanes, &updated, sizeof updated);
  }
  params.bias -= lr * grad_bias;
  return loss_sum / static_cast<float>(count);
}

int count_correct(const Dataset& set, int first, int count, const LinearParams& params) {
  int correct = 0;
  for (int i = first; i < first + count; ++i) {
    const bool predicts_three = predict_three(set.image(i), params) > 0.5f;
    correct += predicts_three == (set.y[i] == 1.0f);
  }
  return correct;
}

}  // namespace mnist_sgd
