// CRC-32 (IEEE), the checksum of gzip's trailer and of every PNG chunk.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mnist_sgd {

// The CRC of data[0, size) following bytes whose CRC is `crc` (0 for none).
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

// Fuzzing builds ignore checksums (the libFuzzer convention), so that mutated inputs reach the decoders.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kSkipChecksums = true;
#else
constexpr bool kSkipChecksums = false;
#endif

}  // namespace mnist_sgd
