#include "common/torch_random.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <numeric>
#include <utility>

#include "common/portable_math.hpp"

namespace mnist_sgd {
namespace {

constexpr double kPi = 3.14159265358979323846;  // c10::pi<double>

template <typename To, typename From>
To bit_cast(From from) {
  static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
  To to;
  std::memcpy(&to, &from, sizeof to);
  return to;
}

// --- sin and cos in double for the serial normal (§4), where PyTorch calls glibc. A few ulps of double are
// plenty: the values are rounded to float, and glibc's own last-bit differences vanish there too (§4).

// x = k pi/2 + r with |r| <= pi/4, then Taylor series on r. x in [0, 2 pi], so k <= 4.
void portable_sincos(double x, double& sine, double& cosine) {
  constexpr double kTwoOverPi = 0.63661977236758134308;
  constexpr double kPiOver2High = 1.57079632673412561417;     // the first 33 bits: k * it and x - k * it are exact
  constexpr double kPiOver2Low = 6.07710050650619224932e-11;  // pi/2 - kPiOver2High
  constexpr double kRoundToInteger = 0x1.8p52;                // adding and subtracting it rounds to nearest
  const double k = (x * kTwoOverPi + kRoundToInteger) - kRoundToInteger;
  const double r = (x - k * kPiOver2High) - k * kPiOver2Low;
  const double r2 = r * r;
  // Taylor series, nested: sin r = r (1 - r^2/(2*3) (1 - r^2/(4*5) (1 - ...))), and cos r alike. |r| <= 0.786:
  // the first terms left out, r^19 / 19! and r^22 / 22!, are below 1e-19.
  double sin_r = 1.0, cos_r = 1.0;
  for (int n = 17; n >= 3; n -= 2) sin_r = 1.0 - r2 / (n * (n - 1)) * sin_r;
  for (int n = 20; n >= 2; n -= 2) cos_r = 1.0 - r2 / (n * (n - 1)) * cos_r;
  sin_r *= r;
  switch (static_cast<int>(k) & 3) {
    case 0:
      sine = sin_r, cosine = cos_r;
      break;
    case 1:
      sine = cos_r, cosine = -sin_r;
      break;
    case 2:
      sine = -sin_r, cosine = -cos_r;
      break;
    default:
      sine = -cos_r, cosine = sin_r;
      break;
  }
}

// --- avx_mathfun.h's log256_ps and sincos256_ps (Cephes logf / sinf / cosf), one lane at a time, with the
// multiply-adds GCC fuses in PyTorch's AVX2 build (§3.5). Dropping any of these fusions changes 6 to 348 values
// in 40960 (§9). The constants are avx_mathfun's decimals, rounded to float as its tables round them.

float log256(float x) {                           // x in (0, 1]
  constexpr float kMinNormPos = 1.17549435e-38f;  // 0x00800000
  constexpr float kSqrtHf = static_cast<float>(0.707106781186547524);
  constexpr float kP[] = {
      static_cast<float>(7.0376836292E-2),  static_cast<float>(-1.1514610310E-1), static_cast<float>(1.1676998740E-1),
      static_cast<float>(-1.2420140846E-1), static_cast<float>(+1.4249322787E-1), static_cast<float>(-1.6668057665E-1),
      static_cast<float>(+2.0000714765E-1), static_cast<float>(-2.4999993993E-1), static_cast<float>(+3.3333331174E-1)};
  constexpr float kQ1 = static_cast<float>(-2.12194440e-4);
  constexpr float kQ2 = static_cast<float>(0.693359375);
  if (x < kMinNormPos) x = kMinNormPos;
  // x = m 2^e with m in [0.5, 1), from the bits.
  const std::uint32_t bits = bit_cast<std::uint32_t>(x);
  float e = static_cast<float>(static_cast<std::int32_t>(bits >> 23) - 0x7f) + 1.0f;
  float m = bit_cast<float>((bits & ~0x7f800000u) | 0x3f000000u);
  // m < sqrt(1/2): log(m) = log(2m) - log 2, so that m - 1 stays small.
  const bool below = m < kSqrtHf;
  const float tmp = below ? m : 0.0f;
  m = m - 1.0f;
  e = e - (below ? 1.0f : 0.0f);
  m = m + tmp;
  const float z = m * m;
  float y = kP[0];
  for (int i = 1; i <= 8; ++i) y = torch::exact_fmaf(y, m, kP[i]);  // [fma] Horner
  y = y * m;
  y = torch::exact_fmaf(y, z, e * kQ1);  // [fma] y * z + round(e * Q1)
  y = y - z * 0.5f;
  return torch::exact_fmaf(e, kQ2, m + y);
}

void sincos256(float x, float& sine, float& cosine) {
  constexpr float kFourOverPi = static_cast<float>(1.27323954473516);
  // -pi/4 in three parts, the first two short enough that y * them is exact.
  constexpr float kMinusDp1 = static_cast<float>(-0.78515625);
  constexpr float kMinusDp2 = static_cast<float>(-2.4187564849853515625e-4);
  constexpr float kMinusDp3 = static_cast<float>(-3.77489497744594108e-8);
  constexpr float kSinP0 = static_cast<float>(-1.9515295891E-4);
  constexpr float kSinP1 = static_cast<float>(8.3321608736E-3);
  constexpr float kSinP2 = static_cast<float>(-1.6666654611E-1);
  constexpr float kCosP0 = static_cast<float>(2.443315711809948E-005);
  constexpr float kCosP1 = static_cast<float>(-1.388731625493765E-003);
  constexpr float kCosP2 = static_cast<float>(4.166664568298827E-002);
  constexpr std::uint32_t kSignBit = 0x80000000u;

  std::uint32_t sign_sin = bit_cast<std::uint32_t>(x) & kSignBit;
  x = bit_cast<float>(bit_cast<std::uint32_t>(x) & ~kSignBit);
  // The octant j, rounded up to even, and the polynomial and signs it picks.
  std::int32_t j = static_cast<std::int32_t>(x * kFourOverPi);
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  const std::uint32_t swap_sign_sin = static_cast<std::uint32_t>(j & 4) << 29;
  const bool sine_is_cos_poly = (j & 2) != 0;
  const std::uint32_t sign_cos = static_cast<std::uint32_t>(~(j - 2) & 4) << 29;
  sign_sin ^= swap_sign_sin;
  // Cody-Waite: x - y pi/4.
  x = torch::exact_fmaf(y, kMinusDp1, x);  // [fma]
  x = torch::exact_fmaf(y, kMinusDp2, x);  // [fma]
  x = torch::exact_fmaf(y, kMinusDp3, x);  // [fma]
  const float z = x * x;
  float yc = torch::exact_fmaf(kCosP0, z, kCosP1);
  yc = torch::exact_fmaf(yc, z, kCosP2);
  yc = yc * z;
  yc = torch::exact_fmaf(yc, z, -(z * 0.5f));  // [fma] yc * z - z * 0.5
  yc = yc + 1.0f;
  float ys = torch::exact_fmaf(kSinP0, z, kSinP1);
  ys = torch::exact_fmaf(ys, z, kSinP2);
  ys = ys * z;
  ys = torch::exact_fmaf(ys, x, x);  // [fma] the one that matters most: 0.85 % of the values (§3.5)
  const float sin_poly = sine_is_cos_poly ? yc : ys;
  const float cos_poly = sine_is_cos_poly ? ys : yc;
  sine = bit_cast<float>(bit_cast<std::uint32_t>(sin_poly) ^ sign_sin);
  cosine = bit_cast<float>(bit_cast<std::uint32_t>(cos_poly) ^ sign_cos);
}

// normal_fill_16_AVX2 (§3.5): Box-Muller on 16 uniforms, lane j paired with lane j + 8; u1 = 1 - d[j] sets the
// radius, d[j + 8] the angle; cos goes to lane j, sin to lane j + 8.
void normal_fill_16(float* data, float mean, float stddev) {
  constexpr float kTwoPi = static_cast<float>(2.0 * kPi);  // 0x40c90fdb
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - data[j];
    const float u2 = data[j + 8];
    const float radius = std::sqrt(-2.0f * log256(u1));
    const float theta = kTwoPi * u2;
    float sine, cosine;
    sincos256(theta, sine, cosine);
    data[j] = torch::exact_fmaf(radius * cosine, stddev, mean);
    data[j + 8] = torch::exact_fmaf(radius * sine, stddev, mean);
  }
}

// normal_fill (§3.3): all n uniforms first, then blocks of 16; a ragged end redoes the last 16 slots with 16
// new uniforms, overwriting normals already there. n >= 16.
void normal_fill(float* data, int size, float mean, float stddev, TorchGenerator& generator) {
  for (int i = 0; i < size; ++i) data[i] = torch::uniform_float(generator);
  for (int i = 0; i < size - 15; i += 16) normal_fill_16(data + i, mean, stddev);
  if (size % 16 != 0) {
    float* last = data + size - 16;
    for (int i = 0; i < 16; ++i) last[i] = torch::uniform_float(generator);
    normal_fill_16(last, mean, stddev);
  }
}

// Sized once and copied into, rather than vector::insert, whose template is 700 bytes of the page's module.
std::vector<float> concatenate(std::initializer_list<const std::vector<float>*> parts) {
  std::size_t size = 0;
  for (const auto* part : parts) size += part->size();
  std::vector<float> flat(size);
  float* out = flat.data();
  for (const auto* part : parts) out = std::copy(part->begin(), part->end(), out);
  return flat;
}

}  // namespace

// --- the generator: mt19937_engine and CPUGeneratorImpl (§1)

void TorchGenerator::manual_seed(std::uint64_t seed) {
  seed_ = seed;
  state_[0] = static_cast<std::uint32_t>(seed & 0xffffffffu);
  for (int j = 1; j < kStateSize; ++j) {
    state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + static_cast<std::uint32_t>(j);
  }
  left_ = 1;  // the first draw twists a whole block
  next_ = 0;
  next_double_normal_sample_.reset();
}

void TorchGenerator::next_state() {
  constexpr int kShift = 397;
  constexpr std::uint32_t kMatrixA = 0x9908b0dfu;
  for (int i = 0; i < kStateSize; ++i) {
    const std::uint32_t y = (state_[i] & 0x80000000u) | (state_[(i + 1) % kStateSize] & 0x7fffffffu);
    state_[i] = state_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
  }
  left_ = kStateSize;
  next_ = 0;
}

std::uint32_t TorchGenerator::random() {
  if (--left_ == 0) next_state();
  std::uint32_t y = state_[next_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

std::uint64_t TorchGenerator::random64() {
  const std::uint64_t high = random();
  const std::uint64_t low = random();
  return (high << 32) | low;
}

namespace torch {

float uniform_float(TorchGenerator& generator) {
  return static_cast<float>(generator.random() & 0xffffffu) * 0x1.0p-24f;
}

double uniform_double(TorchGenerator& generator) {
  return static_cast<double>(generator.random64() & 0x1fffffffffffffULL) * 0x1.0p-53;
}

double normal_double(TorchGenerator& generator) {
  if (const auto cached = generator.next_double_normal_sample()) {
    generator.set_next_double_normal_sample(std::nullopt);
    return *cached;
  }
  const double u1 = uniform_double(generator);                     // the angle
  const double u2 = uniform_double(generator);                     // the radius
  const double radius = std::sqrt(-2.0 * portable_log(1.0 - u2));  // 1.13: log(1 - u2), not log1p(-u2)
  const double theta = 2.0 * kPi * u1;
  double sine, cosine;
  portable_sincos(theta, sine, cosine);
  generator.set_next_double_normal_sample(radius * sine);
  return radius * cosine;
}

std::vector<float> rand(int n, TorchGenerator& generator) {
  std::vector<float> values(static_cast<std::size_t>(std::max(n, 0)));
  for (float& value : values) value = uniform_float(generator);
  return values;
}

std::vector<float> randn(int n, TorchGenerator& generator) {
  std::vector<float> values(static_cast<std::size_t>(std::max(n, 0)));
  if (n >= 16) {
    normal_fill(values.data(), n, 0.0f, 1.0f, generator);
  } else {
    for (float& value : values) value = static_cast<float>(normal_double(generator));
  }
  return values;
}

float exact_fmaf(float a, float b, float c) {
  // a * b is exact in double (24 + 24 bits). The sum rounded to odd in double, then rounded to float, is the
  // sum rounded once to float: double keeps more than 24 + 2 bits.
  const double product = static_cast<double>(a) * static_cast<double>(b);
  const double addend = static_cast<double>(c);
  const double sum = product + addend;
  // TwoSum (Knuth): the exact error of that addition.
  const double addend_part = sum - product;
  const double error = (product - (sum - addend_part)) + (addend - addend_part);
  std::uint64_t bits = bit_cast<std::uint64_t>(sum);
  if (error != 0.0 && (bits & 1u) == 0 && std::isfinite(sum)) {
    // Inexact with an even last bit: step one ulp toward the exact sum, onto its odd neighbour.
    bits = (error > 0.0) == (sum > 0.0) ? bits + 1 : bits - 1;
  }
  return static_cast<float>(bit_cast<double>(bits));
}

void uniform_(std::vector<float>& tensor, double from, double to, TorchGenerator& generator) {
  const float lo = static_cast<float>(from);
  const float hi = static_cast<float>(to);
  // One fused multiply-add in PyTorch's AVX2 / AVX-512 builds; two roundings change about half of nn.Linear's
  // weights by an ulp (§2).
  for (float& value : tensor) value = exact_fmaf(uniform_float(generator), hi - lo, lo);
}

double kaiming_uniform_bound(int fan_in) {
  const double a = std::sqrt(5.0);
  const double gain = std::sqrt(2.0 / (1.0 + a * a));  // calculate_gain("leaky_relu", sqrt(5)); a * a is 5 + 1 ulp
  const double stddev = gain / std::sqrt(static_cast<double>(fan_in));
  return std::sqrt(3.0) * stddev;
}

double linear_bias_bound(int fan_in) { return fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0; }

LinearLayer nn_linear(int in_features, int out_features, TorchGenerator& generator) {
  LinearLayer layer;
  layer.weight.resize(static_cast<std::size_t>(std::max(in_features, 0)) * std::max(out_features, 0));
  layer.bias.resize(static_cast<std::size_t>(std::max(out_features, 0)));
  const double weight_bound = kaiming_uniform_bound(in_features);
  uniform_(layer.weight, -weight_bound, weight_bound, generator);
  const double bias_bound = linear_bias_bound(in_features);
  uniform_(layer.bias, -bias_bound, bias_bound, generator);
  return layer;
}

std::vector<int> randperm(int n, TorchGenerator& generator) {
  std::vector<int> order(static_cast<std::size_t>(std::max(n, 0)));
  std::iota(order.begin(), order.end(), 0);
  for (int i = 0; i < n - 1; ++i) {
    const int z = static_cast<int>(generator.random() % static_cast<std::uint32_t>(n - i));
    std::swap(order[i], order[i + z]);
  }
  return order;
}

std::int64_t random_int64(TorchGenerator& generator) {
  return static_cast<std::int64_t>(generator.random64() & 0x7fffffffffffffffULL);
}

std::int64_t dataloader_base_seed(TorchGenerator& generator) { return random_int64(generator); }

std::vector<int> random_sampler_order(int n, TorchGenerator& generator) {
  TorchGenerator sampler(static_cast<std::uint64_t>(random_int64(generator)));
  return randperm(n, sampler);
}

std::vector<int> dataloader_epoch(int n, bool shuffle, TorchGenerator& generator) {
  dataloader_base_seed(generator);
  if (shuffle) return random_sampler_order(n, generator);
  std::vector<int> order(static_cast<std::size_t>(std::max(n, 0)));
  std::iota(order.begin(), order.end(), 0);
  return order;
}

std::vector<float> linear_randn_params(int inputs, TorchGenerator& generator) {
  const std::vector<float> weights = randn(inputs, generator);
  const std::vector<float> bias = randn(1, generator);
  return concatenate({&weights, &bias});
}

std::vector<float> linear_nn_params(int inputs, TorchGenerator& generator) {
  const LinearLayer layer = nn_linear(inputs, 1, generator);
  return concatenate({&layer.weight, &layer.bias});
}

std::vector<float> simple_net_nn_params(int inputs, int hidden, TorchGenerator& generator) {
  const LinearLayer first = nn_linear(inputs, hidden, generator);
  const LinearLayer second = nn_linear(hidden, 1, generator);
  return concatenate({&first.weight, &first.bias, &second.weight, &second.bias});
}

std::vector<float> simple_net_randn_params(int inputs, int hidden, TorchGenerator& generator) {
  const std::vector<float> w1 = randn(inputs * hidden, generator);  // (inputs x hidden)
  const std::vector<float> b1 = randn(hidden, generator);
  const std::vector<float> w2 = randn(hidden, generator);
  const std::vector<float> b2 = randn(1, generator);
  std::vector<float> w1_transposed(w1.size());
  for (int i = 0; i < inputs; ++i) {
    for (int o = 0; o < hidden; ++o) w1_transposed[static_cast<std::size_t>(o) * inputs + i] = w1[i * hidden + o];
  }
  return concatenate({&w1_transposed, &b1, &w2, &b2});
}

}  // namespace torch
}  // namespace mnist_sgd
