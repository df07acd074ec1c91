// What several test files share: the real MNIST sample (found the way the CLI finds it), the reference
// run copied from PyTorch, and a scratch folder under the build tree.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "book/linear.hpp"
#include "data/mnist_sample.hpp"
#include "fixtures.hpp"

namespace test_support {

// The path of the real sample: $MNIST_SAMPLE (or fastai's / the project's cache), never downloaded.
// Fails the calling test with a message saying how to provide it.
std::string real_sample_path();

// The real mnist_sample.tgz's bytes. Fails the test if $MNIST_SAMPLE is not the archive.
const fixtures::Bytes& real_archive_bytes();

// The real sample, loaded once per test process.
std::shared_ptr<const mnist_sgd::MnistSample> real_sample();

// Runs of PyTorch copied into tests/reference (see each folder's config.txt): the book's linear model, and simple_net.
constexpr const char* kLinearReference = "linear-seed42-lr1-bs256-e20";
constexpr const char* kSimpleNetReference = "simple_net-seed42-lr0.1-bs256-e40";

struct ReferenceEpoch {
  int epoch = 0;
  float validate_epoch = 0.0f;
  float exact_accuracy = 0.0f;
  float mean_train_loss = 0.0f;
};
std::vector<ReferenceEpoch> reference_trajectory(const std::string& run = kLinearReference);
// One of a run's parameter files ("init_params.txt", "final_params.txt"), as written.
std::vector<float> reference_flat_params(const std::string& run, const std::string& file);
// One of the linear model's reference parameter files, as its parameters.
mnist_sgd::LinearParams reference_params(const std::string& file);

// n images of random pixels (multiples of 1/255, like the real ones), labels 1, 0, 1, 0, ...
// With blank_groups, about that fraction of the groups of four pixels are blank, as in a real digit.
mnist_sgd::Dataset random_dataset(int n, std::uint64_t seed, double blank_groups = 0.0);

// The spec's tensors for rows of a dataset, as a DataLoader batch would hold them.
void batch_of(const mnist_sgd::Dataset& set, const std::vector<int>& rows, Eigen::MatrixXf& xb, Eigen::VectorXf& yb);

// The largest |a[i] - b[i]|; fails the test if the two differ in size.
float largest_gap(const std::vector<float>& a, const std::vector<float>& b);

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
