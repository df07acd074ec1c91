#include "data/inflate.hpp"

#include <algorithm>
#include <cstring>

namespace mnist_sgd {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "BitReader loads 8 input bytes as one little-endian word");

// The input as a stream of bits, each byte's lowest bit first: the low count_ bits of bits_ come next.
class BitReader {
 public:
  // `last`: nothing follows the input. Otherwise the reader stops where the input does (see refill), so
  // that a stream can be read as it arrives.
  BitReader(ByteSpan input, bool last) : data_(input.data), size_(input.size), last_(last) {}

  // Tops the buffer up to at least 56 bits (all a literal/length, a distance and their extra bits need).
  // Near the end of an input that more will follow, false: wait for it. At the end of the last input it adds
  // zero bytes, which a whole stream never consumes: false once it has added more of them than the buffer
  // holds, so that a truncated stream stops early.
  bool refill() {
    if (pos_ + 8 <= size_) {
      std::uint64_t word;
      std::memcpy(&word, data_ + pos_, 8);
      bits_ |= word << count_;
      pos_ += (63 - count_) >> 3;
      count_ |= 56;
      return true;
    }
    if (!last_) return false;
    for (; count_ <= 56; count_ += 8, ++pos_)
      if (pos_ < size_) bits_ |= static_cast<std::uint64_t>(data_[pos_]) << count_;
    return pos_ <= size_ + 8;
  }

  std::uint32_t peek(int n) const { return static_cast<std::uint32_t>(bits_ & ((std::uint64_t{1} << n) - 1)); }
  void skip(int n) {
    bits_ >>= n;
    count_ -= n;
  }
  std::uint32_t take(int n) {
    const std::uint32_t value = peek(n);
    skip(n);
    return value;
  }

  // Where the next bit is, counted from the start of the input; seek() goes back there (to a bit of a
  // byte already read).
  std::size_t bit_position() const { return pos_ * 8 - count_; }
  void seek(std::size_t bit) {
    pos_ = bit / 8;
    bits_ = 0;
    count_ = 0;
    if (const int skipped = static_cast<int>(bit % 8)) {
      // (Within the zero bits refill() adds past the end of the last input, the byte is one of those.)
      bits_ = (pos_ < size_ ? data_[pos_] : 0) >> skipped;
      ++pos_;
      count_ = 8 - skipped;
    }
  }

  // For a stored block, whose bytes are copied as they are: the position of the next whole byte.
  std::size_t to_byte_boundary() {
    skip(count_ % 8);
    pos_ -= count_ / 8;
    bits_ = 0;
    count_ = 0;
    return pos_;
  }
  void advance_to(std::size_t pos) { pos_ = pos; }

  bool last() const { return last_; }
  bool overran() const { return pos_ * 8 - count_ > size_ * 8; }  // the stream used bits past the end
  std::size_t bytes_used() const { return pos_ - count_ / 8; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  bool last_;
  std::size_t pos_ = 0;  // next input byte to load into bits_
  std::uint64_t bits_ = 0;
  int count_ = 0;
};

// What a stream that stopped at the end of its input means: cut short, or only waiting for more.
InflateStatus starved(const BitReader& in) { return in.last() ? InflateStatus::kTruncated : InflateStatus::kNeedInput; }

constexpr int kMaxCodeBits = 15;
// Codes of up to kFastBits bits (all of a fixed-Huffman block's, almost all of a dynamic one's) decode with
// one look-up; a 512-entry table is cheap to fill for a PNG's one small block.
constexpr int kFastBits = 9;
constexpr int kMaxSymbols = 288;

// The low `len` bits of `code` in reverse order.
std::uint32_t reverse_bits(std::uint32_t code, int len) {
  code = (code & 0x5555) << 1 | (code >> 1 & 0x5555);
  code = (code & 0x3333) << 2 | (code >> 2 & 0x3333);
  code = (code & 0x0f0f) << 4 | (code >> 4 & 0x0f0f);
  code = (code & 0x00ff) << 8 | (code >> 8 & 0x00ff);
  return code >> (16 - len);
}

// A canonical Huffman code (RFC 1951, 3.2.2), built from its code lengths.
struct HuffmanCode {
  // By the next kFastBits input bits: symbol << 4 | code length, or 0 when the code is longer (or unused).
  std::uint16_t fast[1 << kFastBits];
  std::uint16_t count[kMaxCodeBits + 1];  // how many codes have each length
  std::uint16_t symbols[kMaxSymbols];     // in code order: by length, then by symbol

  // False for lengths that give more codes than there are bit patterns. An incomplete code is allowed (a
  // block that uses a single distance has one); decoding a bit pattern it leaves unused fails instead.
  bool build(const std::uint8_t* lengths, int symbol_count) {
    std::fill(std::begin(count), std::end(count), 0);
    for (int s = 0; s < symbol_count; ++s) ++count[lengths[s]];
    count[0] = 0;
    std::uint16_t first_index[kMaxCodeBits + 1];
    int unused_patterns = 1;
    for (int len = 1, index = 0; len <= kMaxCodeBits; ++len) {
      unused_patterns = unused_patterns * 2 - count[len];
      if (unused_patterns < 0) return false;
      first_index[len] = static_cast<std::uint16_t>(index);
      index += count[len];
    }
    for (int s = 0; s < symbol_count; ++s)
      if (lengths[s] != 0) symbols[first_index[lengths[s]]++] = static_cast<std::uint16_t>(s);

    // Codes are numbered in order within each length. They come most significant bit first, and the reader
    // takes bits lowest first, hence reversed.
    std::fill(std::begin(fast), std::end(fast), 0);
    std::uint32_t code = 0;
    for (int len = 1, index = 0; len <= kFastBits; ++len, code <<= 1) {
      for (int i = 0; i < count[len]; ++i, ++code, ++index) {
        const std::uint32_t reversed = reverse_bits(code, len);
        const auto entry = static_cast<std::uint16_t>(symbols[index] << 4 | len);
        for (std::uint32_t r = reversed; r < (1u << kFastBits); r += 1u << len) fast[r] = entry;
      }
    }
    return true;
  }
};

// A code longer than kFastBits bits (or one `code` does not have: -1), one bit at a time as zlib's "puff"
// decodes: `first` is the first code of each length, `index` the position of its symbol. Cold, so that it
// stays out of line and decode_symbol stays small enough to be inlined in the decoding loop.
[[gnu::cold]] int decode_long_symbol(BitReader& in, const HuffmanCode& code) {
  int bits = 0, first = 0, index = 0;
  for (int len = 1; len <= kMaxCodeBits; ++len) {
    bits |= static_cast<int>(in.take(1));
    const int count = code.count[len];
    if (bits - first < count) return code.symbols[index + bits - first];
    index += count;
    first = (first + count) << 1;
    bits <<= 1;
  }
  return -1;
}

// The next symbol of `code`, or -1 for a code it does not have. Needs kMaxCodeBits bits in the buffer.
int decode_symbol(BitReader& in, const HuffmanCode& code) {
  if (const std::uint32_t entry = code.fast[in.peek(kFastBits)]) {
    in.skip(entry & 15);
    return static_cast<int>(entry >> 4);
  }
  return decode_long_symbol(in, code);
}

constexpr std::uint16_t kLengthBase[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                           31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::uint8_t kLengthExtraBits[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::uint16_t kDistanceBase[30] = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                             33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                             1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::uint8_t kDistanceExtraBits[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
constexpr int kEndOfBlock = 256;

// length (3 to 258) bytes from `from` to `to`, which do not overlap, in fixed-size pieces (the last one
// overlapping the one before): in WebAssembly a memcpy of a variable length is a call, and the tar's many
// short matches made it a tenth of the engine's time on the sample.
inline void copy_apart(std::uint8_t* to, const std::uint8_t* from, std::size_t length) {
  if (length < 4) {  // 3
    std::memcpy(to, from, 2);
    to[2] = from[2];
    return;
  }
  if (length < 8) {
    std::memcpy(to, from, 4);
    std::memcpy(to + length - 4, from + length - 4, 4);
    return;
  }
  for (std::size_t i = 0; i + 8 < length; i += 8) std::memcpy(to + i, from + i, 8);
  std::memcpy(to + length - 8, from + length - 8, 8);
}

struct LiteralAndDistanceCodes {
  HuffmanCode literal_length;
  HuffmanCode distance;
};

// The fixed codes of block type 1 (RFC 1951, 3.2.6), built once: most of the sample's PNGs use them.
const LiteralAndDistanceCodes& fixed_codes() {
  static const LiteralAndDistanceCodes codes = [] {
    LiteralAndDistanceCodes c;
    std::uint8_t lengths[kMaxSymbols];
    std::fill(lengths, lengths + 144, 8);
    std::fill(lengths + 144, lengths + 256, 9);
    std::fill(lengths + 256, lengths + 280, 7);
    std::fill(lengths + 280, lengths + 288, 8);
    c.literal_length.build(lengths, 288);
    std::fill(lengths, lengths + 32, 5);
    c.distance.build(lengths, 32);
    return c;
  }();
  return codes;
}

}  // namespace

// Where a deflate stream is between calls: in which block, and with which codes. Each call inflates from
// its reader into out[size, capacity) as far as the input and the output allow, and stops either at the
// end of the stream or where it can start again: at a block's start or a code's.
class Inflater {
 public:
  InflateStatus run(BitReader& in, std::uint8_t* out, std::size_t capacity, std::size_t& size) {
    while (!ended_) {
      if (codes_ == nullptr) {
        const std::size_t block_start = in.bit_position();
        const InflateStatus status = begin_block(in, out, capacity, size);
        if (status == InflateStatus::kNeedInput || status == InflateStatus::kOutputFull) in.seek(block_start);
        if (status != InflateStatus::kOk) return status;
        if (codes_ == nullptr) ended_ = last_block_;  // a stored block, already copied
        continue;
      }
      // The decoding state in locals: the compiler must assume that a byte stored to the output may change
      // any member, and would reload them all after every literal.
      BitReader reader = in;
      std::size_t end = size;
      const InflateStatus status = decode_codes(*codes_, reader, out, capacity, end);
      in = reader;
      size = end;
      if (status != InflateStatus::kOk) return status;
      codes_ = nullptr;
      ended_ = last_block_;
    }
    return InflateStatus::kOk;
  }

 private:
  // A block's header; a stored block is copied whole here, a compressed one leaves its codes in codes_.
  InflateStatus begin_block(BitReader& in, std::uint8_t* out, std::size_t capacity, std::size_t& size) {
    if (!in.refill()) return starved(in);
    last_block_ = in.take(1) == 1;
    switch (in.take(2)) {
      case 0: return stored_block(in, out, capacity, size);
      case 1: codes_ = &fixed_codes(); return InflateStatus::kOk;
      case 2: return dynamic_block(in);
      default: return InflateStatus::kCorrupt;
    }
  }

  static InflateStatus stored_block(BitReader& in, std::uint8_t* out, std::size_t capacity, std::size_t& size) {
    const std::size_t header = in.to_byte_boundary();
    if (header > in.size() || in.size() - header < 4) return starved(in);
    const std::uint8_t* p = in.data() + header;
    const std::size_t length = p[0] | p[1] << 8;
    if (static_cast<std::size_t>(p[2] | p[3] << 8) != (~length & 0xffff)) return InflateStatus::kCorrupt;
    if (in.size() - header - 4 < length) return starved(in);
    if (capacity - size < length) return InflateStatus::kOutputFull;
    std::memcpy(out + size, p + 4, length);
    size += length;
    in.advance_to(header + 4 + length);
    return InflateStatus::kOk;
  }

  // Block type 2: the codes come first, themselves Huffman-coded (RFC 1951, 3.2.7).
  InflateStatus dynamic_block(BitReader& in) {
    const int literal_count = static_cast<int>(in.take(5)) + 257;
    const int distance_count = static_cast<int>(in.take(5)) + 1;
    const int length_code_count = static_cast<int>(in.take(4)) + 4;
    if (literal_count > 286 || distance_count > 30) return InflateStatus::kCorrupt;

    static constexpr std::uint8_t kLengthCodeOrder[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                          11, 4,  12, 3, 13, 2, 14, 1, 15};
    std::uint8_t lengths[286 + 30] = {};
    for (int i = 0; i < length_code_count; ++i) {
      if (!in.refill()) return starved(in);
      lengths[kLengthCodeOrder[i]] = static_cast<std::uint8_t>(in.take(3));
    }
    HuffmanCode length_code;
    if (!length_code.build(lengths, 19)) return InflateStatus::kCorrupt;

    // Code lengths 0-15 as they are; 16 repeats the previous one 3-6 times, 17 and 18 give runs of zeros.
    const int total = literal_count + distance_count;
    std::fill(lengths, lengths + 19, 0);
    for (int n = 0; n < total;) {
      if (!in.refill()) return starved(in);
      const int symbol = decode_symbol(in, length_code);
      if (symbol < 0) return InflateStatus::kCorrupt;
      if (symbol < 16) {
        lengths[n++] = static_cast<std::uint8_t>(symbol);
        continue;
      }
      if (symbol == 16 && n == 0) return InflateStatus::kCorrupt;
      const std::uint8_t value = symbol == 16 ? lengths[n - 1] : 0;
      const int repeat = symbol == 16 ? 3 + in.take(2) : symbol == 17 ? 3 + in.take(3) : 11 + in.take(7);
      if (repeat > total - n) return InflateStatus::kCorrupt;
      std::fill(lengths + n, lengths + n + repeat, value);
      n += repeat;
    }
    if (lengths[kEndOfBlock] == 0) return InflateStatus::kCorrupt;
    if (!dynamic_codes_.literal_length.build(lengths, literal_count) ||
        !dynamic_codes_.distance.build(lengths + literal_count, distance_count))
      return InflateStatus::kCorrupt;
    codes_ = &dynamic_codes_;
    return InflateStatus::kOk;
  }

  // Literals, and (length, distance) pairs that copy earlier output, up to the end-of-block symbol. When the
  // input or the output runs out, `in` is left at the start of the code that did not fit.
  static InflateStatus decode_codes(const LiteralAndDistanceCodes& codes, BitReader& in, std::uint8_t* const out,
                                    const std::size_t capacity, std::size_t& size) {
    while (true) {
      if (!in.refill()) return starved(in);
      const std::size_t code_start = in.bit_position();
      const int symbol = decode_symbol(in, codes.literal_length);
      if (symbol < 0) return InflateStatus::kCorrupt;
      if (symbol < 256) {
        if (size == capacity) {
          in.seek(code_start);
          return InflateStatus::kOutputFull;
        }
        out[size++] = static_cast<std::uint8_t>(symbol);
        continue;
      }
      if (symbol == kEndOfBlock) return InflateStatus::kOk;
      const int length_symbol = symbol - 257;
      if (length_symbol >= 29) return InflateStatus::kCorrupt;
      const std::size_t length = kLengthBase[length_symbol] + in.take(kLengthExtraBits[length_symbol]);
      const int distance_symbol = decode_symbol(in, codes.distance);
      if (distance_symbol < 0 || distance_symbol >= 30) return InflateStatus::kCorrupt;
      const std::size_t distance = kDistanceBase[distance_symbol] + in.take(kDistanceExtraBits[distance_symbol]);
      if (distance > size) return InflateStatus::kCorrupt;
      if (capacity - size < length) {
        in.seek(code_start);
        return InflateStatus::kOutputFull;
      }
      std::uint8_t* to = out + size;
      const std::uint8_t* from = to - distance;
      if (distance >= length) {
        copy_apart(to, from, length);
      } else if (distance == 1) {  // a run of one byte: a PNG's blank rows, a tar's padding
        std::memset(to, *from, length);
      } else {  // the copy overlaps what it writes: byte by byte
        for (std::size_t i = 0; i < length; ++i) to[i] = from[i];
      }
      size += length;
    }
  }

  const LiteralAndDistanceCodes* codes_ = nullptr;  // of the block being decoded; null between blocks
  bool last_block_ = false;
  bool ended_ = false;
  LiteralAndDistanceCodes dynamic_codes_;
};

InflateResult inflate(ByteSpan input, std::uint8_t* output, std::size_t capacity) {
  BitReader in(input, /*last=*/true);
  std::size_t size = 0;
  Inflater inflater;  // not Inflater(): that would zero its 3 KB of code tables for every PNG
  InflateStatus status = inflater.run(in, output, capacity, size);
  // Whatever went wrong, a stream that ran past the end of the input was cut short.
  if (in.overran()) status = InflateStatus::kTruncated;
  return {status, size};
}

namespace {

constexpr std::size_t kHistoryBytes = 32 << 10;  // the farthest a deflate back-reference reaches
// Room a run needs to make progress: a whole stored block, or one more code.
constexpr std::size_t kRoomForBlock = 0xffff + 258;
constexpr std::size_t kWindowBytes = 256 << 10;

}  // namespace

InflateStream::InflateStream() : inflater_(std::make_unique<Inflater>()), window_(kWindowBytes) {}
InflateStream::InflateStream(InflateStream&&) noexcept = default;
InflateStream& InflateStream::operator=(InflateStream&&) noexcept = default;
InflateStream::~InflateStream() = default;

InflateStatus InflateStream::run(ByteSpan input, bool last) {
  // Moves what is still needed (the history a back-reference may reach, and what is not yet released) to
  // the front once the room behind it runs short.
  if (window_.size() - size_ < kRoomForBlock) {
    const std::size_t keep_from = std::min(released_, size_ > kHistoryBytes ? size_ - kHistoryBytes : 0);
    std::memmove(window_.data(), window_.data() + keep_from, size_ - keep_from);
    released_ -= keep_from;
    size_ -= keep_from;
  }
  const std::size_t size_before = size_;
  BitReader in(input, last);
  if (bit_offset_ != 0) in.seek(static_cast<std::size_t>(bit_offset_));
  InflateStatus status = inflater_->run(in, window_.data(), window_.size(), size_);
  if (in.overran()) status = InflateStatus::kTruncated;
  new_output_ = size_ - size_before;
  // A stream ends on a byte boundary (what follows it is byte-aligned); a stop elsewhere may be within one.
  const std::size_t bit = status == InflateStatus::kOk ? in.bytes_used() * 8 : in.bit_position();
  // (A truncated stream's reader has run past the input: what it took is all of it.)
  input_taken_ = std::min(bit / 8, input.size);
  bit_offset_ = input_taken_ == input.size ? 0 : static_cast<int>(bit % 8);
  return status;
}

}  // namespace mnist_sgd
