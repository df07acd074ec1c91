// The fast step of the linear model. A batch is taken 64 images at a time: their forward pass (z, the loss,
// dL/dz) reads them from memory, and the backward pass, which adds eight images at a time into the
// gradient, finds them still in cache; so an epoch reads its 38.9 MB once. Same maths as book/linear.hpp,
// which is its spec (calc_grad, then p -= lr * grad); a test holds the two equal.
//
// The loops use 4-lane vectors (fast/simd.hpp) with independent accumulators.
#pragma once

#include <vector>

#include "book/dataset.hpp"
#include "book/linear.hpp"

namespace mnist_sgd {

// linear1 for one image x (784): z = x . weights + bias.
float linear1_row(const float* x, const float* weights, float bias);

// The model's probability that one image x (784) is a 3: sigmoid(linear1(x)).
inline float predict_three(const float* x, const LinearParams& params) {
  return sigmoid(linear1_row(x, params.weights.data(), params.bias));
}

// One SGD step, p -= lr * grad, on the images set[rows[0..count)]; returns the batch's mnist_loss
// (computed before the step, as the book's loop does). dz is the step's workspace: dL/dz of each image.
float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
                    std::vector<float>& dz);

}  // namespace mnist_sgd
