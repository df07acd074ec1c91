// A gzip file and a tar decoded in one call, for the tests and the fuzzer: the engine only ever reads them
// as a stream (GunzipStream, TarReader), as a download arrives.
#pragma once

#include <cstdint>
#include <vector>

#include "data/bytes.hpp"
#include "data/gzip.hpp"
#include "data/tar.hpp"

namespace test_decoders {

// A gzip file -> its content.
mnist_sgd::Result<std::vector<std::uint8_t>> gunzip(mnist_sgd::ByteSpan gz,
                                                    std::size_t max_output = mnist_sgd::kMaxInflatedBytes);

// The regular files of a ustar/GNU/pax tar, in archive order (their content points into `tar`).
mnist_sgd::Result<std::vector<mnist_sgd::TarEntry>> untar(mnist_sgd::ByteSpan tar);

// The same, from a tar arriving in pieces of `piece` bytes (the content copied into `storage`).
mnist_sgd::Result<std::vector<mnist_sgd::TarEntry>> untar_in_pieces(mnist_sgd::ByteSpan tar, std::size_t piece,
                                                                    std::vector<std::vector<std::uint8_t>>& storage);

}  // namespace test_decoders
