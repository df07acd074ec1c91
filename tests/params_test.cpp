// The parameters' text format (one %.9g number a line, 784 weights then the bias) and its checks.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "book/linear.hpp"
#include "book/params_text.hpp"

using namespace mnist_sgd;

namespace {

// n lines of "0.5", with `line` (1-based) replaced by `replacement`.
std::string numbers_with(int n, int line, const std::string& replacement) {
  std::string text;
  for (int i = 1; i <= n; ++i) text += (i == line ? replacement : "0.5") + "\n";
  return text;
}

}  // namespace

TEST_CASE("format_params and parse_params round-trip every float exactly", "[params]") {
  // Random init plus the awkward cases: signed zero, denormals, the extremes, a value %.6g would round.
  LinearParams params = init_params(42);
  using limits = std::numeric_limits<float>;
  const float awkward[] = {-0.0f, limits::denorm_min(), -limits::min(), limits::max(), -limits::max(), 1.00000012f};
  for (int i = 0; i < 6; ++i) params.weights[i] = awkward[i];
  params.bias = -3.25e-7f;

  const std::vector<float> flat = to_flat(params);
  REQUIRE(flat.size() == static_cast<std::size_t>(kParamCount));
  CHECK(flat[kInputs] == params.bias);  // the bias comes last
  const std::string text = format_params(flat);
  CHECK(std::count(text.begin(), text.end(), '\n') == kParamCount);

  auto parsed = parse_params(text, kParamCount);
  REQUIRE(parsed);
  REQUIRE(parsed->size() == flat.size());
  for (std::size_t i = 0; i < flat.size(); ++i) {
    INFO("value " << i << ": " << flat[i]);
    REQUIRE(std::memcmp(&(*parsed)[i], &flat[i], sizeof(float)) == 0);  // bit for bit, -0 included
  }
  auto back = from_flat(*parsed);
  REQUIRE(back);
  CHECK(back->weights == params.weights);
  CHECK(back->bias == params.bias);
}

TEST_CASE("parse_params accepts blank lines surrounding spaces CRLF line ends and a byte-order mark", "[params]") {
  auto parsed = parse_params("\xEF\xBB\xBF\n  1.5 \r\n-2e-3\r\n\n\t3\n", 3);
  REQUIRE(parsed);
  CHECK(*parsed == std::vector<float>{1.5f, -2e-3f, 3.0f});
  auto no_final_newline = parse_params("1\n2", 2);
  REQUIRE(no_final_newline);
  CHECK(*no_final_newline == std::vector<float>{1.0f, 2.0f});
}

TEST_CASE("parse_params rejects the wrong count of numbers", "[params]") {
  auto too_few = parse_params(numbers_with(784, 0, ""), kParamCount);
  REQUIRE_FALSE(too_few);
  CHECK_THAT(too_few.error(), Catch::Contains("expected 785 numbers, found 784"));

  auto too_many = parse_params(numbers_with(786, 0, ""), kParamCount);
  REQUIRE_FALSE(too_many);
  CHECK_THAT(too_many.error(), Catch::Contains("expected 785 numbers") && Catch::Contains("line 786"));

  auto empty = parse_params("", kParamCount);
  REQUIRE_FALSE(empty);
  CHECK_THAT(empty.error(), Catch::Contains("found 0"));
}

TEST_CASE("parse_params rejects text that is not a finite number and names its line", "[params]") {
  struct Case {
    const char* text;
    const char* quoted;
  };
  const Case c = GENERATE(Case{"abc", "'abc'"}, Case{"nan", "'nan'"}, Case{"NaN", "'NaN'"}, Case{"inf", "'inf'"},
                          Case{"-Infinity", "'-Infinity'"}, Case{"1e39", "'1e39'"}, Case{"0.5x", "'0.5x'"},
                          Case{"1,5", "'1,5'"}, Case{"0.5 0.5", "'0.5 0.5'"}, Case{"0x1p3", "'0x1p3'"});
  INFO("line 3 is " << c.text);
  auto parsed = parse_params(numbers_with(785, 3, c.text), kParamCount);
  REQUIRE_FALSE(parsed);
  CHECK_THAT(parsed.error(),
             Catch::Contains("line 3") && Catch::Contains(c.quoted) && Catch::Contains("is not a finite number"));
}

TEST_CASE("from_flat rejects the wrong count and values that are not finite", "[params]") {
  auto short_list = from_flat(std::vector<float>(784, 0.0f));
  REQUIRE_FALSE(short_list);
  CHECK_THAT(short_list.error(), Catch::Contains("expected 785 parameters") && Catch::Contains("got 784"));

  std::vector<float> flat(785, 0.0f);
  flat[100] = std::numeric_limits<float>::infinity();
  auto infinite = from_flat(flat);
  REQUIRE_FALSE(infinite);
  CHECK_THAT(infinite.error(), Catch::Contains("finite"));
}
