#include "fast/simple_net_step.hpp"

#include <cstdint>
#include <cstring>

#include "fast/simd.hpp"

namespace mnist_sgd {
namespace {

// The 30 hidden units as 8 vectors of 4 (or 4 of 8, or 2 of 16); lanes 30 and 31 hold zeros and stay zero. Within a
// step, w1 is read from a copy whose columns are padded so (32 floats), and its gradient is kept so: each
// column is whole vectors, and units 28 and 29 are added in the lanes of the others (the same additions,
// so the same bits).
constexpr int kPadded = 32;
constexpr int kHiddenVectors = kPadded / kLanes;  // 8
static_assert(kHidden <= kPadded && kPadded % 16 == 0, "30 units padded to whole vectors of 4, 8 and 16");

template <typename V>
constexpr int kUnitVectors = kPadded / kLanesOf<V>;

// The unit lanes of a padded (32) vector of units, e.g. b1.
template <typename V>
void load_units(const float* units, V (&out)[kUnitVectors<V>]) {
  float padded[kPadded] = {};
  std::memcpy(padded, units, kHidden * sizeof(float));
  for (int v = 0; v < kUnitVectors<V>; ++v) out[v] = load<V>(padded + v * kLanesOf<V>);
}

// pre = w1 @ x + b1, adding the columns of w1 of the inked pixels only, in pixel order: a blank pixel's
// products are +-0, which leave a sum as it is. ink[k] is pixel k's index, value(k) its value; w1's
// columns are kStride floats apart (30, or 32 when padded).
template <typename V, int kStride, typename Value>
void forward_hidden(const std::uint16_t* ink, int ink_count, Value value, const float* w1,
                    const V (&b1)[kUnitVectors<V>], V (&pre)[kUnitVectors<V>]) {
  constexpr int kVectors = kUnitVectors<V>;
  constexpr int kWhole = kStride / kLanesOf<V>;  // all, or (30 units, 4 lanes) 7 and then units 28 and 29
  static_assert(kStride == kPadded || (kStride == kHidden && kLanesOf<V> == 4 && kHidden == 7 * 4 + 2),
                "32 units, or 30 in vectors of 4");
  V sum[kVectors] = {};
  float unit28 = 0.0f, unit29 = 0.0f;
  for (int k = 0; k < ink_count; ++k) {
    const float* column = w1 + ink[k] * kStride;
    const float xp = value(k);
    for (int v = 0; v < kWhole; ++v) sum[v] += xp * load<V>(column + v * kLanesOf<V>);
    if constexpr (kWhole < kVectors) {
      unit28 += xp * column[28];
      unit29 += xp * column[29];
    }
  }
  if constexpr (kWhole < kVectors) sum[kWhole] = V{unit28, unit29, 0.0f, 0.0f};
  for (int v = 0; v < kVectors; ++v) pre[v] = sum[v] + b1[v];
}

// z = relu(pre) @ w2 + b2, summed in vectors of 4 whatever the step's width, so that every width gives
// the same bits.
float output(const float (&pre)[kPadded], const float (&w2)[kPadded], float b2) {
  f32x4 sum = {};
  for (int v = 0; v < kHiddenVectors; ++v) {
    const f32x4 p = load4(pre + v * kLanes);
    sum += where_positive(p, p) * load4(w2 + v * kLanes);
  }
  return sum_lanes(sum) + b2;
}

// w1's columns, each padded to 32 units with zeros. Copied in vectors, as the update below writes them back:
// in WebAssembly a memcpy is a call, and with it for each column (and a memset of the gradient) the passes
// over w1 took 1.2 ms of simple_net's 12.4 ms epoch under Node; 0.3 ms now.
void pad_columns(const float* w1, float* padded) {
  MNIST_SGD_KEEP_LOOP
  for (int p = 0; p < kInputs; ++p) {
    const float* column = w1 + p * kHidden;
    float* to = padded + p * kPadded;
    for (int v = 0; v < 7; ++v) store4(to + v * kLanes, load4(column + v * kLanes));
    const f32x4 last = load4(column + 26);  // units 26 to 29
    store4(to + 28, f32x4{last[2], last[3], 0.0f, 0.0f});
  }
}

template <typename V>
void store_units(const V (&vectors)[kUnitVectors<V>], float (&units)[kPadded]) {
  for (int v = 0; v < kUnitVectors<V>; ++v) store<V>(units + v * kLanesOf<V>, vectors[v]);
}

// The step, in vectors V of 4, 8 or 16 floats.
template <typename V>
float step_in(const Dataset& set, const int* rows, int count, float lr, SimpleNetParams& params,
              std::vector<float>& workspace) {
  constexpr int kVectors = kUnitVectors<V>;
  constexpr int kWidth = kLanesOf<V>;
  float* w1 = params.w1.data();  // column-major: w1 + p * 30 is pixel p's column
  V b1[kVectors], w2[kVectors];
  load_units(params.b1.data(), b1);
  load_units(params.w2.data(), w2);
  float w2_units[kPadded];
  store_units(w2, w2_units);
  const float inv_batch = 1.0f / static_cast<float>(count);

  // The workspace: w1 and its gradient, each with its columns padded to 32 units. The gradient is left all
  // zeros by each step's update, for the next; zeroed here only when the workspace is new.
  constexpr std::size_t kMatrix = static_cast<std::size_t>(kInputs) * kPadded;
  const std::size_t size_before = workspace.size();
  float* w1_padded = cache_aligned(workspace, 2 * kMatrix);
  float* grad_w1 = w1_padded + kMatrix;
  if (workspace.size() != size_before) std::memset(grad_w1, 0, kMatrix * sizeof(float));
  pad_columns(w1, w1_padded);
  V grad_b1[kVectors] = {}, grad_w2[kVectors] = {};
  float grad_b2 = 0.0f;
  float loss_sum = 0.0f;

  for (int i = 0; i < count; ++i) {
    const std::uint16_t* ink = set.ink(rows[i]);
    const std::uint8_t* bytes = set.ink_bytes(rows[i]);
    const int ink_count = static_cast<int>(set.ink_end(rows[i]) - ink);
    const auto value = [&](int k) { return kPixelValues.of[bytes[k]]; };
    V pre[kVectors];
    forward_hidden<V, kPadded>(ink, ink_count, value, w1_padded, b1, pre);
    float pre_units[kPadded];
    store_units(pre, pre_units);
    const float s = sigmoid(output(pre_units, w2_units, params.b2));
    const bool is_three = set.y[rows[i]] == 1.0f;
    loss_sum += mnist_loss_term(s, is_three);
    const float dz = mnist_loss_backward(s, is_three, inv_batch);

    // Backward: dL/dw2 = relu(pre) dz, dL/dpre = (pre > 0) w2 dz, dL/dw1 = dL/dpre x^T.
    V dpre[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      grad_w2[v] += dz * where_positive(pre[v], pre[v]);
      dpre[v] = where_positive(pre[v], dz * w2[v]);
      grad_b1[v] += dpre[v];
    }
    grad_b2 += dz;
    for (int k = 0; k < ink_count; ++k) {
      float* column = grad_w1 + ink[k] * kPadded;
      const float xp = value(k);
      for (int v = 0; v < kVectors; ++v) store<V>(column + v * kWidth, load<V>(column + v * kWidth) + xp * dpre[v]);
    }
  }

  // SGD: p -= lr * grad, written to w1's columns of 30; the gradient is set back to zeros for the next step.
  MNIST_SGD_KEEP_LOOP
  for (int p = 0; p < kInputs; ++p) {
    const float* column = w1_padded + p * kPadded;
    float* grad = grad_w1 + p * kPadded;
    float updated[kPadded];
    for (int v = 0; v < kVectors; ++v) {
      store<V>(updated + v * kWidth, load<V>(column + v * kWidth) - lr * load<V>(grad + v * kWidth));
      store<V>(grad + v * kWidth, V{});
    }
    float* to = w1 + p * kHidden;
    for (int v = 0; v < 7; ++v) store4(to + v * kLanes, load4(updated + v * kLanes));
    to[28] = updated[28];
    to[29] = updated[29];
  }
  float grad_b1_units[kPadded], grad_w2_units[kPadded];
  store_units(grad_b1, grad_b1_units);
  store_units(grad_w2, grad_w2_units);
  for (int h = 0; h < kHidden; ++h) {
    params.b1[h] -= lr * grad_b1_units[h];
    params.w2[h] -= lr * grad_w2_units[h];
  }
  params.b2 -= lr * grad_b2;
  return loss_sum / static_cast<float>(count);
}

}  // namespace

float fast_sgd_step(const Dataset& set, const int* rows, int count, float lr, SimpleNetParams& params,
                    std::vector<float>& workspace, int lanes) {
  return run_in_lanes<16>(lanes, [&](auto vectors) {
    return step_in<typename decltype(vectors)::type>(set, rows, count, lr, params, workspace);
  });
}

namespace {

// simple_net's output z for an image: its inked pixels ink[0, count) and their values. One function for
// both callers below, so that the module holds one copy of the forward pass.
[[gnu::noinline]] float simple_net_ink(const std::uint16_t* ink, const float* values, int count,
                                       const SimpleNetParams& params) {
  f32x4 b1[kHiddenVectors];
  load_units(params.b1.data(), b1);
  float w2[kPadded] = {};
  std::memcpy(w2, params.w2.data(), kHidden * sizeof(float));
  f32x4 pre[kHiddenVectors];
  forward_hidden<f32x4, kHidden>(
      ink, count, [&](int k) { return values[k]; }, params.w1.data(), b1, pre);
  float pre_units[kPadded];
  store_units(pre, pre_units);
  return output(pre_units, w2, params.b2);
}

}  // namespace

float simple_net_row(const float* x, const SimpleNetParams& params) {
  // The inked pixels and their values, listed here, without a branch (-0 is blank too: its products are +-0).
  std::uint16_t ink[kInputs];
  float values[kInputs];
  int count = 0;
  MNIST_SGD_KEEP_LOOP
  for (int p = 0; p < kInputs; ++p) {
    ink[count] = static_cast<std::uint16_t>(p);
    values[count] = x[p];
    count += x[p] != 0.0f;
  }
  return simple_net_ink(ink, values, count, params);
}

std::vector<float> simple_net_rows(const Dataset& set, const SimpleNetParams& params) {
  std::vector<float> z(static_cast<std::size_t>(set.size()));
  float values[kInputs];
  for (int i = 0; i < set.size(); ++i) {
    const std::uint16_t* ink = set.ink(i);
    const std::uint8_t* bytes = set.ink_bytes(i);
    const int count = static_cast<int>(set.ink_end(i) - ink);
    MNIST_SGD_KEEP_LOOP
    for (int k = 0; k < count; ++k) values[k] = kPixelValues.of[bytes[k]];
    z[static_cast<std::size_t>(i)] = simple_net_ink(ink, values, count, params);
  }
  return z;
}

}  // namespace mnist_sgd
