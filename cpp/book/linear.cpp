#include "book/linear.hpp"

#include <cmath>
#include <string>

namespace mnist_sgd {

LinearParams init_params(Init init, TorchGenerator& generator) {
  const std::vector<float> flat = init == Init::randn ? torch::linear_randn_params(kInputs, generator)
                                                      : torch::linear_nn_params(kInputs, generator);
  return from_flat(flat).value();  // finite by construction
}

LinearParams init_params(std::uint64_t seed, Init init) {
  TorchGenerator generator(seed);
  return init_params(init, generator);
}

std::vector<float> to_flat(const LinearParams& params) {
  std::vector<float> flat(params.weights.data(), params.weights.data() + kInputs);
  flat.push_back(params.bias);
  return flat;
}

Result<LinearParams> from_flat(const std::vector<float>& flat) {
  if (flat.size() != static_cast<std::size_t>(kParamCount))
    return Error{"expected " + std::to_string(kParamCount) + " parameters (784 weights, then the bias), got " +
                 std::to_string(flat.size())};
  for (float value : flat)
    if (!std::isfinite(value)) return Error{"parameters must be finite numbers"};
  LinearParams params;
  params.weights = Eigen::Map<const Eigen::VectorXf>(flat.data(), kInputs);
  params.bias = flat[kInputs];
  return params;
}

// lazyProduct here and in calc_grad: Eigen's plain coefficient loops rather than its blocked GEMV, 3 KB less
// in the page's module, which runs calc_grad only to show a traced step's gradient.
Eigen::VectorXf linear1(const Eigen::MatrixXf& xb, const LinearParams& params) {
  return xb.lazyProduct(params.weights).array() + params.bias;
}

Eigen::VectorXf sigmoid(const Eigen::VectorXf& z) {
  return z.unaryExpr([](float v) { return sigmoid(v); });
}

float mnist_loss(const Eigen::VectorXf& predictions, const Eigen::VectorXf& targets) {
  const Eigen::VectorXf s = sigmoid(predictions);
  return s.binaryExpr(targets, [](float si, float yi) { return mnist_loss_term(si, yi == 1.0f); }).mean();
}

Eigen::VectorXf mnist_loss_backward(const Eigen::VectorXf& s, const Eigen::VectorXf& targets) {
  const float inv_batch = 1.0f / static_cast<float>(s.size());
  return s.binaryExpr(targets,
                      [inv_batch](float si, float yi) { return mnist_loss_backward(si, yi == 1.0f, inv_batch); });
}

Gradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const LinearParams& params) {
  const Eigen::VectorXf z = linear1(xb, params);                   // (B)
  const Eigen::VectorXf dz = mnist_loss_backward(sigmoid(z), yb);  // dL/dz, (B)
  Gradients grads;
  grads.loss = mnist_loss(z, yb);
  grads.weights = xb.transpose().lazyProduct(dz);  // (784) = (784, B) @ (B)
  grads.bias = dz.sum();
  return grads;
}

float sgd_step(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, float lr, LinearParams& params) {
  const Gradients grads = calc_grad(xb, yb, params);
  params.weights -= lr * grads.weights;
  params.bias -= lr * grads.bias;
  return grads.loss;
}

float batch_accuracy(const Eigen::VectorXf& predictions, const Eigen::VectorXf& yb) {
  int correct = 0;
  for (int i = 0; i < predictions.size(); ++i) correct += (sigmoid(predictions[i]) > 0.5f) == (yb[i] == 1.0f);
  return static_cast<float>(correct) / static_cast<float>(predictions.size());
}

float round4(float x) { return static_cast<float>(std::round(static_cast<double>(x) * 1e4) / 1e4); }

}  // namespace mnist_sgd
