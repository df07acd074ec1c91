#include "book/simple_net.hpp"

#include <cmath>

namespace mnist_sgd {

SimpleNetParams init_simple_net(Init init, TorchGenerator& generator) {
  const std::vector<float> flat = init == Init::randn ? torch::simple_net_randn_params(kInputs, kHidden, generator)
                                                      : torch::simple_net_nn_params(kInputs, kHidden, generator);
  return simple_net_from_flat(flat).value();  // finite by construction
}

SimpleNetParams init_simple_net(std::uint64_t seed, Init init) {
  TorchGenerator generator(seed);
  return init_simple_net(init, generator);
}

std::vector<float> to_flat(const SimpleNetParams& params) {
  std::vector<float> flat;
  flat.reserve(kSimpleNetParamCount);
  for (int h = 0; h < kHidden; ++h)
    for (int p = 0; p < kInputs; ++p) flat.push_back(params.w1(h, p));
  flat.insert(flat.end(), params.b1.data(), params.b1.data() + kHidden);
  flat.insert(flat.end(), params.w2.data(), params.w2.data() + kHidden);
  flat.push_back(params.b2);
  return flat;
}

Result<SimpleNetParams> simple_net_from_flat(const std::vector<float>& flat) {
  if (flat.size() != static_cast<std::size_t>(kSimpleNetParamCount))
    return Error{"expected " + std::to_string(kSimpleNetParamCount) +
                 " parameters (w1 30x784, b1 30, w2 30, b2), got " + std::to_string(flat.size())};
  for (float value : flat)
    if (!std::isfinite(value)) return Error{"parameters must be finite numbers"};
  SimpleNetParams params;
  const float* next = flat.data();
  for (int h = 0; h < kHidden; ++h)
    for (int p = 0; p < kInputs; ++p) params.w1(h, p) = *next++;
  for (int h = 0; h < kHidden; ++h) params.b1[h] = *next++;
  for (int h = 0; h < kHidden; ++h) params.w2[h] = *next++;
  params.b2 = *next;
  return params;
}

Eigen::VectorXf simple_net(const Eigen::MatrixXf& xb, const SimpleNetParams& params, Eigen::MatrixXf* pre_activation) {
  // lazyProduct: Eigen's plain coefficient loops, not its blocked GEMM, which would add 30 KB to the
  // WebAssembly module, which runs this only for a traced step's gradient.
  Eigen::MatrixXf pre = xb.lazyProduct(params.w1.transpose());  // (B, 30)
  pre.rowwise() += params.b1.transpose();
  Eigen::VectorXf z = pre.cwiseMax(0.0f).lazyProduct(params.w2).array() + params.b2;  // (B)
  if (pre_activation) *pre_activation = std::move(pre);
  return z;
}

SimpleNetGradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const SimpleNetParams& params) {
  Eigen::MatrixXf pre;                                             // (B, 30)
  const Eigen::VectorXf z = simple_net(xb, params, &pre);          // (B)
  const Eigen::MatrixXf hidden = pre.cwiseMax(0.0f);               // (B, 30)
  const Eigen::VectorXf dz = mnist_loss_backward(sigmoid(z), yb);  // dL/dz, (B): as for the linear model
  // Through the ReLU: d relu(u)/du is 1 where u > 0 and 0 elsewhere (PyTorch's choice at 0 too).
  const Eigen::MatrixXf dpre = ((dz * params.w2.transpose()).array() * (pre.array() > 0.0f).cast<float>()).matrix();
  SimpleNetGradients grads;
  grads.loss = mnist_loss(z, yb);
  grads.w2 = hidden.transpose().lazyProduct(dz);  // (30) = (30, B) @ (B)
  grads.b2 = dz.sum();
  grads.w1 = dpre.transpose().lazyProduct(xb);  // (30, 784) = (30, B) @ (B, 784)
  grads.b1 = dpre.colwise().sum().transpose();
  return grads;
}

float sgd_step(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, float lr, SimpleNetParams& params) {
  const SimpleNetGradients grads = calc_grad(xb, yb, params);
  params.w1 -= lr * grads.w1;
  params.b1 -= lr * grads.b1;
  params.w2 -= lr * grads.w2;
  params.b2 -= lr * grads.b2;
  return grads.loss;
}

}  // namespace mnist_sgd
