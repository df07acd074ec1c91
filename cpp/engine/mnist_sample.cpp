#include "mnist_sample.hpp"

#include <algorithm>
#include <array>

namespace mnist_sgd {

int Dataset::count_label(float label) const { return static_cast<int>(std::count(y.begin(), y.end(), label)); }

Result<MnistSample> load_mnist_sample(ByteSpan tgz) {
  auto tar = gunzip(tgz);
  if (!tar) return Error{tar.error()};
  auto entries = untar({tar->data(), tar->size()});
  if (!entries) return Error{entries.error()};
  return load_mnist_sample(*entries);
}

namespace {

struct ClassFolder {
  const char* split;
  const char* digit;
  float label;
};
// The seed's order: train 3s, train 7s, valid 3s, valid 7s.
constexpr std::array<ClassFolder, 4> kFolders = {{{"train", "3", 1.0f}, {"train", "7", 0.0f}, {"valid", "3", 1.0f}, {"valid", "7", 0.0f}}};

// Which of kFolders a path like ".../train/3/10.png" belongs to, or -1.
int folder_of(const std::string& path) {
  constexpr const char* kSuffix = ".png";
  if (path.size() < 4 || path.compare(path.size() - 4, 4, kSuffix) != 0) return -1;
  const std::size_t name_slash = path.rfind('/');
  if (name_slash == std::string::npos || name_slash < 2) return -1;
  const std::size_t digit_slash = path.rfind('/', name_slash - 1);
  if (digit_slash == std::string::npos || digit_slash < 1) return -1;
  const std::size_t split_slash = path.rfind('/', digit_slash - 1);
  const std::size_t split_start = split_slash == std::string::npos ? 0 : split_slash + 1;
  const std::string split = path.substr(split_start, digit_slash - split_start);
  const std::string digit = path.substr(digit_slash + 1, name_slash - digit_slash - 1);
  for (std::size_t i = 0; i < kFolders.size(); ++i)
    if (split == kFolders[i].split && digit == kFolders[i].digit) return static_cast<int>(i);
  return -1;
}

std::string file_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files) {
  std::array<std::vector<const TarEntry*>, kFolders.size()> by_folder;
  for (const TarEntry& file : files) {
    const int folder = folder_of(file.path);
    if (folder >= 0) by_folder[folder].push_back(&file);
  }
  MnistSample sample;
  for (std::size_t f = 0; f < kFolders.size(); ++f) {
    auto& folder_files = by_folder[f];
    const std::string folder_name = std::string(kFolders[f].split) + "/" + kFolders[f].digit;
    if (folder_files.empty()) return Error{"no images in " + folder_name + " (is this the MNIST sample?)"};
    std::sort(folder_files.begin(), folder_files.end(),
              [](const TarEntry* a, const TarEntry* b) { return file_name(a->path) < file_name(b->path); });
    Dataset& set = f < 2 ? sample.train : sample.valid;
    if (set.size() + folder_files.size() > static_cast<std::size_t>(kMaxImagesPerSplit))
      return Error{std::string("more than ") + std::to_string(kMaxImagesPerSplit) + " images in " + kFolders[f].split};
    std::size_t row = set.y.size();
    set.x.resize((row + folder_files.size()) * kImagePixels);
    set.y.resize(row + folder_files.size(), kFolders[f].label);
    for (const TarEntry* file : folder_files) {
      auto pixels = decode_digit_png(file->content);
      if (!pixels) return Error{file->path + ": " + pixels.error()};
      float* x = set.x.data() + row++ * kImagePixels;
      for (int j = 0; j < kImagePixels; ++j) x[j] = static_cast<float>((*pixels)[j]) / 255.0f;
    }
  }
  return sample;
}

}  // namespace mnist_sgd
