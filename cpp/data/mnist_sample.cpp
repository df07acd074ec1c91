#include "data/mnist_sample.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "data/png.hpp"

namespace mnist_sgd {

namespace {

struct ClassFolder {
  const char* split;
  const char* digit;
  float label;
};
// The book's order: train 3s, train 7s, valid 3s, valid 7s.
constexpr std::array<ClassFolder, 4> kFolders = {
    {{"train", "3", 1.0f}, {"train", "7", 0.0f}, {"valid", "3", 1.0f}, {"valid", "7", 0.0f}}};

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

std::string_view file_name(const std::string& path) {
  return std::string_view(path).substr(path.rfind('/') + 1);  // npos + 1 == 0: the whole path
}

}  // namespace

namespace {

bool is_sample_image(const std::string& path) { return folder_of(path) >= 0; }

// A digit's PNG is about 300 bytes. The bound keeps a whole one within the window the tar is inflated into.
constexpr std::size_t kMaxImageFileBytes = 64 << 10;

}  // namespace

SampleDecoder::SampleDecoder() : tar_(is_sample_image, kMaxImageFileBytes) {}

Result<MnistSample> SampleDecoder::load_files(const std::vector<TarEntry>& files) {
  SampleDecoder decoder;
  for (const TarEntry& file : files) {
    if (!is_sample_image(file.path)) continue;
    if (auto added = decoder.add_image(file.path, file.content); !added) return Error{added.error()};
  }
  return decoder.put_in_order();
}

Result<std::size_t> SampleDecoder::read_tar(ByteSpan tar, bool last) {
  return tar_.take(tar, last, [this](const std::string& path, ByteSpan png) { return add_image(path, png); });
}

Result<void> SampleDecoder::write(ByteSpan bytes) {
  return gunzip_.write(bytes, [this](ByteSpan tar, bool last) { return read_tar(tar, last); });
}

Result<MnistSample> SampleDecoder::end() {
  auto ended = gunzip_.end([this](ByteSpan tar, bool last) { return read_tar(tar, last); });
  if (!ended) return Error{ended.error()};
  return put_in_order();
}

Result<void> SampleDecoder::add_image(const std::string& path, ByteSpan png) {
  const int folder = folder_of(path);
  Dataset& set = folder < 2 ? sample_.train : sample_.valid;
  if (set.size() >= kMaxImagesPerSplit)
    return Error{"more than " + std::to_string(kMaxImagesPerSplit) + " images in " + kFolders[folder].split};
  std::uint8_t pixels[kImagePixels];
  if (auto decoded = decode_digit_png(png, pixels); !decoded) return Error{path + ": " + decoded.error()};
  by_folder_[folder].push_back({std::string(file_name(path)), set.size()});
  set.append(kFolders[folder].label, pixels);
  return {};
}

Result<MnistSample> SampleDecoder::put_in_order() {
  std::vector<int> train_order, valid_order;
  for (std::size_t f = 0; f < kFolders.size(); ++f) {
    auto& images = by_folder_[f];
    if (images.empty())
      return Error{"no images in " + std::string(kFolders[f].split) + "/" + kFolders[f].digit +
                   " (is this the MNIST sample?)"};
    std::stable_sort(images.begin(), images.end(),
                     [](const NamedImage& a, const NamedImage& b) { return a.name < b.name; });
    std::vector<int>& order = f < 2 ? train_order : valid_order;
    for (const NamedImage& image : images) order.push_back(image.index);
  }
  sample_.train.reorder(train_order);
  sample_.valid.reorder(valid_order);
  return std::move(sample_);
}

Result<MnistSample> load_mnist_sample(ByteSpan tgz) {
  SampleDecoder decoder;
  if (auto written = decoder.write(tgz); !written) return Error{written.error()};
  return decoder.end();
}

Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files) { return SampleDecoder::load_files(files); }

}  // namespace mnist_sgd
