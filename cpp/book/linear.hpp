// Chapter 4's model, in the book's own names and order: init_params, linear1, sigmoid, mnist_loss (and its
// derivative), calc_grad, batch_accuracy. One linear layer (784 -> 1), trained by plain SGD.
//
// Written with Eigen to read like the book's PyTorch, these are the spec. The training loop runs the fused,
// cache-friendly step in fast/linear_step.hpp, which calls the same sigmoid, mnist_loss and derivative; a
// test holds the two equal. B is the batch size in the shapes below.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <vector>

#include "book/dataset.hpp"
#include "common/portable_math.hpp"
#include "common/result.hpp"
#include "common/torch_random.hpp"

namespace mnist_sgd {

struct LinearParams {
  Eigen::VectorXf weights = Eigen::VectorXf::Zero(kInputs);  // (784), pixel order row * 28 + col
  float bias = 0.0f;
};

enum class Init {
  randn,           // the book's init_params: torch.randn(size) * 1.0
  pytorch_linear,  // nn.Linear's default: kaiming_uniform_ weights and a bias in +-1/sqrt(fan_in)
};

// The book: weights = init_params((28*28, 1)); bias = init_params(1), drawn from PyTorch's global generator
// as the notebook draws them (Init::pytorch_linear: nn.Linear(28*28, 1)).
LinearParams init_params(Init init, TorchGenerator& generator);
// The same right after torch.manual_seed(seed).
LinearParams init_params(std::uint64_t seed, Init init = Init::randn);

// The reference files' layout: the 784 weights, then the bias.
constexpr int kParamCount = kInputs + 1;
std::vector<float> to_flat(const LinearParams& params);
Result<LinearParams> from_flat(const std::vector<float>& flat);

// The book: def linear1(xb): return xb @ weights + bias. xb (B, 784), pixels / 255 -> z (B).
Eigen::VectorXf linear1(const Eigen::MatrixXf& xb, const LinearParams& params);

// 1 / (1 + e^-z), evaluated in double with portable_exp and rounded once: the same float on every platform.
inline float sigmoid(float z) {
  if (!(std::fabs(z) < 700.0f)) return std::isnan(z) ? z : (z > 0.0f ? 1.0f : 0.0f);  // saturated (or NaN)
  return static_cast<float>(1.0 / (1.0 + portable_exp(-static_cast<double>(z))));
}
Eigen::VectorXf sigmoid(const Eigen::VectorXf& z);

// The book:
//   def mnist_loss(predictions, targets):
//       predictions = predictions.sigmoid()
//       return torch.where(targets == 1, 1 - predictions, predictions).mean()
// One image's term, from its s = sigmoid(z): how far the model is from sure of the right answer.
inline float mnist_loss_term(float s, bool is_three) { return is_three ? 1.0f - s : s; }
// predictions (B) are raw outputs z; targets (B) are 1 for a 3 and 0 for a 7.
float mnist_loss(const Eigen::VectorXf& predictions, const Eigen::VectorXf& targets);

// mnist_loss's backward through the sigmoid, for one image of a batch of B (inv_batch = 1 / B): dL/dz.
// With L = mean_i(y_i == 1 ? 1 - s_i : s_i) and ds/dz = s (1 - s),
//   dL/dz_i = (y_i == 1 ? -1 : +1) * s_i (1 - s_i) / B,
// not cross-entropy's s - y: this loss saturates, and its gradient vanishes where the model is sure.
// Every step, plain and fast, takes its dL/dz from here.
inline float mnist_loss_backward(float s, bool is_three, float inv_batch) {
  return (is_three ? -inv_batch : inv_batch) * s * (1.0f - s);
}
// The same for a batch: s (B), targets (B) -> dL/dz (B).
Eigen::VectorXf mnist_loss_backward(const Eigen::VectorXf& s, const Eigen::VectorXf& targets);

struct Gradients {
  Eigen::VectorXf weights;  // dL/dweights, (784)
  float bias = 0.0f;        // dL/dbias
  float loss = 0.0f;        // the batch loss they belong to
};

// The book:
//   def calc_grad(xb, yb, model):
//       preds = model(xb); loss = mnist_loss(preds, yb); loss.backward()
// Here the backward is written out: the batch's loss and its gradients.
Gradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const LinearParams& params);

// One step of the book's train_epoch: calc_grad, then p.data -= p.grad * lr for each parameter. Returns
// the batch's loss before the step.
float sgd_step(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, float lr, LinearParams& params);

// The book:
//   def batch_accuracy(xb, yb):
//       preds = xb.sigmoid(); correct = (preds > 0.5) == yb; return correct.float().mean()
// predictions (B) are raw outputs z; the fraction of the batch predicted right.
float batch_accuracy(const Eigen::VectorXf& predictions, const Eigen::VectorXf& yb);

// The book's validate_epoch prints round(x, 4), as Python rounds.
float round4(float x);

}  // namespace mnist_sgd
