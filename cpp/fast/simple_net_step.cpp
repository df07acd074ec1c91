#include "fast/simple_net_step.hpp"

#include <cstdint>
#include <cstring>

#include "fast/simd.hpp"

namespace mnist_sgd {
namespace {

// The 30 hidden units as 8 vectors; lanes 30 and 31 hold zeros and stay zero.
constexpr int kHiddenVectors = (kHidden + kLanes - 1) / kLanes;
constexpr int kFullVectors = kHidden / kLanes;  // 7: units 0..27; w1's columns end with two more units
constexpr int kPixelGroups = kInputs / kLanes;  // 196 groups of four pixels per image
static_assert(kHidden == kFullVectors * kLanes + 2, "the code below adds units 28 and 29 one by one");

// The unit lanes of a padded (32) vector of units, e.g. b1.
void load_units(const float* units, f32x4 (&out)[kHiddenVectors]) {
  float padded[kHiddenVectors * kLanes] = {};
  std::memcpy(padded, units, kHidden * sizeof(float));
  for (int v = 0; v < kHiddenVectors; ++v) out[v] = load4(padded + v * kLanes);
}

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
    for (int v = 0; v < kFullVectors; ++v) sum[v] += xp * load4(column + v * kLanes);
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

float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, SimpleNetParams& params,
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
    loss_sum += mnist_loss_term(s, is_three);
    const float dz = mnist_loss_backward(s, is_three, inv_batch);

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
      for (int v = 0; v < kHiddenVectors; ++v) store4(column + v * kLanes, load4(column + v * kLanes) + xp * dpre[v]);
    }
  }

  // SGD: p -= lr * grad.
  for (int p = 0; p < kInputs; ++p) {
    float* column = w1 + p * kHidden;
    const float* grad = &grad_w1[static_cast<std::size_t>(p) * kHiddenVectors * kLanes];
    for (int v = 0; v < kFullVectors; ++v)
      store4(column + v * kLanes, load4(column + v * kLanes) - lr * load4(grad + v * kLanes));
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

float simple_net_row(const float* x, const SimpleNetParams& params) {
  f32x4 b1[kHiddenVectors], w2[kHiddenVectors];
  load_units(params.b1.data(), b1);
  load_units(params.w2.data(), w2);
  Forward forward;
  forward_hidden(x, params.w1.data(), b1, forward);
  return output(forward, w2, params.b2);
}

}  // namespace mnist_sgd
