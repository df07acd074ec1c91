// The parameters as text, the format of the reference files and of `mnist-sgd --save-params`: one number a
// line, as C's "%.9g" writes it (9 significant digits bring every float back bit for bit), which
// numpy.loadtxt reads and numpy.savetxt can write.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace mnist_sgd {

std::string format_params(const std::vector<float>& flat);

// Blank lines, spaces around a number and a byte-order mark are allowed; anything else that is not exactly
// expected_count finite decimal numbers is refused with a one-line message naming the first problem.
Result<std::vector<float>> parse_params(const std::string& text, std::size_t expected_count);

}  // namespace mnist_sgd
