// The fast path of the linear model: one fused pass per batch over the images as stored (uint8), the
// gradient accumulated in L1. Same maths as linear_model.hpp, which is its spec; a test holds them equal.
//
// The loops are plain C++ with several independent accumulators, written so that GCC (SSE2) and
// Emscripten's clang (-msimd128) vectorise them: Eigen 3.4 has no WebAssembly SIMD path.
#pragma once

#include <cstdint>
#include <vector>

#include "linear_model.hpp"
#include "mnist_sample.hpp"

namespace mnist_sgd {

// pixel / 255, correctly rounded (the double product is never close enough to a float tie to round
// differently, so this equals float(p) / 255.0f for all 256 values; a test checks each).
inline float pixel_value(std::uint8_t p) { return static_cast<float>(p * (1.0 / 255.0)); }

// z = x . weights + bias for one image, x = pixels / 255.
float linear1_row(const std::uint8_t* pixels, const float* weights, float bias);

// One SGD step, p -= lr * grad, on the images set[rows[0..count)]; returns the batch's mnist_loss
// (computed before the step, as the book's loop does).
float sgd_step(const Dataset& set, const int* rows, int count, float lr, LinearParams& params,
               std::vector<float>& scratch);

// How many of set[first, first + count) the model classifies correctly (sigmoid(z) > 0.5 means "3").
int count_correct(const Dataset& set, int first, int count, const LinearParams& params);

}  // namespace mnist_sgd
