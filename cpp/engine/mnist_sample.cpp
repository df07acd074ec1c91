#include "mnist_sample.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace mnist_sgd {

int Dataset::count_label(float label) const { return static_cast<int>(std::count(y.begin(), y.end(), label)); }

namespace {

struct ClassFolder {
  const char* split;
  const char* digit;
  float label;
};
// The seed's order: train 3s, train 7s, valid 3s, valid 7s.
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

Result<SampleDecoder> SampleDecoder::from_archive(ByteSpan tgz) {
  auto tar = gunzip(tgz);
  if (!tar) return Error{tar.error()};
  auto owned = std::make_shared<const std::vector<std::uint8_t>>(std::move(tar).value());
  return from_tar({owned->data(), owned->size()}, owned);
}

Result<SampleDecoder> SampleDecoder::from_tar(ByteSpan tar, std::shared_ptr<const void> owner) {
  if (tar.size > kMaxInflatedBytes)
    return Error{"the archive is larger than " + std::to_string(kMaxInflatedBytes >> 20) + " MiB"};
  auto entries = untar(tar);
  if (!entries) return Error{entries.error()};
  auto decoder = from_files(*entries);
  if (decoder) decoder->owner_ = std::move(owner);
  return decoder;
}

Result<SampleDecoder> SampleDecoder::from_files(const std::vector<TarEntry>& files) {
  // Each file with its name, found once rather than in every comparison of the sort.
  struct NamedFile {
    std::string_view name;
    const TarEntry* file;
  };
  std::array<std::vector<NamedFile>, kFolders.size()> by_folder;
  for (const TarEntry& file : files) {
    const int folder = folder_of(file.path);
    if (folder >= 0) by_folder[folder].push_back({file_name(file.path), &file});
  }
  SampleDecoder decoder;
  for (std::size_t f = 0; f < kFolders.size(); ++f) {
    auto& folder_files = by_folder[f];
    const std::string folder_name = std::string(kFolders[f].split) + "/" + kFolders[f].digit;
    if (folder_files.empty()) return Error{"no images in " + folder_name + " (is this the MNIST sample?)"};
    std::sort(folder_files.begin(), folder_files.end(),
              [](const NamedFile& a, const NamedFile& b) { return a.name < b.name; });
    for (const NamedFile& named : folder_files) decoder.files_.push_back(*named.file);
    Dataset& set = f < 2 ? decoder.sample_.train : decoder.sample_.valid;
    set.y.insert(set.y.end(), folder_files.size(), kFolders[f].label);
    if (set.size() > kMaxImagesPerSplit)
      return Error{"more than " + std::to_string(kMaxImagesPerSplit) + " images in " + kFolders[f].split};
  }
  // x grows a row at a time as images are decoded (see decode), within what is reserved here.
  decoder.train_count_ = decoder.sample_.train.size();
  decoder.sample_.train.x.reserve(decoder.sample_.train.y.size() * kImagePixels);
  decoder.sample_.valid.x.reserve(decoder.sample_.valid.y.size() * kImagePixels);
  return decoder;
}

Result<void> SampleDecoder::decode(int count) {
  const int end = std::min(total(), next_ + std::max(count, 0));
  std::array<std::uint8_t, kImagePixels> pixels;
  for (; next_ < end; ++next_) {
    const TarEntry& file = files_[next_];
    if (auto decoded = decode_digit_png(file.content, pixels.data()); !decoded)
      return Error{file.path + ": " + decoded.error()};
    // One more row of x, converted as it is appended and then divided while still in cache: no zeroing of
    // x's fresh memory first, and no copy of floats (in WebAssembly a large memcpy calls out to JavaScript).
    std::vector<float>& x = next_ < train_count_ ? sample_.train.x : sample_.valid.x;
    const std::size_t row = x.size();
    x.insert(x.end(), pixels.begin(), pixels.end());
    for (std::size_t i = row; i < x.size(); ++i) x[i] /= 255.0f;
  }
  return {};
}

namespace {

Result<MnistSample> decode_all(Result<SampleDecoder> decoder) {
  if (!decoder) return Error{decoder.error()};
  if (auto decoded = decoder->decode(decoder->total()); !decoded) return Error{decoded.error()};
  return decoder->take();
}

}  // namespace

Result<MnistSample> load_mnist_sample(ByteSpan tgz) { return decode_all(SampleDecoder::from_archive(tgz)); }

Result<MnistSample> load_mnist_sample(const std::vector<TarEntry>& files) {
  return decode_all(SampleDecoder::from_files(files));
}

}  // namespace mnist_sgd
