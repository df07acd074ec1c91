#include "book/model.hpp"

#include <cmath>

#include "fast/linear_step.hpp"
#include "book/simple_net.hpp"

namespace mnist_sgd {
namespace {

// A batch as the spec sees it: xb (count, 784) and yb (count), copied out like a DataLoader's batch.
void batch_tensors(const Dataset& set, const int* rows, int count, Eigen::MatrixXf& xb, Eigen::VectorXf& yb) {
  xb.resize(count, kInputs);
  yb.resize(count);
  for (int i = 0; i < count; ++i) {
    xb.row(i) = Eigen::Map<const Eigen::RowVectorXf>(set.image(rows[i]), kInputs);
    yb[i] = set.y[rows[i]];
  }
}

// The linear model without its step: FastLinear and SpecLinear add the two ways of taking it.
class Linear : public Model {
 public:
  explicit Linear(LinearParams params) : params_(std::move(params)) {}
  ModelKind kind() const override { return ModelKind::linear; }
  float predict_three(const float* x) const override { return mnist_sgd::predict_three(x, params_); }
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
  bool finite() const override { return std::isfinite(params_.bias) && params_.weights.allFinite(); }

 protected:
  LinearParams params_;
};

class FastLinear final : public Linear {
 public:
  using Linear::Linear;
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    return mnist_sgd::sgd_step(set, rows, count, lr, params_, dz_);
  }

 private:
  std::vector<float> dz_;  // the fast kernel's dL/dz for one batch
};

class SpecLinear final : public Linear {
 public:
  using Linear::Linear;
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    Eigen::MatrixXf xb;
    Eigen::VectorXf yb;
    batch_tensors(set, rows, count, xb, yb);
    const Gradients grads = calc_grad(xb, yb, params_);
    params_.weights -= lr * grads.weights;
    params_.bias -= lr * grads.bias;
    return grads.loss;
  }
};

class SimpleNet : public Model {
 public:
  explicit SimpleNet(SimpleNetParams params) : params_(std::move(params)) {}
  ModelKind kind() const override { return ModelKind::simple_net; }
  float predict_three(const float* x) const override { return mnist_sgd::predict_three(x, params_); }
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
    return std::isfinite(params_.b2) && params_.w1.allFinite() && params_.b1.allFinite() && params_.w2.allFinite();
  }

 protected:
  SimpleNetParams params_;
};

class FastSimpleNet final : public SimpleNet {
 public:
  using SimpleNet::SimpleNet;
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    return sgd_step_simple_net(set, rows, count, lr, params_, grad_w1_);
  }

 private:
  std::vector<float> grad_w1_;  // the fast step's workspace
};

class SpecSimpleNet final : public SimpleNet {
 public:
  using SimpleNet::SimpleNet;
  float sgd_step(const Dataset& set, const int* rows, int count, float lr) override {
    Eigen::MatrixXf xb;
    Eigen::VectorXf yb;
    batch_tensors(set, rows, count, xb, yb);
    const SimpleNetGradients grads = calc_grad(xb, yb, params_);
    params_.w1 -= lr * grads.w1;
    params_.b1 -= lr * grads.b1;
    params_.w2 -= lr * grads.w2;
    params_.b2 -= lr * grads.b2;
    return grads.loss;
  }
};

template <typename LinearStep, typename SimpleNetStep>
std::unique_ptr<Model> make(ModelKind kind, std::uint64_t seed, Init init) {
  if (kind == ModelKind::linear) return std::make_unique<LinearStep>(init_params(seed, init));
  return std::make_unique<SimpleNetStep>(init_simple_net(seed, init));
}

}  // namespace

const ModelFacts& model_facts(ModelKind kind) {
  static constexpr ModelFacts kLinear = {"linear", 1, kParamCount, {1.0, 20}, Init::randn};
  static constexpr ModelFacts kSimpleNet = {"simple_net", kHidden, kSimpleNetParamCount, {0.1, 40},
                                            Init::pytorch_linear};
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

std::unique_ptr<Model> make_model(ModelKind kind, std::uint64_t seed, Init init) {
  return make<FastLinear, FastSimpleNet>(kind, seed, init);
}

std::unique_ptr<Model> make_spec_model(ModelKind kind, std::uint64_t seed, Init init) {
  return make<SpecLinear, SpecSimpleNet>(kind, seed, init);
}

Result<std::unique_ptr<Model>> make_model(ModelKind kind, const std::vector<float>& flat) {
  std::unique_ptr<Model> model;
  if (kind == ModelKind::linear) model = std::make_unique<FastLinear>(LinearParams{});
  else model = std::make_unique<FastSimpleNet>(SimpleNetParams{});
  if (auto set = model->set_flat_params(flat); !set) return Error{set.error()};
  return model;
}

}  // namespace mnist_sgd
