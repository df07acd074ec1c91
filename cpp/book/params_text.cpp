#include "book/params_text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace mnist_sgd {

std::string format_params(const std::vector<float>& flat) {
  std::string text;
  char line[32];
  for (float value : flat) {
    std::snprintf(line, sizeof line, "%.9g\n", value);
    text += line;
  }
  return text;
}

namespace {

// A decimal number -> the nearest float (ties to even), as strtof rounds it. Not strtof itself: the
// WebAssembly libc's reads through 128-bit long doubles, whose software arithmetic added 18 KB to the module
// (133 KB instead of 115 KB), over its budget. This is the exact "decimal" conversion of Go's strconv: the
// digits are multiplied and divided by powers of two, exactly, until the value is in [0.5, 1); then the
// float's 24 bits are its leading binary digits, rounded.
class DecimalReader {
 public:
  // The whole of `text` as [+-](digits[.digits] | .digits)[(e|E)[+-]digits]; false for anything else.
  bool read(const std::string& text) {
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative_ = text[i++] == '-';
    bool saw_dot = false, saw_digits = false;
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '.') {
        if (saw_dot) return false;
        saw_dot = true;
        point_ = count_;
      } else if (is_digit(c)) {
        saw_digits = true;
        if (c == '0' && count_ == 0) {  // a leading zero: after the point it moves the point
          --point_;
        } else if (count_ < kMaxDigits) {
          digits_[count_++] = static_cast<std::uint8_t>(c - '0');
        } else if (c != '0') {
          truncated_ = true;
        }
      } else {
        break;
      }
    }
    if (!saw_digits) return false;
    if (!saw_dot) point_ = count_;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      int sign = 1;
      if (i < text.size() && (text[i] == '+' || text[i] == '-')) sign = text[i++] == '-' ? -1 : 1;
      if (i == text.size() || !is_digit(text[i])) return false;
      int exponent = 0;
      for (; i < text.size() && is_digit(text[i]); ++i)
        if (exponent < 10000) exponent = exponent * 10 + (text[i] - '0');  // past 10^10000 it makes no difference
      point_ += sign * exponent;
    }
    return i == text.size();
  }

  // The float nearest the number read; infinity when it is past the largest float.
  float to_float() {
    constexpr int kMantissaBits = 23, kBias = -127, kMaxBiasedExponent = 255;
    std::uint64_t mantissa = 0;
    int exponent = kBias;  // of zero
    if (count_ > 0 && point_ > 40) {
      exponent = kBias + kMaxBiasedExponent;   // 10^40 and up: past the largest float
    } else if (count_ > 0 && point_ >= -50) {  // (below 10^-51: not even the smallest denormal, zero)
      // Scale by powers of two into [0.5, 1): 2^n below 10^k for n = kShifts[k].
      constexpr int kShifts[] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
      exponent = 0;
      while (point_ > 0) {
        const int n = point_ >= 9 ? 27 : kShifts[point_];
        shift(-n);
        exponent += n;
      }
      while (point_ < 0 || (point_ == 0 && digits_[0] < 5)) {
        const int n = -point_ >= 9 ? 27 : kShifts[-point_];
        shift(n);
        exponent -= n;
      }
      --exponent;                  // [0.5, 1) is 2^-1 [1, 2)
      if (exponent < kBias + 1) {  // a denormal: the exponent stays at its least, the mantissa shrinks
        shift(-(kBias + 1 - exponent));
        exponent = kBias + 1;
      }
      if (exponent - kBias < kMaxBiasedExponent) {
        shift(kMantissaBits + 1);
        mantissa = rounded_integer();
        if (mantissa == std::uint64_t{2} << kMantissaBits) {  // rounding carried into a new bit
          mantissa >>= 1;
          ++exponent;
        }
        if ((mantissa & (std::uint64_t{1} << kMantissaBits)) == 0) exponent = kBias;  // denormal
      }
      if (exponent - kBias >= kMaxBiasedExponent) {
        exponent = kBias + kMaxBiasedExponent;
        mantissa = 0;
      }
    }
    const std::uint32_t bits = (static_cast<std::uint32_t>(mantissa) & ((1u << kMantissaBits) - 1)) |
                               static_cast<std::uint32_t>(exponent - kBias) << kMantissaBits |
                               static_cast<std::uint32_t>(negative_) << 31;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  // Multiplies the number by 2^k (or divides, k < 0), exactly but for digits past kMaxDigits.
  void shift(int k) {
    constexpr int kMaxShift = 60;  // a digit shifted by it still fits 64 bits with its carry
    for (; k > kMaxShift; k -= kMaxShift) left_shift(kMaxShift);
    for (; k < -kMaxShift; k += kMaxShift) right_shift(kMaxShift);
    if (k > 0) left_shift(static_cast<unsigned>(k));
    if (k < 0) right_shift(static_cast<unsigned>(-k));
  }

  void left_shift(unsigned k) {
    if (count_ == 0) return;
    std::uint8_t reversed[kMaxDigits + 20];  // the product's digits, least significant first
    int length = 0;
    std::uint64_t n = 0;
    for (int r = count_ - 1; r >= 0; --r) {
      n += static_cast<std::uint64_t>(digits_[r]) << k;
      reversed[length++] = static_cast<std::uint8_t>(n % 10);
      n /= 10;
    }
    for (; n > 0; n /= 10) reversed[length++] = static_cast<std::uint8_t>(n % 10);
    point_ += length - count_;
    count_ = std::min(length, kMaxDigits);
    for (int i = 0; i < length; ++i) {
      const std::uint8_t digit = reversed[length - 1 - i];
      if (i < count_) digits_[i] = digit;
      else if (digit != 0) truncated_ = true;
    }
    trim();
  }

  void right_shift(unsigned k) {
    int r = 0, w = 0;
    std::uint64_t n = 0;
    for (; (n >> k) == 0; ++r) {  // enough leading digits to give one of the quotient
      if (r >= count_) {
        if (n == 0) {
          count_ = 0;
          return;
        }
        for (; (n >> k) == 0; ++r) n *= 10;
        break;
      }
      n = n * 10 + digits_[r];
    }
    point_ -= r - 1;
    const std::uint64_t mask = (std::uint64_t{1} << k) - 1;
    for (; r < count_; ++r) {
      const std::uint64_t digit = n >> k;
      n &= mask;
      digits_[w++] = static_cast<std::uint8_t>(digit);
      n = n * 10 + digits_[r];
    }
    for (; n > 0; n *= 10) {
      const std::uint64_t digit = n >> k;
      n &= mask;
      if (w < kMaxDigits) digits_[w++] = static_cast<std::uint8_t>(digit);
      else if (digit > 0) truncated_ = true;
    }
    count_ = w;
    trim();
  }

  void trim() {
    while (count_ > 0 && digits_[count_ - 1] == 0) --count_;
    if (count_ == 0) point_ = 0;
  }

  // The integer part, rounded half to even (a dropped nonzero digit breaks the tie upwards).
  std::uint64_t rounded_integer() const {
    std::uint64_t n = 0;
    int i = 0;
    for (; i < point_ && i < count_; ++i) n = n * 10 + digits_[i];
    for (; i < point_; ++i) n *= 10;
    bool up = false;
    if (point_ >= 0 && point_ < count_) {
      if (digits_[point_] == 5 && point_ + 1 == count_) up = truncated_ || (point_ > 0 && digits_[point_ - 1] % 2 != 0);
      else up = digits_[point_] >= 5;
    }
    return n + up;
  }

  static constexpr int kMaxDigits = 800;
  std::uint8_t digits_[kMaxDigits];  // most significant first: the number is 0.digits_ * 10^point_
  int count_ = 0;
  int point_ = 0;
  bool negative_ = false;
  bool truncated_ = false;  // nonzero digits past kMaxDigits were dropped
};

}  // namespace

Result<std::vector<float>> parse_params(const std::string& text, std::size_t expected_count) {
  std::vector<float> values;
  // A byte-order mark, which some editors put first, is not part of the first number.
  std::size_t line_start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  int line_number = 0;
  while (line_start < text.size()) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string line = text.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    ++line_number;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t first = 0;
    while (first < line.size() && std::isspace(static_cast<unsigned char>(line[first]))) ++first;
    line.erase(0, first);
    if (line.empty()) continue;
    if (values.size() == expected_count)
      return Error{"expected " + std::to_string(expected_count) + " numbers, found more (line " +
                   std::to_string(line_number) + ")"};
    // Decimal numbers only (no hex floats, "inf" or "nan", which strtof would also read).
    DecimalReader number;
    const bool decimal = number.read(line);
    const float value = decimal ? number.to_float() : 0.0f;
    if (!decimal || !std::isfinite(value))
      return Error{"line " + std::to_string(line_number) + ": '" + line.substr(0, 40) + "' is not a finite number"};
    values.push_back(value);
  }
  if (values.size() != expected_count)
    return Error{"expected " + std::to_string(expected_count) + " numbers, found " + std::to_string(values.size())};
  return values;
}

}  // namespace mnist_sgd
