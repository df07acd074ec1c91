// Chapter 4's model, in the book's own names: one linear layer (784 -> 1), a sigmoid, mnist_loss, plain SGD.
//
// These are the plain versions, written with Eigen to read like the book's PyTorch; they are the spec.
// kernels.hpp has the fused, cache-friendly step the trainer runs, and a test holds the two equal.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "common/portable_math.hpp"
#include "common/result.hpp"

namespace mnist_sgd {

constexpr int kParamCount = kInputs + 1;  // the reference files' layout: 784 weights, then the bias

struct LinearParams {
  Eigen::VectorXf weights = Eigen::VectorXf::Zero(kInputs);  // (784), pixel order row * 28 + col
  float bias = 0.0f;
};

enum class Init {
  randn,           // the book's init_params: torch.randn(size) * 1.0
  pytorch_linear,  // nn.Linear's default: uniform in +-1/sqrt(784)
};

// The book: weights = init_params((28*28, 1)); bias = init_params(1). Weights are drawn first, then the bias.
LinearParams init_params(std::uint64_t seed, Init init = Init::randn);

std::vector<float> to_flat(const LinearParams& params);
Result<LinearParams> from_flat(const std::vector<float>& flat);

// xb is (B, 784) with pixels / 255; returns z = xb @ weights + bias, (B).
Eigen::VectorXf linear1(const Eigen::MatrixXf& xb, const LinearParams& params);

// 1 / (1 + e^-z), evaluated in double with portable_exp and rounded once: the same float on every platform.
inline float sigmoid(float z) {
  if (!(std::fabs(z) < 700.0f)) return std::isnan(z) ? z : (z > 0.0f ? 1.0f : 0.0f);  // saturated (or NaN)
  return static_cast<float>(1.0 / (1.0 + portable_exp(-static_cast<double>(z))));
}
Eigen::VectorXf sigmoid(const Eigen::VectorXf& z);

// The book: predictions = predictions.sigmoid(); torch.where(targets == 1, 1 - predictions, predictions).mean()
// predictions (B) are raw outputs z; targets (B) are 1 for a 3 and 0 for a 7.
float mnist_loss(const Eigen::VectorXf& predictions, const Eigen::VectorXf& targets);

struct Gradients {
  Eigen::VectorXf weights;  // dL/dweights, (784)
  float bias = 0.0f;        // dL/dbias
  float loss = 0.0f;        // the batch loss they belong to
};

// The book's calc_grad: the loss of the batch and its gradients.
Gradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const LinearParams& params);

// The book's batch_accuracy: (sigmoid(z) > 0.5) == yb, as a fraction of the batch.
float batch_accuracy(const Eigen::VectorXf& predictions, const Eigen::VectorXf& yb);

// The seed's printed metric: round(x, 4) as Python prints it.
float round4(float x);

// The reference files' text format: one number a line (%.9g).
std::string format_params(const std::vector<float>& flat);
Result<std::vector<float>> parse_params(const std::string& text, std::size_t expected_count);

}  // namespace mnist_sgd
