// The fast step of simple_net. Each image is taken forward and backward at once, and only its inked pixels
// are read (Dataset::ink lists them once): four fifths of an MNIST digit is blank, and a blank pixel adds
// nothing to the hidden layer or to the gradient of w1. Same maths as book/simple_net.hpp, which is its
// spec; a test holds the two equal.
#pragma once

#include <vector>

#include "book/dataset.hpp"
#include "book/simple_net.hpp"
#include "fast/simd.hpp"

namespace mnist_sgd {

// simple_net for one image x (784): its output z.
float simple_net_row(const float* x, const SimpleNetParams& params);

// simple_net for every image of `set`, in order: simple_net_row of each image's floats, read from the lists of
// its inked pixels (Dataset::ink, listed at the first call). Validation under Node: 0.95 ms, against 2.20
// from each whole image's floats.
std::vector<float> simple_net_rows(const Dataset& set, const SimpleNetParams& params);

// The probability that one image x (784) is a 3.
inline float predict_three(const float* x, const SimpleNetParams& params) { return sigmoid(simple_net_row(x, params)); }

// One SGD step, p -= lr * grad, on set[rows[0..count)]; returns the batch's mnist_loss (before the step).
// workspace is the step's own (kept by the caller, so that a step allocates nothing, and used for nothing
// else: the step leaves its gradient there zeroed for the next). lanes: the vectors'
// width, 4, 8 or 16 (fast/simd.hpp's fast_lanes(); a width the processor lacks falls back to the widest it has).
float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, SimpleNetParams& params,
                    std::vector<float>& workspace, int lanes = fast_lanes());

}  // namespace mnist_sgd
