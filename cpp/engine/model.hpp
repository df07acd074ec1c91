// What the trainer trains: the chapter's linear model (the seed) or simple_net, behind one interface, so
// that the training loop, validation, the CLI and the page are each written once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linear_model.hpp"
#include "mnist_sample.hpp"
#include "result.hpp"

namespace mnist_sgd {

enum class ModelKind { linear, simple_net };

enum class Kernel {
  fast,   // the cache-friendly step (kernels.hpp, simple_net.hpp)
  plain,  // the Eigen spec (linear_model.hpp, simple_net.hpp), on a copy of each batch
};

class Model {
 public:
  virtual ~Model() = default;
  virtual ModelKind kind() const = 0;

  // One SGD step, p -= lr * grad, on the images set[rows[0..count)]; returns the batch's mnist_loss
  // (computed before the step, as the book's loop does).
  virtual float sgd_step(const Dataset& set, const int* rows, int count, float lr, Kernel kernel) = 0;
  // The probability that one image (784 values in [0, 1]) is a 3: the sigmoid of the model's output.
  virtual float predict_three(const float* x) const = 0;

  // The parameters in the layout of the reference files (see param_count).
  virtual std::vector<float> flat_params() const = 0;
  virtual Result<void> set_flat_params(const std::vector<float>& flat) = 0;
  // The first layer's weights, (units, 784) row-major, one 28x28 map per unit: what the page draws.
  virtual std::vector<float> input_weights() const = 0;
  virtual bool finite() const = 0;
};

const char* model_name(ModelKind kind);  // "linear", "simple_net"
std::optional<ModelKind> parse_model_kind(const std::string& name);
std::size_t param_count(ModelKind kind);  // 785, 23,581
// The book's own choice for each: init_params (randn) for the linear model, nn.Linear's default for
// simple_net, which the book builds from nn.Linear layers.
Init default_init(ModelKind kind);

std::unique_ptr<Model> make_model(ModelKind kind, std::uint64_t seed, Init init);
// From parameters in the reference files' layout; an error says what is wrong with them.
Result<std::unique_ptr<Model>> make_model(ModelKind kind, const std::vector<float>& flat);
std::unique_ptr<Model> make_linear_model(LinearParams params);

}  // namespace mnist_sgd
