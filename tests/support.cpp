#include "support.hpp"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "data_source.hpp"

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

fs::path reference_dir() { return MNIST_SGD_REFERENCE_DIR; }

std::ifstream open_reference(const std::string& file) {
  std::ifstream in(reference_dir() / file);
  if (!in) FAIL("cannot open the reference file " << (reference_dir() / file).string());
  return in;
}

}  // namespace

std::vector<ReferenceEpoch> reference_trajectory() {
  std::ifstream in = open_reference("trajectory.tsv");
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

mnist_sgd::LinearParams reference_params(const std::string& file) {
  std::ifstream in = open_reference(file);
  std::vector<float> flat;
  for (float value; in >> value;) flat.push_back(value);
  auto params = mnist_sgd::from_flat(flat);
  if (!params) FAIL("bad reference parameters in " << file << ": " << params.error());
  return *params;
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
