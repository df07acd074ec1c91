#include "linear_model.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "random.hpp"

namespace mnist_sgd {

LinearParams init_params(std::uint64_t seed, Init init) {
  Rng rng(seed);
  const double bound = 1.0 / std::sqrt(static_cast<double>(kInputs));
  auto draw = [&]() -> float {
    return static_cast<float>(init == Init::randn ? rng.normal() : (2.0 * rng.uniform() - 1.0) * bound);
  };
  LinearParams params;
  for (int i = 0; i < kInputs; ++i) params.weights[i] = draw();
  params.bias = draw();
  return params;
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

Eigen::VectorXf linear1(const Eigen::MatrixXf& xb, const LinearParams& params) {
  return (xb * params.weights).array() + params.bias;
}

Eigen::VectorXf sigmoid(const Eigen::VectorXf& z) { return z.unaryExpr([](float v) { return sigmoid(v); }); }

float mnist_loss(const Eigen::VectorXf& predictions, const Eigen::VectorXf& targets) {
  const Eigen::VectorXf s = sigmoid(predictions);
  return (targets.array() == 1.0f).select(1.0f - s.array(), s.array()).mean();
}

Gradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const LinearParams& params) {
  const Eigen::VectorXf z = linear1(xb, params);  // (B)
  const Eigen::VectorXf s = sigmoid(z);           // (B)
  const float batch = static_cast<float>(xb.rows());
  // L = mean_i(y_i == 1 ? 1 - s_i : s_i) and ds/dz = s (1 - s), so
  // dL/dz_i = (y_i == 1 ? -1 : +1) * s_i (1 - s_i) / B. (Not cross-entropy's s - y: this loss saturates.)
  const Eigen::VectorXf dz =
      (yb.array() == 1.0f).select(-Eigen::ArrayXf::Ones(xb.rows()), 1.0f) * s.array() * (1.0f - s.array()) / batch;
  Gradients grads;
  grads.loss = mnist_loss(z, yb);
  grads.weights.noalias() = xb.transpose() * dz;  // (784) = (784, B) @ (B)
  grads.bias = dz.sum();
  return grads;
}

float batch_accuracy(const Eigen::VectorXf& predictions, const Eigen::VectorXf& yb) {
  const Eigen::ArrayXf preds = sigmoid(predictions).array();
  const Eigen::ArrayXf predicted_three = (preds > 0.5f).cast<float>();
  return (predicted_three == yb.array()).cast<float>().mean();
}

float round4(float x) { return static_cast<float>(std::round(static_cast<double>(x) * 1e4) / 1e4); }

std::string format_params(const std::vector<float>& flat) {
  std::string text;
  char line[32];
  for (float value : flat) {
    std::snprintf(line, sizeof line, "%.9g\n", value);
    text += line;
  }
  return text;
}

Result<std::vector<float>> parse_params(const std::string& text, std::size_t expected_count) {
  std::vector<float> values;
  // A byte-order mark, which some editors put first, is not part of the first number.
  std::size_t line_start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  int line_number = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    ++line_number;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t first = 0;
    while (first < line.size() && std::isspace(static_cast<unsigned char>(line[first]))) ++first;
    line.erase(0, first);
    if (line.empty()) continue;
    if (values.size() == expected_count)
      return Error{"expected " + std::to_string(expected_count) + " numbers, found more (line " +
                   std::to_string(line_number) + ")"};
    // Decimal numbers only: strtof would also read hex floats, "inf" and "nan", which no parameters file holds.
    char* end = nullptr;
    const float value = std::strtof(line.c_str(), &end);
    const bool decimal = line.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (!decimal || end != line.c_str() + line.size() || !std::isfinite(value))
      return Error{"line " + std::to_string(line_number) + ": '" + line.substr(0, 40) + "' is not a finite number"};
    values.push_back(value);
  }
  if (values.size() != expected_count)
    return Error{"expected " + std::to_string(expected_count) + " numbers, found " + std::to_string(values.size())};
  return values;
}

}  // namespace mnist_sgd
