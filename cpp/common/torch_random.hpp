// PyTorch 1.13's CPU random numbers, bit for bit: what a notebook gets from torch.manual_seed(s) and then
// torch.randn, nn.Linear's init, torch.randperm and a shuffled torch.utils.data.DataLoader. The algorithms and
// their test vectors are in TORCH_RNG.md (sections cited as §n). Only integer arithmetic, IEEE +, -, *, /, sqrt
// and an exact fused multiply-add written here: no libm, so that the native and WebAssembly builds (which has
// no scalar fma instruction) give the same bits.
//
// Where PyTorch itself has two paths, this follows the one every x86-64 CPU with AVX2 runs (Colab, most
// laptops): randn's vectorised normal_fill_AVX2 and uniform_'s fused multiply-add. An ARM or Apple Silicon
// notebook takes the scalar path, whose randn differs in the last bit of about a third of its values (§3.6).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mnist_sgd {

// torch.Generator on the CPU (CPUGeneratorImpl): MT19937 and the cached second value of the serial normal.
// Copyable, so that a trainer can own one and a test can fork one.
class TorchGenerator {
 public:
  static constexpr std::uint64_t kDefaultSeed = 67280421310721ULL;  // torch.Generator()'s own seed (§1)

  explicit TorchGenerator(std::uint64_t seed = kDefaultSeed) { manual_seed(seed); }

  // torch.manual_seed: all 64 bits are kept, but only the low 32 seed MT19937 (s and s + 2^32 draw alike);
  // the cached normal is dropped (§1).
  void manual_seed(std::uint64_t seed);
  std::uint64_t initial_seed() const { return seed_; }

  std::uint32_t random();    // one MT19937 output, the same stream as std::mt19937(uint32_t(seed))
  std::uint64_t random64();  // (first output << 32) | second output

  // normal_distribution<double>'s cache: the r * sin(theta) of the last Box-Muller pair (§4).
  std::optional<double> next_double_normal_sample() const { return next_double_normal_sample_; }
  void set_next_double_normal_sample(std::optional<double> value) { next_double_normal_sample_ = value; }

 private:
  static constexpr int kStateSize = 624;
  void next_state();  // the MT19937 twist: a fresh block of 624 words

  std::uint64_t seed_ = 0;
  std::uint32_t state_[kStateSize] = {};
  int left_ = 1;
  int next_ = 0;
  std::optional<double> next_double_normal_sample_;
};

namespace torch {

// uniform_real_distribution on [0, 1) (§2): float from the low 24 bits of one output, double from the low
// 53 bits of random64.
float uniform_float(TorchGenerator& generator);
double uniform_double(TorchGenerator& generator);

// normal_distribution<double>(0, 1), the serial Box-Muller with its second value cached on the generator (§4).
double normal_double(TorchGenerator& generator);

// torch.rand(n) and torch.randn(n), float32 (any shape: only the element count matters). randn takes the
// vectorised normal_fill for n >= 16 and the serial double path below that (§3, §4).
std::vector<float> rand(int n, TorchGenerator& generator);
std::vector<float> randn(int n, TorchGenerator& generator);

// tensor.uniform_(from, to) on a float32 tensor, in order: each element fmaf(U, to - from, from) with the bounds
// first rounded to float (§2, §5).
void uniform_(std::vector<float>& tensor, double from, double to, TorchGenerator& generator);

// nn.Linear(in_features, out_features)'s reset_parameters (§5): weight (out x in, row-major) by
// kaiming_uniform_(a = sqrt(5)), then bias, both uniform_(-bound, bound).
struct LinearLayer {
  std::vector<float> weight;  // (out_features x in_features)
  std::vector<float> bias;    // (out_features)
};
double kaiming_uniform_bound(int fan_in);  // sqrt(3) * gain / sqrt(fan_in), gain = sqrt(2 / (1 + 5)), in double
double linear_bias_bound(int fan_in);      // 1 / sqrt(fan_in)
LinearLayer nn_linear(int in_features, int out_features, TorchGenerator& generator);

// torch.randperm(n, generator=g): Fisher-Yates with z = random() % (n - i) (§6.2). n < 214748364.
std::vector<int> randperm(int n, TorchGenerator& generator);

// torch.empty((), dtype=torch.int64).random_(): random64 without its top bit (§6.2).
std::int64_t random_int64(TorchGenerator& generator);

// What one pass over a torch.utils.data.DataLoader draws from the global generator (§6.3), num_workers any:
// iter(dl) draws the workers' base seed (two outputs), whether shuffled or not; this returns it.
std::int64_t dataloader_base_seed(TorchGenerator& generator);
// RandomSampler.__iter__ with generator=None: a fresh torch.Generator seeded from random_int64 (two outputs),
// then randperm(n) on that one.
std::vector<int> random_sampler_order(int n, TorchGenerator& generator);
// One epoch of DataLoader(dataset of n, shuffle=shuffle): the base seed, then the order the items come in
// (0..n-1 unshuffled). Batches are its consecutive chunks. Four outputs shuffled, two not.
std::vector<int> dataloader_epoch(int n, bool shuffle, TorchGenerator& generator);

// The initial parameters of the book's models as a notebook draws them right after torch.manual_seed, one
// after another on `generator`, flattened in the layout of the reference runs' init_params.txt.
// Linear model, init_params: weights = torch.randn(inputs, 1), then bias = torch.randn(1). inputs + 1 values.
std::vector<float> linear_randn_params(int inputs, TorchGenerator& generator);
// Linear model, nn.Linear(inputs, 1): its weight (1 x inputs), then its bias. inputs + 1 values.
std::vector<float> linear_nn_params(int inputs, TorchGenerator& generator);
// simple_net, nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, 1)):
// w1 (hidden x inputs), b1 (hidden), w2 (1 x hidden), b2 (1).
std::vector<float> simple_net_nn_params(int inputs, int hidden, TorchGenerator& generator);
// The book's hand-written simple_net: w1 = torch.randn(inputs, hidden), b1 = torch.randn(hidden),
// w2 = torch.randn(hidden, 1), b2 = torch.randn(1); w1 is laid out transposed, (hidden x inputs) as nn.Linear
// stores it, so that both inits share one layout.
std::vector<float> simple_net_randn_params(int inputs, int hidden, TorchGenerator& generator);

// fmaf(a, b, c) with one rounding, exact on every platform (§3.7): the fusions of PyTorch's x86 build.
float exact_fmaf(float a, float b, float c);

}  // namespace torch
}  // namespace mnist_sgd
