#include "book/model.hpp"

#include <cmath>

#include "book/simple_net.hpp"
#include "fast/linear_step.hpp"
#include "fast/simd.hpp"
#include "fast/simple_net_step.hpp"

namespace mnist_sgd {
namespace {

// The step the CLI and the page take: fast/linear_step.cpp or fast/simple_net_step.cpp.
struct FastStep {
  template <typename Params>
  static float take(const Dataset& set, const int* rows, int count, float lr, Params& params,
                    std::vector<float>& workspace) {
    return fast_sgd_step(set, rows, count, lr, params, workspace);
  }
};

// The batch set[rows[0..count)] copied out as the book's DataLoader gives it: xb (count, 784), yb (count).
struct Batch {
  Eigen::MatrixXf xb;
  Eigen::VectorXf yb;
  Batch(const Dataset& set, const int* rows, int count) : xb(count, kInputs), yb(count) {
    for (int i = 0; i < count; ++i) {
      xb.row(i) = Eigen::Map<const Eigen::RowVectorXf>(set.image(rows[i]).data(), kInputs);
      yb[i] = set.y[rows[i]];
    }
  }
};

// The book's step, on the batch as the book's DataLoader gives it.
struct BookStep {
  template <typename Params>
  static float take(const Dataset& set, const int* rows, int count, float lr, Params& params,
                    std::vector<float>& /*workspace*/) {
    const Batch batch(set, rows, count);
    return sgd_step(batch.xb, batch.yb, lr, params);
  }
};

template <typename Step>
class Linear final : public Model {
 public:
  explicit Linear(LinearParams params) : params_(std::move(params)) {}
  ModelKind kind() const override { return ModelKind::linear; }
  float forward(const float* x) const override { return linear1_row(x, params_.weights.data(), params_.bias); }
  std::vector<float> outputs(const Dataset& set) const override { return linear1_rows(set, params_); }
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    return Step::take(set, rows, count, lr, params_, workspace_);
  }
  std::vector<float> book_gradient(const Dataset& set, const int* rows, int count) const override {
    const Batch batch(set, rows, count);
    const Gradients grads = calc_grad(batch.xb, batch.yb, params_);
    return to_flat(LinearParams{grads.weights, grads.bias});  // a gradient has its parameters' layout
  }
  std::vector<float> flat_params() const override { return to_flat(params_); }

  Result<void> set_flat_params(const std::vector<float>& flat) override {
    auto params = from_flat(flat);
    if (!params) return Error{params.error()};
    params_ = std::move(params).value();
    return {};
  }

  std::vector<float> input_weights() const override {
    return {params_.weights.data(), params_.weights.data() + kInputs};
  }
  bool finite() const override { return std::isfinite(params_.bias) && all_finite(params_.weights.data(), kInputs); }

 private:
  LinearParams params_;
  std::vector<float> workspace_;
};

template <typename Step>
class SimpleNet final : public Model {
 public:
  explicit SimpleNet(SimpleNetParams params) : params_(std::move(params)) {}
  ModelKind kind() const override { return ModelKind::simple_net; }
  float forward(const float* x) const override { return simple_net_row(x, params_); }
  std::vector<float> outputs(const Dataset& set) const override { return simple_net_rows(set, params_); }
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    return Step::take(set, rows, count, lr, params_, workspace_);
  }
  std::vector<float> book_gradient(const Dataset& set, const int* rows, int count) const override {
    const Batch batch(set, rows, count);
    const SimpleNetGradients grads = calc_grad(batch.xb, batch.yb, params_);
    return to_flat(SimpleNetParams{grads.w1, grads.b1, grads.w2, grads.b2});
  }
  std::vector<float> flat_params() const override { return to_flat(params_); }

  Result<void> set_flat_params(const std::vector<float>& flat) override {
    auto params = simple_net_from_flat(flat);
    if (!params) return Error{params.error()};
    params_ = std::move(params).value();
    return {};
  }

  std::vector<float> input_weights() const override {
    const std::vector<float> flat = to_flat(params_);
    return {flat.begin(), flat.begin() + kHidden * kInputs};
  }

  bool finite() const override {
    return std::isfinite(params_.b2) && all_finite(params_.w1.data(), static_cast<std::size_t>(params_.w1.size())) &&
           all_finite(params_.b1.data(), kHidden) && all_finite(params_.w2.data(), kHidden);
  }

 private:
  SimpleNetParams params_;
  std::vector<float> workspace_;
};

template <typename Step>
std::unique_ptr<Model> make(ModelKind kind, Init init, TorchGenerator& generator) {
  if (kind == ModelKind::linear) return std::make_unique<Linear<Step>>(init_params(init, generator));
  return std::make_unique<SimpleNet<Step>>(init_simple_net(init, generator));
}

}  // namespace

// Out of line: the sigmoid's exp is long, and the page's module would carry a copy for every caller.
float Model::predict_three(const float* x) const { return sigmoid(forward(x)); }

const ModelFacts& model_facts(ModelKind kind) {
  static constexpr ModelFacts kLinear = {"linear", 1, kParamCount, {1.0, 20}, Init::randn};
  static constexpr ModelFacts kSimpleNet = {
      "simple_net", kHidden, kSimpleNetParamCount, {0.1, 40}, Init::pytorch_linear};
  return kind == ModelKind::linear ? kLinear : kSimpleNet;
}

Result<ModelKind> parse_model_kind(const std::string& name) {
  for (ModelKind kind : kModelKinds)
    if (name == model_facts(kind).name) return kind;
  return Error{"model must be \"linear\" or \"simple_net\""};
}

const char* init_name(Init init) { return init == Init::randn ? "randn" : "pytorch"; }

Result<Init> parse_init(const std::string& name) {
  for (Init init : kInits)
    if (name == init_name(init)) return init;
  return Error{"init must be \"randn\" or \"pytorch\""};
}

std::unique_ptr<Model> make_model(ModelKind kind, Init init, TorchGenerator& generator) {
  return make<FastStep>(kind, init, generator);
}

std::unique_ptr<Model> make_model(ModelKind kind, std::uint64_t seed, Init init) {
  TorchGenerator generator(seed);
  return make<FastStep>(kind, init, generator);
}

std::unique_ptr<Model> make_spec_model(ModelKind kind, Init init, TorchGenerator& generator) {
  return make<BookStep>(kind, init, generator);
}

std::unique_ptr<Model> make_spec_model(ModelKind kind, std::uint64_t seed, Init init) {
  TorchGenerator generator(seed);
  return make<BookStep>(kind, init, generator);
}

Result<std::unique_ptr<Model>> make_model(ModelKind kind, const std::vector<float>& flat) {
  std::unique_ptr<Model> model;
  if (kind == ModelKind::linear) model = std::make_unique<Linear<FastStep>>(LinearParams{});
  else model = std::make_unique<SimpleNet<FastStep>>(SimpleNetParams{});
  if (auto set = model->set_flat_params(flat); !set) return Error{set.error()};
  return model;
}

}  // namespace mnist_sgd
