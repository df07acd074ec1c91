// What the trainer trains: the chapter's linear model or simple_net, behind one interface, so that the
// training loop, validation, the CLI and the page are each written once. The facts about each model (its
// size, what the book trains it with) are written here once; the CLI and the page ask for them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "book/linear.hpp"
#include "common/result.hpp"

namespace mnist_sgd {

enum class ModelKind { linear, simple_net };

class Model {
 public:
  virtual ~Model() = default;
  virtual ModelKind kind() const = 0;

  // The book's model(x) for one image x (784 values in [0, 1]): its output z, before the sigmoid.
  virtual float forward(const float* x) const = 0;
  // The probability that x is a 3: sigmoid(forward(x)).
  float predict_three(const float* x) const;
  // forward(set.image(i)) for every image i of `set`, in order, with the same bits, read from the images'
  // bytes rather than their floats.
  virtual std::vector<float> outputs(const Dataset& set) const = 0;

  // One step of the book's train_epoch on the images set[rows[0..count)]: calc_grad, then
  // p -= lr * grad. Returns the batch's mnist_loss, computed before the step as the book's loop does.
  virtual float sgd_step(const Dataset& set, const int* rows, int count, float lr) = 0;
  // The book's calc_grad on the same batch, in the layout of flat_params(); changes nothing. Whatever
  // sgd_step runs, this is the spec's gradient: what a traced step shows (Trainer::trace_batch).
  virtual std::vector<float> book_gradient(const Dataset& set, const int* rows, int count) const = 0;

  // The parameters in the layout of the reference files (see ModelFacts::param_count).
  virtual std::vector<float> flat_params() const = 0;
  virtual Result<void> set_flat_params(const std::vector<float>& flat) = 0;
  // The first layer's weights, (units, 784) row-major, one 28x28 map per unit: what the page draws.
  virtual std::vector<float> input_weights() const = 0;
  virtual bool finite() const = 0;
};

constexpr ModelKind kModelKinds[] = {ModelKind::linear, ModelKind::simple_net};

// What the book trains a model with: lr 1 for 20 epochs (the linear model), lr 0.1 for 40 (simple_net).
struct BookSchedule {
  double lr;  // as the book writes it (0.1, a Python float); a run takes it as a float, as PyTorch does
  int epochs;
};

struct ModelFacts {
  const char* name;         // "linear", "simple_net"
  int units;                // of the first layer, each a 28x28 map of weights: 1, 30
  std::size_t param_count;  // in the reference files' layout: 785, 23,581
  BookSchedule book;
  // The book's own choice: init_params (randn) for the linear model, nn.Linear's default for simple_net,
  // which the book builds from nn.Linear layers.
  Init default_init;
};
const ModelFacts& model_facts(ModelKind kind);
// "linear" or "simple_net"; otherwise an error saying so.
Result<ModelKind> parse_model_kind(const std::string& name);

constexpr Init kInits[] = {Init::randn, Init::pytorch_linear};
const char* init_name(Init init);  // "randn", "pytorch"
Result<Init> parse_init(const std::string& name);

// The models as the CLI and the page train them, each step taken by its fast step (fast/), their initial
// parameters drawn from `generator` as the notebook draws them (init_params, init_simple_net).
std::unique_ptr<Model> make_model(ModelKind kind, Init init, TorchGenerator& generator);
// The same right after torch.manual_seed(seed).
std::unique_ptr<Model> make_model(ModelKind kind, std::uint64_t seed, Init init);
// From parameters in the reference files' layout; an error says what is wrong with them.
Result<std::unique_ptr<Model>> make_model(ModelKind kind, const std::vector<float>& flat);

// The same models stepping as the book does (book/linear.hpp, book/simple_net.hpp) on a copy of each batch:
// for the tests that hold the fast steps to it, and --kernel plain. Its own factory, so that the page's
// module, which never asks for it, links none of the spec's steps (only calc_grad, for book_gradient).
std::unique_ptr<Model> make_spec_model(ModelKind kind, Init init, TorchGenerator& generator);
std::unique_ptr<Model> make_spec_model(ModelKind kind, std::uint64_t seed, Init init);

}  // namespace mnist_sgd
