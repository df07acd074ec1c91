#include "kernels.hpp"

namespace mnist_sgd {
namespace {

constexpr int kLanes = 16;  // independent partial sums: enough to hide add latency, 784 = 49 * 16
static_assert(kInputs % kLanes == 0, "rows split evenly into lanes");

// Sums the lanes in a fixed tree, so that every platform adds in the same order.
float sum_lanes(const float (&lanes)[kLanes]) {
  float pairs[kLanes / 2];
  for (int k = 0; k < kLanes / 2; ++k) pairs[k] = lanes[k] + lanes[k + kLanes / 2];
  float quads[kLanes / 4];
  for (int k = 0; k < kLanes / 4; ++k) quads[k] = pairs[k] + pairs[k + kLanes / 4];
  return (quads[0] + quads[2]) + (quads[1] + quads[3]);
}

float dot(const float* x, const float* w) {
  float lanes[kLanes] = {};
  for (int j = 0; j < kInputs; j += kLanes)
    for (int k = 0; k < kLanes; ++k) lanes[k] += x[j + k] * w[j + k];
  return sum_lanes(lanes);
}

void to_unit(const std::uint8_t* pixels, float* x) {
  for (int j = 0; j < kInputs; ++j) x[j] = pixel_value(pixels[j]);
}

}  // namespace

float linear1_row(const std::uint8_t* pixels, const float* weights, float bias) {
  alignas(64) float x[kInputs];
  to_unit(pixels, x);
  return dot(x, weights) + bias;
}

float sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
               std::vector<float>& scratch) {
  // scratch holds the batch as floats, (count, 784) + dL/dz, (count): converted once, read twice.
  scratch.resize(static_cast<std::size_t>(count) * (kInputs + 1));
  float* xb = scratch.data();
  float* dz = xb + static_cast<std::size_t>(count) * kInputs;
  float* weights = params.weights.data();
  const float inv_batch = 1.0f / static_cast<float>(count);

  // Forward, loss and dL/dz (see calc_grad for the derivation).
  float loss_sum = 0.0f;
  for (int i = 0; i < count; ++i) {
    float* x = xb + static_cast<std::size_t>(i) * kInputs;
    to_unit(set.image(rows[i]), x);
    const float s = sigmoid(dot(x, weights) + params.bias);
    const bool is_three = set.labels[rows[i]] == 1;
    loss_sum += is_three ? 1.0f - s : s;
    dz[i] = (is_three ? -inv_batch : inv_batch) * s * (1.0f - s);
  }

  // dL/dweights = xb^T @ dz, accumulated row by row in a buffer that stays in L1.
  alignas(64) float grad[kInputs] = {};
  float grad_bias = 0.0f;
  for (int i = 0; i < count; ++i) {
    const float* x = xb + static_cast<std::size_t>(i) * kInputs;
    const float d = dz[i];
    for (int j = 0; j < kInputs; ++j) grad[j] += d * x[j];
    grad_bias += d;
  }
  for (int j = 0; j < kInputs; ++j) weights[j] -= lr * grad[j];
  params.bias -= lr * grad_bias;
  return loss_sum / static_cast<float>(count);
}

int count_correct(const Dataset& set, int first, int count, const LinearParams& params) {
  int correct = 0;
  for (int i = first; i < first + count; ++i) {
    const bool predicts_three = sigmoid(linear1_row(set.image(i), params.weights.data(), params.bias)) > 0.5f;
    correct += predicts_three == (set.labels[i] == 1);
  }
  return correct;
}

}  // namespace mnist_sgd
