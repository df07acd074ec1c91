#include "support.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "cli/data_source.hpp"
#include "common/torch_random.hpp"

namespace test_support {
namespace fs = std::filesystem;

std::string real_sample_path() {
  auto location = mnist_sgd::locate_mnist_sample(std::nullopt, /*allow_download=*/false);
  if (!location)
    FAIL("this test needs the real MNIST sample: set MNIST_SAMPLE to the path of fastai's mnist_sample.tgz ("
         << location.error() << ")");
  return *location;
}

const fixtures::Bytes& real_archive_bytes() {
  static const fixtures::Bytes bytes = [] {
    const std::string path = real_sample_path();
    if (fs::is_directory(path)) FAIL("this test needs the archive itself: MNIST_SAMPLE is a folder (" << path << ")");
    auto content = mnist_sgd::read_file(path, mnist_sgd::kMaxArchiveBytes);
    if (!content) FAIL("cannot read the MNIST sample: " << content.error());
    return fixtures::Bytes(content->begin(), content->end());
  }();
  return bytes;
}

std::shared_ptr<const mnist_sgd::MnistSample> real_sample() {
  static const std::shared_ptr<const mnist_sgd::MnistSample> sample = [] {
    const std::string path = real_sample_path();
    auto loaded = mnist_sgd::load_mnist_sample_path(path);
    if (!loaded) FAIL("cannot load the MNIST sample from " << path << ": " << loaded.error());
    return std::make_shared<const mnist_sgd::MnistSample>(std::move(loaded).value());
  }();
  return sample;
}

namespace {

std::ifstream open_reference(const std::string& run, const std::string& file) {
  const fs::path path = fs::path(MNIST_SGD_REFERENCES) / run / file;
  std::ifstream in(path);
  if (!in) FAIL("cannot open the reference file " << path.string());
  return in;
}

}  // namespace

std::vector<ReferenceEpoch> reference_trajectory(const std::string& run) {
  std::ifstream in = open_reference(run, "trajectory.tsv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<ReferenceEpoch> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    ReferenceEpoch row;
    if (!(fields >> row.epoch >> row.validate_epoch >> row.exact_accuracy >> row.mean_train_loss))
      FAIL("bad line in the reference trajectory: " << line);
    rows.push_back(row);
  }
  return rows;
}

std::vector<float> reference_flat_params(const std::string& run, const std::string& file) {
  std::ifstream in = open_reference(run, file);
  std::vector<float> flat;
  for (float value; in >> value;) flat.push_back(value);
  return flat;
}

mnist_sgd::LinearParams reference_params(const std::string& file) {
  auto params = mnist_sgd::from_flat(reference_flat_params(kLinearReference, file));
  if (!params) FAIL("bad reference parameters in " << file << ": " << params.error());
  return *params;
}

mnist_sgd::Dataset random_dataset(int n, std::uint64_t seed, double blank_groups) {
  mnist_sgd::TorchGenerator generator(seed);
  mnist_sgd::Dataset set;
  for (int i = 0; i < n; ++i) {
    std::uint8_t pixels[mnist_sgd::kInputs];
    std::uint8_t* x = pixels;
    for (int group = 0; group < mnist_sgd::kInputs / 4; ++group) {
      const bool blank = blank_groups > 0.0 && mnist_sgd::torch::uniform_double(generator) < blank_groups;
      for (int p = 0; p < 4; ++p) *x++ = blank ? 0 : static_cast<std::uint8_t>(generator.random() % 256);
    }
    set.append(i % 2 == 0 ? 1.0f : 0.0f, pixels);
  }
  return set;
}

void batch_of(const mnist_sgd::Dataset& set, const std::vector<int>& rows, Eigen::MatrixXf& xb, Eigen::VectorXf& yb) {
  xb.resize(static_cast<int>(rows.size()), mnist_sgd::kInputs);
  yb.resize(static_cast<int>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    xb.row(static_cast<int>(i)) = Eigen::Map<const Eigen::RowVectorXf>(set.image(rows[i]).data(), mnist_sgd::kInputs);
    yb[static_cast<int>(i)] = set.y[rows[i]];
  }
}

float largest_gap(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  float gap = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) gap = std::max(gap, std::abs(a[i] - b[i]));
  return gap;
}

TempDir::TempDir() {
  const fs::path base = MNIST_SGD_TEST_TMP_DIR;
  fs::create_directories(base);
  std::string pattern = (base / "test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) FAIL("cannot make a temporary folder under " << base.string());
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

int run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace test_support
