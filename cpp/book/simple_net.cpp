#include "book/simple_net.hpp"

#include <cmath>
#include <cstring>

#include "common/random.hpp"

namespace mnist_sgd {

SimpleNetParams init_simple_net(std::uint64_t seed, Init init) {
  Rng rng(seed);
  auto draw = [&](int fan_in) -> float {
    if (init == Init::randn) return static_cast<float>(rng.normal());
    return static_cast<float>((2.0 * rng.uniform() - 1.0) / std::sqrt(static_cast<double>(fan_in)));
  };
  SimpleNetParams params;
  for (int h = 0; h < kHidden; ++h)
    for (int p = 0; p < kInputs; ++p) params.w1(h, p) = draw(kInputs);
  for (int h = 0; h < kHidden; ++h) params.b1[h] = draw(kInputs);
  for (int h = 0; h < kHidden; ++h) params.w2[h] = draw(kHidden);
  params.b2 = draw(kHidden);
  return params;
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
  // WebAssembly module for a path only the tests and --kernel plain take.
  Eigen::MatrixXf pre = xb.lazyProduct(params.w1.transpose());  // (B, 30)
  pre.rowwise() += params.b1.transpose();
  Eigen::VectorXf z = (pre.cwiseMax(0.0f) * params.w2).array() + params.b2;  // (B)
  if (pre_activation) *pre_activation = std::move(pre);
  return z;
}

SimpleNetGradients calc_grad(const Eigen::MatrixXf& xb, const Eigen::VectorXf& yb, const SimpleNetParams& params) {
  Eigen::MatrixXf pre;                                    // (B, 30)
  const Eigen::VectorXf z = simple_net(xb, params, &pre);  // (B)
  const Eigen::MatrixXf hidden = pre.cwiseMax(0.0f);       // (B, 30)
  const Eigen::VectorXf s = sigmoid(z);
  const float batch = static_cast<float>(xb.rows());
  // dL/dz as for the linear model (see linear_model.cpp): (y == 1 ? -1 : +1) * s (1 - s) / B.
  const Eigen::VectorXf dz =
      (yb.array() == 1.0f).select(-Eigen::ArrayXf::Ones(xb.rows()), 1.0f) * s.array() * (1.0f - s.array()) / batch;
  // Through the ReLU: d relu(u)/du is 1 where u > 0 and 0 elsewhere (PyTorch's choice at 0 too).
  const Eigen::MatrixXf dpre = ((dz * params.w2.transpose()).array() * (pre.array() > 0.0f).cast<float>()).matrix();
  SimpleNetGradients grads;
  grads.loss = mnist_loss(z, yb);
  grads.w2.noalias() = hidden.transpose() * dz;  // (30) = (30, B) @ (B)
  grads.b2 = dz.sum();
  grads.w1 = dpre.transpose().lazyProduct(xb);  // (30, 784) = (30, B) @ (B, 784)
  grads.b1 = dpre.colwise().sum().transpose();
  return grads;
}

namespace {

// Four floats as one value (a GCC/Clang vector extension): an SSE register or a WebAssembly v128.
// Writing the lanes out keeps the order of every addition the same on both.
typedef float f32x4 __attribute__((vector_size(16)));
typedef int i32x4 __attribute__((vector_size(16)));
constexpr int kLanes = 4;
// The 30 hidden units as 8 vectors; lanes 30 and 31 hold zeros and stay zero.
constexpr int kHiddenVectors = (kHidden + kLanes - 1) / kLanes;
constexpr int kFullVectors = kHidden / kLanes;  // 7: units 0..27; w1's columns end with two more units
constexpr int kPixelGroups = kInputs / kLanes;  // 196 groups of four pixels per image
static_assert(kHidden == kFullVectors * kLanes + 2, "the code below adds units 28 and 29 one by one");

inline f32x4 load(const float* p) {
  f32x4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, f32x4 v) { std::memcpy(p, &v, sizeof v); }

// The unit lanes of a padded (32) vector of units, e.g. b1.
void load_units(const float* units, f32x4 (&out)[kHiddenVectors]) {
  float padded[kHiddenVectors * kLanes] = {};
  std::memcpy(padded, units, kHidden * sizeof(float));
  for (int v = 0; v < kHiddenVectors; ++v) out[v] = load(padded + v * kLanes);
}

inline f32x4 where_positive(f32x4 test, f32x4 value) {
  const i32x4 positive = test > f32x4{};
  return reinterpret_cast<f32x4>(positive & reinterpret_cast<i32x4>(value));
}

inline float sum_lanes(f32x4 v) { return (v[0] + v[2]) + (v[1] + v[3]); }

// A blank group of four pixels is all-zero bits (pixels are p / 255 >= 0, never -0).
inline bool has_ink(const float* group) {
  std::uint64_t halves[2];
  std::memcpy(halves, group, sizeof halves);
  return (halves[0] | halves[1]) != 0;
}

// The forward pass of one image: the hidden layer before its ReLU, and which pixels hold ink.
struct Forward {
  f32x4 pre[kHiddenVectors];
  int ink[kInputs];  // the pixels that are not blank, in pixel order
  int ink_count = 0;
};

// pre = w1 @ x + b1, adding the columns of w1 of the inked pixels, in pixel order.
void forward_hidden(const float* x, const float* w1, const f32x4 (&b1)[kHiddenVectors], Forward& out) {
  // Blank groups of four are skipped whole; within the others, the inked pixels are listed without a branch.
  out.ink_count = 0;
  for (int g = 0; g < kPixelGroups; ++g) {
    if (!has_ink(x + g * kLanes)) continue;
    for (int p = g * kLanes; p < (g + 1) * kLanes; ++p) {
      out.ink[out.ink_count] = p;
      out.ink_count += x[p] != 0.0f;
    }
  }
  f32x4 sum[kHiddenVectors] = {};
  float unit28 = 0.0f, unit29 = 0.0f;
  for (int k = 0; k < out.ink_count; ++k) {
    const int p = out.ink[k];
    const float* column = w1 + p * kHidden;
    const float xp = x[p];
    for (int v = 0; v < kFullVectors; ++v) sum[v] += xp * load(column + v * kLanes);
    unit28 += xp * column[28];
    unit29 += xp * column[29];
  }
  sum[kFullVectors] = f32x4{unit28, unit29, 0.0f, 0.0f};
  for (int v = 0; v < kHiddenVectors; ++v) out.pre[v] = sum[v] + b1[v];
}

// z = relu(pre) @ w2 + b2
float output(const Forward& forward, const f32x4 (&w2)[kHiddenVectors], float b2) {
  f32x4 sum = {};
  for (int v = 0; v < kHiddenVectors; ++v) sum += where_positive(forward.pre[v], forward.pre[v]) * w2[v];
  return sum_lanes(sum) + b2;
}

}  // namespace

float sgd_step_simple_net(const Dataset& set, const int* rows, int count, float lr, SimpleNetParams& params,
                          std::vector<float>& grad_w1) {
  float* w1 = params.w1.data();  // column-major: w1 + p * 30 is pixel p's column
  f32x4 b1[kHiddenVectors], w2[kHiddenVectors];
  load_units(params.b1.data(), b1);
  load_units(params.w2.data(), w2);
  const float inv_batch = 1.0f / static_cast<float>(count);

  // The gradients, with w1's columns padded to 32 units so that each is 8 whole vectors.
  grad_w1.assign(static_cast<std::size_t>(kInputs) * kHiddenVectors * kLanes, 0.0f);
  f32x4 grad_b1[kHiddenVectors] = {}, grad_w2[kHiddenVectors] = {};
  float grad_b2 = 0.0f;
  float loss_sum = 0.0f;
  Forward forward;

  for (int i = 0; i < count; ++i) {
    const float* x = set.image(rows[i]);
    forward_hidden(x, w1, b1, forward);
    const float s = sigmoid(output(forward, w2, params.b2));
    const bool is_three = set.y[rows[i]] == 1.0f;
    loss_sum += is_three ? 1.0f - s : s;
    const float dz = (is_three ? -inv_batch : inv_batch) * s * (1.0f - s);  // dL/dz, as in calc_grad

    // Backward: dL/dw2 = relu(pre) dz, dL/dpre = (pre > 0) w2 dz, dL/dw1 = dL/dpre x^T.
    f32x4 dpre[kHiddenVectors];
    for (int v = 0; v < kHiddenVectors; ++v) {
      grad_w2[v] += dz * where_positive(forward.pre[v], forward.pre[v]);
      dpre[v] = where_positive(forward.pre[v], dz * w2[v]);
      grad_b1[v] += dpre[v];
    }
    grad_b2 += dz;
    for (int k = 0; k < forward.ink_count; ++k) {
      const int p = forward.ink[k];
      float* column = &grad_w1[static_cast<std::size_t>(p) * kHiddenVectors * kLanes];
      const float xp = x[p];
      for (int v = 0; v < kHiddenVectors; ++v) store(column + v * kLanes, load(column + v * kLanes) + xp * dpre[v]);
    }
  }

  // SGD: p -= lr * grad.
  for (int p = 0; p < kInputs; ++p) {
    float* column = w1 + p * kHidden;
    const float* grad = &grad_w1[static_cast<std::size_t>(p) * kHiddenVectors * kLanes];
    for (int v = 0; v < kFullVectors; ++v)
      store(column + v * kLanes, load(column + v * kLanes) - lr * load(grad + v * kLanes));
    column[28] -= lr * grad[28];
    column[29] -= lr * grad[29];
  }
  for (int h = 0; h < kHidden; ++h) {
    params.b1[h] -= lr * grad_b1[h / kLanes][h % kLanes];
    params.w2[h] -= lr * grad_w2[h / kLanes][h % kLanes];
  }
  params.b2 -= lr * grad_b2;
  return loss_sum / static_cast<float>(count);
}

float predict_three(const float* x, const SimpleNetParams& params) {
  f32x4 b1[kHiddenVectors], w2[kHiddenVectors];
  load_units(params.b1.data(), b1);
  load_units(params.w2.data(), w2);
  Forward forward;
  forward_hidden(x, params.w1.data(), b1, forward);
  return sigmoid(output(forward, w2, params.b2));
}

}  // namespace mnist_sgd
