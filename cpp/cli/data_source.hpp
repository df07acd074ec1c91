// Where the MNIST sample comes from, for everything native (the CLI, the scripts through `mnist-sgd data`,
// the tests): --data PATH or $MNIST_SAMPLE, then fastai's own cache, then this project's cache, which is
// filled once by downloading the archive fastai downloads.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "data/mnist_sample.hpp"

namespace mnist_sgd {

constexpr const char* kSampleUrl = "https://s3.amazonaws.com/fast-ai-sample/mnist_sample.tgz";

// The archive or extracted folder to read: the first that exists of `explicit_path`, $MNIST_SAMPLE,
// fastai's cache and the project's cache; downloaded into the project's cache when `allow_download`.
Result<std::string> locate_mnist_sample(const std::optional<std::string>& explicit_path, bool allow_download);

// Downloads url to destination (through a temporary file, kept only if it holds the MNIST sample).
// Where the platform cannot start curl (the WebAssembly CLI), it says so.
Result<void> download_mnist_sample(const std::string& url, const std::string& destination);

// Whether path holds the MNIST sample itself: 12,396 training and 2,038 validation images.
Result<void> check_is_mnist_sample(const std::string& path);

// Loads an archive (.tgz) or an extracted mnist_sample/ folder.
Result<MnistSample> load_mnist_sample_path(const std::string& path);

// A whole file, refusing files larger than max_bytes.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes);

// Writes through a temporary file and a rename, so that a failure never leaves a half-written file.
Result<void> write_file_atomically(const std::string& path, const std::string& content);

}  // namespace mnist_sgd
