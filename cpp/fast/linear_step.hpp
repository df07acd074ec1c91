// The fast path of the linear model. A batch is taken 64 images at a time: their forward pass (z, the loss,
// dL/dz) reads them from memory, and the backward pass, which adds eight images at a time into the
// gradient, finds them still in cache; so an epoch reads its 38.9 MB once. Same maths as
// linear_model.hpp, which is its spec; a test holds the two equal.
//
// The loops use explicit 4-lane vectors (a GCC/Clang extension) with independent accumulators, which
// become SSE natively and SIMD in WebAssembly: Eigen 3.4 has no WebAssembly SIMD path.
#pragma once

#include <cstdint>
#include <vector>

#include "book/linear.hpp"
#include "book/dataset.hpp"

namespace mnist_sgd {

// z = x . weights + bias for one image x (784).
float linear1_row(const float* x, const float* weights, float bias);

// The model's probability that one image x (784) is a 3: sigmoid(linear1(x)).
float predict_three(const float* x, const LinearParams& params);

// One SGD step, p -= lr * grad, on the images set[rows[0..count)]; returns the batch's mnist_loss
// (computed before the step, as the book's loop does).
float sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
               std::vector<float>& dz);

}  // namespace mnist_sgd
