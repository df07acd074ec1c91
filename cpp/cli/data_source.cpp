#include "cli/data_source.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace mnist_sgd {
namespace fs = std::filesystem;
namespace {

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::vector<std::string> fastai_candidates() {
  std::string home = env_or_empty("FASTAI_HOME");
  if (home.empty() && !env_or_empty("HOME").empty()) home = env_or_empty("HOME") + "/.fastai";
  if (home.empty()) return {};
  return {home + "/archive/mnist_sample.tgz", home + "/data/mnist_sample"};
}

std::string project_cache() {
  std::string base = env_or_empty("XDG_CACHE_HOME");
  if (base.empty()) base = env_or_empty("HOME").empty() ? "." : env_or_empty("HOME") + "/.cache";
  return base + "/mnist-sgd/mnist_sample.tgz";
}

}  // namespace

Result<void> check_is_mnist_sample(const std::string& path) {
  auto sample = load_mnist_sample_path(path);
  if (!sample) return Error{sample.error()};
  if (sample->train.size() != 12396 || sample->valid.size() != 2038)
    return Error{"the downloaded file is not the MNIST sample (" + std::to_string(sample->train.size()) + " / " +
                 std::to_string(sample->valid.size()) + " images)"};
  return {};
}

Result<std::string> locate_mnist_sample(const std::optional<std::string>& explicit_path, bool allow_download) {
  if (explicit_path) {
    if (!fs::exists(*explicit_path)) return Error{*explicit_path + ": no such file or folder"};
    return *explicit_path;
  }
  const std::string from_env = env_or_empty("MNIST_SAMPLE");
  if (!from_env.empty()) {
    if (!fs::exists(from_env)) return Error{"$MNIST_SAMPLE: " + from_env + ": no such file or folder"};
    return from_env;
  }
  std::vector<std::string> candidates = fastai_candidates();
  candidates.push_back(project_cache());
  for (const auto& candidate : candidates)
    if (fs::exists(candidate)) return candidate;
  const std::string cache = project_cache();
  if (allow_download) {
    if (download_mnist_sample(kSampleUrl, cache)) return cache;
  }
  return Error{std::string("the MNIST sample was not found") + (allow_download ? " and could not be downloaded" : "") +
               ": put mnist_sample.tgz (from " + kSampleUrl + ") at " + cache +
               ", or pass --data PATH or set MNIST_SAMPLE"};
}

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  std::error_code error;
  if (fs::is_directory(path, error)) return Error{path + ": is a folder, expected a file"};
  const auto size = fs::file_size(path, error);
  if (error) return Error{path + ": " + (fs::exists(path) ? error.message() : "no such file")};
  if (size > max_bytes) return Error{path + ": file is larger than " + std::to_string(max_bytes >> 20) + " MiB"};
  std::ifstream in(path, std::ios::binary);
  std::string content(size, '\0');
  if (!in || !in.read(content.data(), static_cast<std::streamsize>(size))) return Error{path + ": cannot read"};
  return content;
}

Result<void> write_file_atomically(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(content.data(), static_cast<std::streamsize>(content.size())) || !out.flush()) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return Error{path + ": cannot write"};
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    return Error{path + ": cannot write"};
  }
  return {};
}

namespace {

// An extracted sample: `path` is mnist_sample/ itself or a folder holding it.
Result<MnistSample> load_folder(fs::path root) {
  if (!fs::is_directory(root / "train") && fs::is_directory(root / "mnist_sample")) root /= "mnist_sample";
  std::vector<std::pair<std::string, std::string>> files;  // (path relative to root, bytes)
  std::size_t total = 0;
  for (const char* split : {"train", "valid"}) {
    for (const char* digit : {"3", "7"}) {
      const fs::path folder = root / split / digit;
      std::error_code error;
      for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        if (!it->is_regular_file() || it->path().extension() != ".png") continue;
        auto bytes = read_file(it->path().string(), 1 << 20);
        if (!bytes) return Error{bytes.error()};
        total += bytes->size();
        if (total > kMaxInflatedBytes) return Error{root.string() + ": the folder holds more than 64 MiB of images"};
        files.emplace_back(std::string(split) + "/" + digit + "/" + it->path().filename().string(), std::move(*bytes));
      }
    }
  }
  std::vector<TarEntry> entries;
  entries.reserve(files.size());
  for (const auto& [name, bytes] : files)
    entries.push_back({name, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}});
  auto sample = load_mnist_sample(entries);
  if (!sample) return Error{root.string() + ": " + sample.error()};
  return sample;
}

}  // namespace

Result<MnistSample> load_mnist_sample_path(const std::string& path) {
  std::error_code error;
  if (fs::is_directory(path, error)) return load_folder(path);
  auto bytes = read_file(path, kMaxArchiveBytes);
  if (!bytes) return Error{bytes.error()};
  auto sample = load_mnist_sample(ByteSpan{reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
  if (!sample) return Error{path + ": " + sample.error()};
  return sample;
}

}  // namespace mnist_sgd
