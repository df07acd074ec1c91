#include "data/crc32.hpp"

#include <array>

#include "data/bytes.hpp"

namespace mnist_sgd {

// Eight bytes per step ("slicing by 8"): the archive's 15 MB are checked on every load, and eight
// independent look-ups a step keep the chain of dependent ones half as long as four did (loading the sample
// under Node, once warm: 82 ms with four, 76 with eight).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  // tables[0] is the classic byte table; tables[k][n] is the CRC of byte n followed by k zero bytes. Built
  // at the first call: the empty asm keeps the compiler from building them itself, as 8 KB of the module's
  // data (with them, the WebAssembly module was 147.8 KB; 140.6 KB without).
  static const std::array<std::array<std::uint32_t, 256>, 8> tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    std::uint32_t polynomial = 0xedb88320u;
    __asm__("" : "+r"(polynomial));
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? polynomial ^ (c >> 1) : c >> 1;
      t[0][n] = c;
    }
    for (std::uint32_t n = 0; n < 256; ++n)
      for (int k = 1; k < 8; ++k) t[k][n] = t[0][t[k - 1][n] & 0xff] ^ (t[k - 1][n] >> 8);
    return t;
  }();
  crc ^= 0xffffffffu;
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    const std::uint32_t low = crc ^ read_le32(data + i), high = read_le32(data + i + 4);
    crc = tables[7][low & 0xff] ^ tables[6][(low >> 8) & 0xff] ^ tables[5][(low >> 16) & 0xff] ^ tables[4][low >> 24] ^
          tables[3][high & 0xff] ^ tables[2][(high >> 8) & 0xff] ^ tables[1][(high >> 16) & 0xff] ^
          tables[0][high >> 24];
  }
  for (; i < size; ++i) crc = tables[0][(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return crc ^ 0xffffffffu;
}

}  // namespace mnist_sgd
