// What several test files share: the real MNIST sample (found the way the CLI finds it), the reference
// run copied from PyTorch, and a scratch folder under the build tree.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "linear_model.hpp"
#include "mnist_sample.hpp"

namespace test_support {

// The path of the real sample: $MNIST_SAMPLE (or fastai's / the project's cache), never downloaded.
// Fails the calling test with a message saying how to provide it.
std::string real_sample_path();

// The real mnist_sample.tgz's bytes. Fails the test if $MNIST_SAMPLE is not the archive.
const fixtures::Bytes& real_archive_bytes();

// The real sample, loaded once per test process.
std::shared_ptr<const mnist_sgd::MnistSample> real_sample();

// tests/reference/linear-seed42-lr1-bs256-e20: PyTorch's run of the seed (see its config.txt).
struct ReferenceEpoch {
  int epoch = 0;
  float validate_epoch = 0.0f;
  float exact_accuracy = 0.0f;
  float mean_train_loss = 0.0f;
};
std::vector<ReferenceEpoch> reference_trajectory();
// One of its parameter files ("init_params.txt", "final_params.txt") as the model's parameters.
mnist_sgd::LinearParams reference_params(const std::string& file);

// A fresh folder under the build tree, removed with everything in it when this goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs a shell command; returns its exit status (-1 if it did not exit normally).
int run_command(const std::string& command);

}  // namespace test_support
