// The fast step of the linear model. A batch is taken 16 images at a time: their forward pass (z, the loss,
// dL/dz) reads their bytes from memory and writes the book's floats into a chunk that stays in cache, where
// the backward pass, which adds eight images at a time into the gradient, finds them; so an epoch reads
// its 9.7 MB of pixels once. Blocks of 8 pixels that are blank (three fifths of an image's; in a pass of
// eight images, a third are blank in all eight) are skipped where their products are +-0. Same maths as
// book/linear.hpp, which is its spec (calc_grad, then p -= lr * grad); a test holds the two equal.
//
// The loops use vectors of 4 floats (fast/simd.hpp), or of 8 natively with AVX2, with the same bits.
#pragma once

#include <vector>

#include "book/dataset.hpp"
#include "book/linear.hpp"
#include "fast/simd.hpp"

namespace mnist_sgd {

// linear1 for one image x (784): z = x . weights + bias.
float linear1_row(const float* x, const float* weights, float bias);

// The model's probability that one image x (784) is a 3: sigmoid(linear1(x)).
inline float predict_three(const float* x, const LinearParams& params) {
  return sigmoid(linear1_row(x, params.weights.data(), params.bias));
}

// linear1 for every image of `set`, in order: linear1_row of each image's floats, read from its bytes (with
// finite weights, only its inked blocks).
std::vector<float> linear1_rows(const Dataset& set, const LinearParams& params);

// One SGD step, p -= lr * grad, on the images set[rows[0..count)]; returns the batch's mnist_loss
// (computed before the step, as the book's loop does). workspace is the step's (kept by the caller, so
// that a step allocates nothing). lanes: the vectors' width, 4 or 8 (16 runs
// as 8: the step takes blocks of 8 pixels).
float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
                    std::vector<float>& workspace, int lanes = fast_lanes());

}  // namespace mnist_sgd
