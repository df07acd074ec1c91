// PyTorch's CPU random numbers (common/torch_random.hpp) against what PyTorch 1.13 itself drew: the test vectors
// of TORCH_RNG.md section 10.1 (Debian's torch 1.13.1, x86-64 AVX2), compared as float32 bit patterns, and the
// initial parameters of the reference runs in tests/reference, compared as their %.9g text. The WebAssembly build
// runs this same file under Node (tests/wasm/torch_random.test.mjs): both must draw these bits.
#include "common/torch_random.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using mnist_sgd::TorchGenerator;
namespace torch = mnist_sgd::torch;

namespace {

std::string hex(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  char text[9];
  std::snprintf(text, sizeof text, "%08x", bits);
  return text;
}

// values[first, last) as "hex hex ...", the way TORCH_RNG.md writes them.
std::string hexes(const std::vector<float>& values, std::size_t first = 0, std::size_t last = SIZE_MAX) {
  std::string text;
  for (std::size_t i = first; i < std::min(last, values.size()); ++i) text += (i == first ? "" : " ") + hex(values[i]);
  return text;
}

TorchGenerator seeded(std::uint64_t seed) {
  TorchGenerator generator;
  generator.manual_seed(seed);
  return generator;
}

// A reference run's initial parameters, one "%.9g" line each, as PyTorch's run wrote them.
std::vector<std::string> reference_lines(const std::string& run) {
  const std::string path = std::string(MNIST_SGD_REFERENCES) + "/" + run + "/init_params.txt";
  std::ifstream in(path);
  if (!in) FAIL("cannot open the reference file " << path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> as_text(const std::vector<float>& values) {
  std::vector<std::string> lines;
  for (float value : values) {
    char text[32];
    std::snprintf(text, sizeof text, "%.9g", static_cast<double>(value));
    lines.push_back(text);
  }
  return lines;
}

void check_same_text(const std::vector<float>& drawn, const std::string& run) {
  const std::vector<std::string> expected = reference_lines(run);
  const std::vector<std::string> actual = as_text(drawn);
  REQUIRE(actual.size() == expected.size());
  std::size_t mismatches = 0, first = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] != expected[i] && mismatches++ == 0) first = i;
  }
  INFO(mismatches << " of " << actual.size() << " differ; the first at line " << first + 1 << ": drew " << actual[first]
                  << ", PyTorch " << expected[first]);
  CHECK(mismatches == 0);
}

// +-[0.5, 1) * 2^e with 24 random bits, e in [lowest, highest].
float random_float(std::mt19937& bits, int lowest, int highest) {
  const float significand = 0.5f + static_cast<float>(bits() & 0x7fffffu) * 0x1.0p-24f;
  const int exponent = lowest + static_cast<int>(bits() % static_cast<unsigned>(highest - lowest + 1));
  return std::ldexp(bits() & 1u ? -significand : significand, exponent);
}

// a * b + c rounded once to float (to nearest, ties to even), from its exact value as a whole number of 2^-100:
// independent of exact_fmaf's double arithmetic, and of libm (Emscripten's fmaf can round twice). For |a|, |b|
// in [2^-9, 2^8) and c zero or in [2^-76, 2^20), where 128 bits hold every sum exactly.
float reference_fmaf(float a, float b, float c) {
  constexpr int kScale = 100;
  // x = m 2^(e - 24) with m a whole number of at most 24 bits.
  auto split = [](float x, std::int64_t& m, int& e) {
    m = static_cast<std::int64_t>(std::ldexp(std::frexp(x, &e), 24));
  };
  std::int64_t ma, mb, mc;
  int ea, eb, ec;
  split(a, ma, ea);
  split(b, mb, eb);
  split(c, mc, ec);
  if (ea + eb - 48 + kScale < 0 || (mc != 0 && ec - 24 + kScale < 0)) FAIL("operands too small for reference_fmaf");
  // Scaled by multiplying, not shifting: a left shift of a negative number is undefined.
  const auto power_of_two = [](int n) { return static_cast<__int128>(1) << n; };
  const __int128 product = static_cast<__int128>(ma * mb) * power_of_two(ea + eb - 48 + kScale);
  const __int128 addend = mc == 0 ? 0 : static_cast<__int128>(mc) * power_of_two(ec - 24 + kScale);
  const __int128 sum = product + addend;
  if (sum == 0) return 0.0f;
  unsigned __int128 magnitude = sum < 0 ? -static_cast<unsigned __int128>(sum) : static_cast<unsigned __int128>(sum);
  int shift = 0;
  while ((magnitude >> shift) >= (static_cast<unsigned __int128>(1) << 24)) ++shift;  // keep 24 bits
  unsigned __int128 kept = magnitude >> shift;
  if (shift > 0) {
    const unsigned __int128 rest = magnitude & ((static_cast<unsigned __int128>(1) << shift) - 1);
    const unsigned __int128 half = static_cast<unsigned __int128>(1) << (shift - 1);
    if (rest > half || (rest == half && (kept & 1) != 0)) ++kept;
  }
  const float rounded = std::ldexp(static_cast<float>(static_cast<std::uint32_t>(kept)), shift - kScale);
  return sum < 0 ? -rounded : rounded;
}

std::vector<std::vector<int>> batches(const std::vector<int>& order, std::size_t batch_size) {
  std::vector<std::vector<int>> chunks;
  for (std::size_t start = 0; start < order.size(); start += batch_size) {
    chunks.emplace_back(order.begin() + start, order.begin() + std::min(order.size(), start + batch_size));
  }
  return chunks;
}

}  // namespace

TEST_CASE("the generator seeded with 0 draws MT19937's first outputs and random64 joins two of them",
          "[torch_random]") {
  TorchGenerator generator = seeded(0);
  const std::vector<std::uint32_t> first = {generator.random(), generator.random(), generator.random(),
                                            generator.random(), generator.random()};
  CHECK(first == std::vector<std::uint32_t>{2357136044u, 2546248239u, 3071714933u, 3626093760u, 2588848963u});
  generator.manual_seed(0);
  CHECK(generator.random64() == 0x8c7f0aac97c4aa2fULL);
}

TEST_CASE("the generator draws std::mt19937's stream from the low 32 bits of the seed, across many blocks",
          "[torch_random]") {
  for (const std::uint64_t seed : {0ULL, 42ULL, 5489ULL, 0xffffffffULL, (1ULL << 32) + 5, ~0ULL}) {
    TorchGenerator generator = seeded(seed);
    std::mt19937 standard(static_cast<std::uint32_t>(seed));
    int mismatches = 0;
    for (int i = 0; i < 5000; ++i) mismatches += generator.random() != standard() ? 1 : 0;
    INFO("seed " << seed);
    CHECK(mismatches == 0);
    CHECK(generator.initial_seed() == seed);  // all 64 bits kept, as torch.initial_seed() returns them
  }
  TorchGenerator low = seeded(5), high = seeded((1ULL << 32) + 5);
  CHECK(torch::randn(20, low) == torch::randn(20, high));
  CHECK(TorchGenerator().initial_seed() == 67280421310721ULL);  // torch.Generator()'s default
}

TEST_CASE("rand(3) after manual_seed(0) is PyTorch's", "[torch_random]") {
  TorchGenerator generator = seeded(0);
  CHECK(hexes(torch::rand(3, generator)) == "3efe1558 3f44aa2f 3db533a8");
}

TEST_CASE("randn(20) redoes its last 16 values from 16 new uniforms, as PyTorch's AVX2 path does", "[torch_random]") {
  TorchGenerator generator = seeded(0);
  CHECK(hexes(torch::randn(20, generator)) ==
        "bf901b85 bf93808a be804bd6 bede255d 3f194d8b bfc70d5b beaec6ca 3fed2f4e 3eefaa55 be217f5f "
        "3fb8c9db 3e8837a1 3fb1d6c0 3fcb0d00 3f72409c bf57fb33 3f6e8c30 3fa12737 4000519a 3d5c1b3a");
  // 20 uniforms, then 16 more for the tail: 36 draws.
  TorchGenerator counted = seeded(0);
  for (int i = 0; i < 36; ++i) counted.random();
  CHECK(generator.random() == counted.random());
}

TEST_CASE("randn(784, 1) is PyTorch's, and the two randn(1) after it draw a pair then return its cached half",
          "[torch_random]") {
  TorchGenerator generator = seeded(0);
  const std::vector<float> weights = torch::randn(784, generator);
  CHECK(hexes(weights, 0, 4) == "bf901b85 bf93808a be804bd6 bede255d");
  CHECK(hexes(weights, 782, 784) == "bf16798d bde96fb0");
  double sum = 0.0;  // PyTorch summed in double too
  for (float w : weights) sum += w;
  CHECK(sum == 49.56133907864569);  // PyTorch's scalar path gives 49.561322304594796
  const std::vector<float> first = torch::randn(1, generator);
  CHECK(generator.next_double_normal_sample().has_value());
  const std::vector<float> second = torch::randn(1, generator);
  CHECK(hex(first[0]) == "3ed2382d");   // 0.41058483719825745
  CHECK(hex(second[0]) == "bfeb58f0");  // -1.8386516571044922, r sin(theta) of the same pair
  // 784 uniforms, then two random64 for the pair; the cached value draws nothing.
  TorchGenerator counted = seeded(0);
  for (int i = 0; i < 784 + 4; ++i) counted.random();
  CHECK(generator.random() == counted.random());
}

TEST_CASE("randn(5) takes the serial double Box-Muller path", "[torch_random]") {
  TorchGenerator generator = seeded(0);
  CHECK(hexes(torch::randn(5, generator)) == "3fc53f5c be963c50 c00b7149 3f1184b6 bf8ad1a1");
}

TEST_CASE("the serial normal rounds to the floats that libm's log, sin and cos give, over 200000 pairs",
          "[torch_random]") {
  // PyTorch calls glibc there; this file's portable log and sincos must agree once rounded to float32.
  TorchGenerator generator = seeded(3), uniforms = seeded(3);
  int mismatches = 0;
  for (int i = 0; i < 200000; ++i) {
    const double u1 = torch::uniform_double(uniforms), u2 = torch::uniform_double(uniforms);
    const double radius = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * 3.14159265358979323846 * u1;
    const float cos_half = static_cast<float>(torch::normal_double(generator));
    const float sin_half = static_cast<float>(torch::normal_double(generator));
    mismatches += cos_half != static_cast<float>(radius * std::cos(theta)) ? 1 : 0;
    mismatches += sin_half != static_cast<float>(radius * std::sin(theta)) ? 1 : 0;
  }
  CHECK(mismatches == 0);
}

TEST_CASE(
    "the cached normal lives on the generator: used by the next serial draw, kept across others, reset by seeding",
    "[torch_random]") {
  TorchGenerator generator = seeded(0);
  const float first = torch::randn(1, generator)[0];
  const float second = torch::randn(1, generator)[0];
  generator.manual_seed(0);
  CHECK(hexes({first, second}) == hexes(torch::randn(2, generator)));  // randn(1); randn(1) is randn(2)

  // randn(16) and rand(3) neither use nor clear it.
  generator.manual_seed(0);
  torch::randn(1, generator);
  torch::randn(16, generator);
  torch::rand(3, generator);
  CHECK(hex(torch::randn(1, generator)[0]) == "be963c50");  // randn(5)[1]

  // manual_seed drops it: the next randn(5) starts afresh.
  generator.manual_seed(0);
  torch::randn(1, generator);
  generator.manual_seed(0);
  CHECK_FALSE(generator.next_double_normal_sample().has_value());
  CHECK(hexes(torch::randn(5, generator)) == "3fc53f5c be963c50 c00b7149 3f1184b6 bf8ad1a1");
}

TEST_CASE("nn.Linear(784, 30) then nn.Linear(30, 1) draw PyTorch's weights and biases, with its fused multiply-add",
          "[torch_random]") {
  CHECK(hex(static_cast<float>(torch::kaiming_uniform_bound(784))) == "3d124925");
  CHECK(hex(static_cast<float>(torch::linear_bias_bound(784))) == "3d124925");
  CHECK(hex(static_cast<float>(torch::kaiming_uniform_bound(30))) == "3e3af4ba");
  CHECK(hex(static_cast<float>(torch::linear_bias_bound(30))) == "3e3af4ba");

  TorchGenerator generator = seeded(0);
  const torch::LinearLayer l1 = torch::nn_linear(784, 30, generator);
  const torch::LinearLayer l2 = torch::nn_linear(30, 1, generator);
  REQUIRE(l1.weight.size() == 30 * 784);
  REQUIRE(l1.bias.size() == 30);
  REQUIRE(l2.weight.size() == 30);
  REQUIRE(l2.bias.size() == 1);
  // Without the fusion: 3c9cf2b6, 3c3c8534, 3dcd9aa0 3d641a80 and 3a14b500.
  CHECK(hexes(l1.weight, 0, 3) == "b98c3000 3c9cf2b5 bcf0ccac");
  CHECK(hex(l1.weight[29 * 784 + 783]) == "3d10ed6d");
  CHECK(hexes(l1.bias, 0, 3) == "3c9c358e bcdfb55c 3c3c8533");
  CHECK(hexes(l2.weight, 0, 3) == "3e16f08e 3dcd9aa1 3d641a81");
  CHECK(hex(l2.bias[0]) == "3a14b4e8");
  // One raw output per value, no more.
  TorchGenerator counted = seeded(0);
  for (int i = 0; i < 23581; ++i) counted.random();
  CHECK(generator.random() == counted.random());
}

TEST_CASE("randperm(10) after manual_seed(0) is PyTorch's", "[torch_random]") {
  TorchGenerator generator = seeded(0);
  CHECK(torch::randperm(10, generator) == std::vector<int>{4, 1, 7, 5, 3, 9, 0, 8, 6, 2});
}

TEST_CASE("a shuffled DataLoader's two epochs come in PyTorch's order", "[torch_random]") {
  // manual_seed(0); DataLoader(list(range(10)), batch_size=4, shuffle=True), iterated twice.
  TorchGenerator generator = seeded(0);
  const std::vector<int> epoch0 = torch::dataloader_epoch(10, true, generator);
  const std::vector<int> epoch1 = torch::dataloader_epoch(10, true, generator);
  CHECK(batches(epoch0, 4) == std::vector<std::vector<int>>{{6, 7, 1, 4}, {2, 0, 9, 8}, {3, 5}});
  CHECK(batches(epoch1, 4) == std::vector<std::vector<int>>{{2, 4, 7, 0}, {8, 9, 5, 3}, {6, 1}});
  // Four raw outputs of the global generator an epoch; an unshuffled one draws only its base seed, two.
  TorchGenerator counted = seeded(0);
  for (int i = 0; i < 8; ++i) counted.random();
  CHECK(generator.random() == counted.random());
  CHECK(torch::dataloader_epoch(5, false, generator) == std::vector<int>{0, 1, 2, 3, 4});
  for (int i = 0; i < 2; ++i) counted.random();
  CHECK(generator.random() == counted.random());
}

TEST_CASE("exact_fmaf rounds a * b + c once, as a hardware fma does", "[torch_random]") {
  // (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly; rounding the product first gives 0.
  CHECK(torch::exact_fmaf(1.0f + 0x1.0p-23f, 1.0f - 0x1.0p-23f, -1.0f) == -0x1.0p-46f);
  std::mt19937 bits(7);
  int mismatches = 0;
  // a * 3 exactly halfway between two floats (a in [1, 4/3) with an odd last bit), nudged by a c too small to
  // show in a double sum: rounding to double and then to float would round the tie to even and lose c.
  for (int i = 0; i < 20000; ++i) {
    const int exponent = i % 9 - 4;
    const float a = std::ldexp(1.0f + static_cast<float>((bits() % 2796202u) | 1u) * 0x1.0p-23f, exponent);
    const float c = std::ldexp(i % 4 < 2 ? 1.0f : -1.0f, exponent - 54);
    mismatches += hex(torch::exact_fmaf(a, 3.0f, c)) != hex(reference_fmaf(a, 3.0f, c)) ? 1 : 0;
  }
  // Random operands, c either cancelling a * b down to its rounding error or of any size.
  for (int i = 0; i < 200000; ++i) {
    const float a = random_float(bits, -8, 8);
    const float b = random_float(bits, -8, 8);
    const float c = i % 2 ? -static_cast<float>(static_cast<double>(a) * b) : random_float(bits, -30, 20);
    mismatches += hex(torch::exact_fmaf(a, b, c)) != hex(reference_fmaf(a, b, c)) ? 1 : 0;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("seed 42 draws the initial parameters of every reference run, to the last printed digit",
          "[torch_random][reference]") {
  constexpr int kInputs = 28 * 28, kHidden = 30;
  SECTION("linear, init_params: randn(784, 1) then randn(1)") {
    TorchGenerator generator = seeded(42);
    check_same_text(torch::linear_randn_params(kInputs, generator), "linear-seed42-lr1-bs256-e20");
  }
  SECTION("linear, the shuffled run draws the same") {
    TorchGenerator generator = seeded(42);
    check_same_text(torch::linear_randn_params(kInputs, generator), "linear-shuffle-seed42-lr1-bs256-e10");
  }
  SECTION("linear, nn.Linear(784, 1)") {
    TorchGenerator generator = seeded(42);
    check_same_text(torch::linear_nn_params(kInputs, generator), "linear-pytorch-seed42-lr1-bs256-e20");
  }
  SECTION("simple_net, nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1))") {
    TorchGenerator generator = seeded(42);
    check_same_text(torch::simple_net_nn_params(kInputs, kHidden, generator), "simple_net-seed42-lr0.1-bs256-e40");
  }
  SECTION("simple_net, the book's randn w1 (784 x 30, stored transposed), b1, w2, b2") {
    TorchGenerator generator = seeded(42);
    check_same_text(torch::simple_net_randn_params(kInputs, kHidden, generator),
                    "simple_net-randn-seed42-lr0.01-bs256-e10");
  }
}
