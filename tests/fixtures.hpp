// Test fixtures built in memory: gzip, tar and PNG writers, so that no binary fixture is ever committed.
//
// The writers are deliberately independent of the engine's readers (cpp/data): a stored-block and a
// fixed-Huffman deflate writer, a ustar writer and stb_image_write. The tests check that the engine reads
// what they write before they check how it refuses what they break.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "book/dataset.hpp"
#include "data/bytes.hpp"

namespace fixtures {

using Bytes = std::vector<std::uint8_t>;

inline mnist_sgd::ByteSpan span(const Bytes& bytes) { return {bytes.data(), bytes.size()}; }
Bytes to_bytes(const std::string& text);

// CRC-32 (IEEE, as gzip and PNG use it); `crc` is the running value of an earlier call, 0 to start.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

// A gzip file holding `content` in stored (uncompressed) deflate blocks.
Bytes gzip_stored(const Bytes& content);

// A gzip file that inflates to `count` zero bytes: fixed-Huffman matches of 258 bytes at distance 1, about
// 13 bits per 258 bytes (100 MiB of zeros in 660 KB). `declared_size` overrides the trailer's ISIZE field
// (mod 2^32) when >= 0, to model a trailer that lies.
Bytes gzip_zeros(std::size_t count, long long declared_size = -1);

// A raw deflate stream of one fixed-Huffman block holding these pieces in order: a literal byte (length 0), or
// a back-reference of `length` (3 to 258) bytes from `distance` (1 to 32768) bytes back.
struct DeflatePiece {
  std::uint8_t literal = 0;
  int length = 0;
  int distance = 0;
};
Bytes deflate_fixed(const std::vector<DeflatePiece>& pieces);

struct TarFile {
  std::string path;  // a folder when it ends in '/'
  Bytes content;
};

// A ustar archive of `files` in the order given, ending with two zero blocks.
Bytes tar(const std::vector<TarFile>& files);

// A PNG made by stb_image_write: 8-bit, `channels` 1 (grey) or 3 (RGB), rows of width * channels bytes.
// `row_filter` 0-4 (None, Sub, Up, Average, Paeth) filters every row so; -1 lets stb_image_write choose.
Bytes png(int width, int height, int channels, const Bytes& pixels, int row_filter = -1);

// 784 distinct-looking pixels for the digit numbered `n`, and the 28x28 grey PNG that holds them.
Bytes digit_pixels(int n);
Bytes digit_png(int n);

// `png` with the first chunk of `type` changed: byte `offset` of its data XOR 0xff, and its CRC
// recomputed only when `fix_crc` (so that the damage gets past the checksum to the decoder behind it).
Bytes flip_chunk_byte(const Bytes& png, const std::string& type, std::size_t offset, bool fix_crc);

// Recomputes the CRC of every chunk that `png` still holds whole, so that damage reaches the decoder.
void fix_all_crcs(Bytes& png);

// `png` with its image data split into two IDAT chunks, the first holding `first_size` bytes.
Bytes with_idat_split(const Bytes& png, std::size_t first_size);

// `png` claiming another bit depth in IHDR, with a valid CRC.
Bytes with_bit_depth(const Bytes& png, std::uint8_t bit_depth);

// A tiny sample in the real archive's layout (mnist_sample/{train,valid}/{3,7}/NAME.png, plus a
// labels.csv the loader must ignore). Its images are digit_png(n) with the n given here, per folder:
//   train/3: 10.png (n=1), 100.png (n=2), 9.png (n=3), stored in the archive as 9, 100, 10
//   train/7: 5.png (n=4)   valid/3: 7.png (n=5)   valid/7: 8.png (n=6)
// so that the order the book uses (names sorted as strings within a folder) differs from archive order.
std::vector<TarFile> tiny_sample_files();
Bytes tiny_sample_tgz();

// Decodes any 8-bit PNG to grey with stb_image (not the engine's decoder); empty on failure.
Bytes decode_png_grey(const Bytes& png, int& width, int& height);

}  // namespace fixtures
