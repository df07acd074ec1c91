// The chapter's last model, simple_net: 784 -> 30 -> 1 with a ReLU between, trained with the same
// mnist_loss and plain SGD as the linear model. The book builds it as
//
//   simple_net = nn.Sequential(nn.Linear(28*28, 30), nn.ReLU(), nn.Linear(30, 1))
//
// These are the plain versions, written with Eigen to read like that; they are the spec. The training loop
// runs the fast step in fast/simple_net_step.hpp, and a test holds the two equal.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "book/dataset.hpp"
#include "book/linear.hpp"
#include "common/result.hpp"

namespace mnist_sgd {

constexpr int kHidden = 30;
// The reference files' layout: w1 as PyTorch stores it, (30 out x 784 in) row-major; b1; w2 (1 x 30); b2.
constexpr int kSimpleNetParamCount = kHidden * kInputs + kHidden + kHidden + 1;  // 23,581

struct SimpleNetParams {
  // (30, 784), column-major: one pixel's 30 weights sit together, which is what the fast step reads.
  Eigen::MatrixXf w1 = Eigen::MatrixXf::Zero(kHidden, kInputs);
  Eigen::VectorXf b1 = Eigen::VectorXf::Zero(kHidden);  // (30)
  Eigen::VectorXf w2 = Eigen::VectorXf::Zero(kHidden);  // (30): the (1, 30) second layer
  float b2 = 0.0f;
};

// Drawn from PyTorch's global generator as the notebook draws them: Init::randn is the book's hand-written
// simple_net (w1 = init_params((28*28, 30)), b1, w2, b2, each torch.randn); Init::pytorch_linear is
// nn.Sequential(nn.Linear(28*28, 30), nn.ReLU(), nn.Linear(30, 1)), each layer kaiming_uniform_ weights and
// a bias in +-1/sqrt(fan_in).
SimpleNetParams init_simple_net(Init init, TorchGenerator& generator);
// The same right after torch.manual_seed(seed).
SimpleNetParams init_simple_net(std::uint64_t seed, Init init);

std::vector<float> to_flat(const SimpleNetParams& params);
Result<SimpleNetParams> simple_net_from_flat(const std::vector<float>& flat);

// The forward pass of a batch xb (B, 784): z (B), and the hidden layer before its ReLU (B, 30) if asked.
Eigen::VectorXf simple_net(const Eigen::MatrixXf& xb, const SimpleNetParams& params,
                           Eigen::MatrixXf* pre_activation = nullptr);

struct SimpleNetGradients {
  Eigen::MatrixXf w1;  // (30, 784)
  Eigen::VectorXf b1;  // (30)
  Eigen::VectorXf w2;  // (30)
  float b2 = 0.0f;
  float loss = 0.0f;  // the batch loss they belong to
};

// calc_grad for simple_net: the batch's mnist_loss and its gradients, by the chain rule through
// z = relu(xb @ w1^T + b1) @ w2 + b2.
SimpleNetGradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const SimpleNetParams& params);

// One step of the book's train_epoch for simple_net: calc_grad, then p -= lr * grad. Returns the batch's
// loss before the step.
float sgd_step(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, float lr, SimpleNetParams& params);

}  // namespace mnist_sgd
