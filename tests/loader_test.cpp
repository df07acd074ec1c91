// The sample loader (cpp/data, cli/data_source.hpp): the real archive in the book's order,
// the same tensors from an extracted folder, the fixture writers' own archives, and every way an input can
// be wrong, each refused with a message that names the problem.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/data_source.hpp"
#include "common/torch_random.hpp"
#include "data/crc32.hpp"
#include "data/gzip.hpp"
#include "data/inflate.hpp"
#include "data/mnist_sample.hpp"
#include "data/png.hpp"
#include "decoders.hpp"
#include "fast/pixels.hpp"
#include "fixtures.hpp"
#include "support.hpp"

using namespace mnist_sgd;
using fixtures::Bytes;
using fixtures::span;
using test_decoders::gunzip;
using test_decoders::untar;
namespace fs = std::filesystem;

namespace {

const char* const kFolders[4] = {"train/3", "train/7", "valid/3", "valid/7"};

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// The PNG names of an extracted class folder, sorted as strings (fastai's `.ls().sorted()`).
std::vector<std::string> sorted_png_names(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.path().extension() == ".png") names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Extracts the real archive with the system's tar, so that the engine's own reader is not the judge.
void extract_real_archive(const fs::path& into) {
  const std::string archive = test_support::real_sample_path();
  if (fs::is_directory(archive))
    FAIL("this test needs the archive itself: MNIST_SAMPLE is a folder (" << archive << ")");
  const std::string command = "tar -xzf '" + archive + "' -C '" + into.string() + "'";
  REQUIRE(test_support::run_command(command) == 0);
  REQUIRE(fs::is_directory(into / "mnist_sample" / "train" / "3"));
}

// The loader's result on bytes that must be refused; fails the test if they load.
std::string refusal(const Bytes& tgz) {
  auto sample = load_mnist_sample(span(tgz));
  if (sample) FAIL("the loader accepted an input it should refuse");
  return sample.error();
}

// The tiny sample with one file replaced (or added) at `path`.
Bytes tiny_sample_with(const std::string& path, const Bytes& content) {
  auto files = fixtures::tiny_sample_files();
  auto it = std::find_if(files.begin(), files.end(), [&](const fixtures::TarFile& f) { return f.path == path; });
  if (it != files.end()) it->content = content;
  else files.push_back({path, content});
  return fixtures::gzip_stored(fixtures::tar(files));
}

std::vector<float> scaled(const Bytes& pixels) {
  std::vector<float> out;
  for (std::uint8_t p : pixels) out.push_back(static_cast<float>(p) / 255.0f);
  return out;
}

std::vector<float> row(const Dataset& set, int i) {
  const Image x = set.image(i);
  return {x.begin(), x.end()};
}

// x, the book's (n, 784) tensor, as one array.
std::vector<float> x_of(const Dataset& set) {
  std::vector<float> x;
  for (int i = 0; i < set.size(); ++i) {
    const Image row = set.image(i);
    x.insert(x.end(), row.begin(), row.end());
  }
  return x;
}

// Loads `bytes` as a download would give them: in pieces, the k-th of piece_size(k) bytes.
template <typename PieceSize>
Result<MnistSample> load_in_pieces(const Bytes& bytes, PieceSize piece_size) {
  SampleDecoder decoder;
  for (std::size_t pos = 0, k = 0; pos < bytes.size(); ++k) {
    const std::size_t size = std::min<std::size_t>(piece_size(k), bytes.size() - pos);
    if (auto written = decoder.write({bytes.data() + pos, size}); !written) return Error{written.error()};
    pos += size;
  }
  return decoder.end();
}

void check_same_sample(const Result<MnistSample>& loaded, const MnistSample& expected) {
  REQUIRE(loaded);
  CHECK(loaded->train.y == expected.train.y);
  CHECK(loaded->valid.y == expected.valid.y);
  CHECK(x_of(loaded->train) == x_of(expected.train));
  CHECK(x_of(loaded->valid) == x_of(expected.valid));
}

// Appends to `set` an image blank but for two pixels: `first` (byte 1) and the last (byte 255).
void append_blank_but_two(Dataset& set, int first) {
  std::uint8_t pixels[kImagePixels] = {};
  pixels[first] = 1;
  pixels[kImagePixels - 1] = 255;
  set.append(1.0f, pixels);
}

}  // namespace

// ---- The real archive ----

TEST_CASE("the real archive gives 6131 and 6265 training and 1010 and 1028 validation images", "[loader][real]") {
  const auto sample = test_support::real_sample();
  const Dataset& train = sample->train;
  const Dataset& valid = sample->valid;
  REQUIRE(train.size() == 6131 + 6265);
  REQUIRE(valid.size() == 1010 + 1028);

  // All 3s (y = 1), then all 7s (y = 0), in each split.
  CHECK(train.count_label(1.0f) == 6131);
  CHECK(valid.count_label(1.0f) == 1010);
  CHECK(std::all_of(train.y.begin(), train.y.begin() + 6131, [](float y) { return y == 1.0f; }));
  CHECK(std::all_of(train.y.begin() + 6131, train.y.end(), [](float y) { return y == 0.0f; }));
  CHECK(std::all_of(valid.y.begin(), valid.y.begin() + 1010, [](float y) { return y == 1.0f; }));
  CHECK(std::all_of(valid.y.begin() + 1010, valid.y.end(), [](float y) { return y == 0.0f; }));

  // Pixels are bytes / 255: in [0, 1] and 255 x is a whole number.
  int off_grid = 0;
  for (float x : x_of(train))
    off_grid += !(x >= 0.0f && x <= 1.0f && std::abs(x * 255.0f - std::round(x * 255.0f)) < 1e-3f);
  CHECK(off_grid == 0);
}

TEST_CASE("crc32 gives the standard check value, and any split of the bytes gives the one-byte table's CRC",
          "[loader]") {
  const std::string check = "123456789";
  CHECK(mnist_sgd::crc32(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()) == 0xcbf43926u);
  std::vector<std::uint8_t> bytes(41);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 181 + 7);
  int differ = 0;
  for (std::size_t size = 0; size <= bytes.size(); ++size)
    for (std::size_t split = 0; split <= size; ++split) {
      const std::uint32_t head = mnist_sgd::crc32(bytes.data(), split);
      differ += mnist_sgd::crc32(bytes.data() + split, size - split, head) != fixtures::crc32(bytes.data(), size);
    }
  CHECK(differ == 0);
}

TEST_CASE("a pixel's value is the book's byte / 255 in every path that converts one", "[loader]") {
  // The book divides the float tensor by 255; the fast steps look values up or compute them in lanes.
  int differ = 0;
  for (int byte = 0; byte < 256; ++byte) {
    const float book = static_cast<float>(byte) / 255.0f;
    differ += pixel_value(static_cast<std::uint8_t>(byte)) != book || kPixelValues.of[byte] != book;
    // In lanes: this byte in each of the 8 places, among others.
    for (int place = 0; place < 8; ++place) {
      std::uint8_t bytes[8];
      for (int k = 0; k < 8; ++k) bytes[k] = static_cast<std::uint8_t>(k == place ? byte : (byte + 37 * k) % 256);
      f32x4 lanes[2];
      pixel_values8(bytes, lanes, value_parts());
      for (int k = 0; k < 8; ++k) differ += lanes[k / 4][k % 4] != static_cast<float>(bytes[k]) / 255.0f;
    }
  }
  // A Dataset's image as floats: every byte in every place of a row.
  Dataset set;
  for (int shift = 0; shift < 256; shift += 61) {
    std::uint8_t row[kImagePixels];
    for (int p = 0; p < kImagePixels; ++p) row[p] = static_cast<std::uint8_t>((p + shift) % 256);
    set.append(1.0f, row);
  }
  for (int i = 0; i < set.size(); ++i) {
    const Image x = set.image(i);
    for (int p = 0; p < kImagePixels; ++p) differ += x[p] != static_cast<float>(set.pixels(i)[p]) / 255.0f;
  }
  CHECK(differ == 0);
}

TEST_CASE("a Dataset knows which blocks of 8 pixels of each image hold ink, and keeps that through reorder",
          "[loader]") {
  Dataset set = test_support::random_dataset(5, 7, 0.6);
  const auto blocks_of = [&](int i) {
    Dataset::Blocks blocks = {};
    for (int p = 0; p < kImagePixels; ++p)
      if (set.pixels(i)[p] != 0) blocks[p / 8 / 64] |= std::uint64_t{1} << (p / 8 % 64);
    return blocks;
  };
  std::vector<Dataset::Blocks> before;
  for (int i = 0; i < set.size(); ++i) {
    CHECK(set.inked_blocks(i) == blocks_of(i));
    before.push_back(set.inked_blocks(i));
  }
  CHECK(before[0] != Dataset::Blocks{});
  set.reorder({3, 0, 4, 1, 2});
  for (int i = 0; i < set.size(); ++i) CHECK(set.inked_blocks(i) == blocks_of(i));
  CHECK(set.inked_blocks(0) == before[3]);
  CHECK(set.inked_blocks(2) == before[4]);
}

TEST_CASE("a Dataset lays out each image's inked blocks one after another, again after reorder and append",
          "[loader]") {
  Dataset set = test_support::random_dataset(5, 11, 0.6);
  // The bytes of image i's inked blocks, from its pixels.
  const auto blocks_bytes_of = [&](int i) {
    std::vector<std::uint8_t> bytes;
    for (int b = 0; b < kImagePixels / 8; ++b)
      if (std::any_of(set.pixels(i) + 8 * b, set.pixels(i) + 8 * b + 8, [](std::uint8_t x) { return x != 0; }))
        bytes.insert(bytes.end(), set.pixels(i) + 8 * b, set.pixels(i) + 8 * b + 8);
    return bytes;
  };
  const auto laid_out = [&](int i) {
    const Dataset::Blocks& inked = set.inked_blocks(i);
    const int count = __builtin_popcountll(inked[0]) + __builtin_popcountll(inked[1]);
    return std::vector<std::uint8_t>(set.inked_block_bytes(i), set.inked_block_bytes(i) + 8 * count);
  };
  for (int i = 0; i < set.size(); ++i) CHECK(laid_out(i) == blocks_bytes_of(i));
  CHECK(!laid_out(0).empty());
  // Each image's blocks start where the one before it ends.
  for (int i = 1; i < set.size(); ++i)
    CHECK(set.inked_block_bytes(i) == set.inked_block_bytes(i - 1) + laid_out(i - 1).size());
  const std::vector<std::uint8_t> fourth = laid_out(3);
  set.reorder({3, 0, 4, 1, 2});
  CHECK(laid_out(0) == fourth);
  append_blank_but_two(set, 9);
  for (int i = 0; i < set.size(); ++i) CHECK(laid_out(i) == blocks_bytes_of(i));
  CHECK(laid_out(5) == std::vector<std::uint8_t>{0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255});
}

TEST_CASE("a Dataset lists each image's inked pixels and their bytes, in order, again after reorder and append",
          "[loader]") {
  Dataset set = test_support::random_dataset(5, 9, 0.6);
  const auto ink_of = [&](int i) {
    std::vector<std::uint16_t> ink;
    for (int p = 0; p < kImagePixels; ++p)
      if (set.pixels(i)[p] != 0) ink.push_back(static_cast<std::uint16_t>(p));
    return ink;
  };
  const auto listed = [&](int i) { return std::vector<std::uint16_t>(set.ink(i), set.ink_end(i)); };
  // Each listed pixel's byte, beside it.
  const auto bytes_match = [&](int i) {
    for (std::ptrdiff_t k = 0; k < set.ink_end(i) - set.ink(i); ++k)
      if (set.ink_bytes(i)[k] != set.pixels(i)[set.ink(i)[k]]) return false;
    return true;
  };
  for (int i = 0; i < set.size(); ++i) CHECK(listed(i) == ink_of(i));
  for (int i = 0; i < set.size(); ++i) CHECK(bytes_match(i));
  CHECK(!listed(0).empty());
  const std::vector<std::uint16_t> third = listed(3);
  set.reorder({3, 0, 4, 1, 2});
  CHECK(listed(0) == third);
  append_blank_but_two(set, 0);
  for (int i = 0; i < set.size(); ++i) CHECK(listed(i) == ink_of(i));
  for (int i = 0; i < set.size(); ++i) CHECK(bytes_match(i));
  CHECK(listed(5) == std::vector<std::uint16_t>{0, 783});
  CHECK(set.ink_bytes(5)[1] == 255);
}

TEST_CASE("the real archive loads each folder's files sorted by name", "[loader][real]") {
  test_support::TempDir dir;
  extract_real_archive(dir.path());
  const auto sample = test_support::real_sample();

  const int count[4] = {6131, 6265, 1010, 1028};
  const int offset[4] = {0, 6131, 0, 1010};  // where each folder starts in its split
  // By name, train/3 starts 10.png, 10000.png (string order, not number order) and ends 9991.png.
  const char* const first_two_and_last[4][3] = {{"10.png", "10000.png", "9991.png"},
                                                {"10002.png", "1001.png", "9999.png"},
                                                {"1020.png", "1028.png", "9996.png"},
                                                {"0.png", "1006.png", "9990.png"}};
  for (int f = 0; f < 4; ++f) {
    const Dataset& set = f < 2 ? sample->train : sample->valid;
    const std::vector<std::string> names = sorted_png_names(dir.path() / "mnist_sample" / kFolders[f]);
    INFO("folder " << kFolders[f]);
    REQUIRE(static_cast<int>(names.size()) == count[f]);
    CHECK(names[0] == first_two_and_last[f][0]);
    CHECK(names[1] == first_two_and_last[f][1]);
    CHECK(names.back() == first_two_and_last[f][2]);

    // Every image decoded independently (stb_image on the extracted file) against its row, x * 255.
    int mismatches = 0;
    std::string first_mismatch;
    for (std::size_t i = 0; i < names.size(); ++i) {
      int width = 0, height = 0;
      const Bytes pixels =
          fixtures::decode_png_grey(read_bytes(dir.path() / "mnist_sample" / kFolders[f] / names[i]), width, height);
      REQUIRE(width == 28);
      REQUIRE(height == 28);
      const Image x = set.image(offset[f] + static_cast<int>(i));
      bool same = true;
      for (int p = 0; p < kImagePixels; ++p) same &= std::lround(x[p] * 255.0f) == pixels[p];
      if (!same && mismatches++ == 0) first_mismatch = names[i] + " (row " + std::to_string(offset[f] + i) + ")";
    }
    INFO("first mismatch: " << first_mismatch);
    CHECK(mismatches == 0);
  }
}

TEST_CASE("the extracted folder loads exactly the same tensors as the archive", "[loader][real]") {
  test_support::TempDir dir;
  extract_real_archive(dir.path());
  const auto from_archive = test_support::real_sample();
  auto from_folder = load_mnist_sample_path((dir.path() / "mnist_sample").string());
  REQUIRE(from_folder);
  CHECK(from_folder->train.y == from_archive->train.y);
  CHECK(from_folder->valid.y == from_archive->valid.y);
  CHECK(x_of(from_folder->train) == x_of(from_archive->train));
  CHECK(x_of(from_folder->valid) == x_of(from_archive->valid));
}

// ---- The fixture writers, checked against the engine's readers ----

TEST_CASE("the fixture writers make gzip and tar files the engine reads back", "[loader][fixtures]") {
  Bytes content(200000);  // several stored blocks of at most 65535 bytes
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7 + i / 300);
  auto inflated = gunzip(span(fixtures::gzip_stored(content)));
  REQUIRE(inflated);
  CHECK(*inflated == content);

  const Bytes zeros_gz = fixtures::gzip_zeros((1 << 20) + 5);
  CHECK(zeros_gz.size() < 10000);
  auto zeros = gunzip(span(zeros_gz));
  REQUIRE(zeros);
  CHECK(zeros->size() == (1u << 20) + 5);
  CHECK(std::all_of(zeros->begin(), zeros->end(), [](std::uint8_t b) { return b == 0; }));

  const Bytes tar = fixtures::tar(fixtures::tiny_sample_files());
  auto entries = untar(span(tar));
  REQUIRE(entries);
  REQUIRE(entries->size() == 7);  // the folders are not regular files
  CHECK((*entries)[0].path == "mnist_sample/labels.csv");
  CHECK((*entries)[1].path == "mnist_sample/train/3/9.png");
  const Bytes png = fixtures::digit_png(3);
  CHECK(Bytes((*entries)[1].content.data, (*entries)[1].content.data + (*entries)[1].content.size) == png);

  Bytes pixels(kImagePixels);
  REQUIRE(decode_digit_png(span(png), pixels.data()));
  CHECK(pixels == fixtures::digit_pixels(3));
}

TEST_CASE("every PNG row filter, and image data split over two IDAT chunks, decode to the same pixels",
          "[loader][fixtures]") {
  const Bytes pixels = fixtures::digit_pixels(7);
  const char* const filter_names[5] = {"None", "Sub", "Up", "Average", "Paeth"};
  Bytes decoded(kImagePixels);
  for (int filter = 0; filter < 5; ++filter) {
    INFO("every row filtered with " << filter_names[filter]);
    const Bytes png = fixtures::png(28, 28, 1, pixels, filter);
    REQUIRE(decode_digit_png(span(png), decoded.data()));
    CHECK(decoded == pixels);
    REQUIRE(decode_digit_png(span(fixtures::with_idat_split(png, 40)), decoded.data()));
    CHECK(decoded == pixels);
  }
}

TEST_CASE("a tiny archive loads in name order from its bytes and from a folder", "[loader][fixtures]") {
  auto sample = load_mnist_sample(span(fixtures::tiny_sample_tgz()));
  REQUIRE(sample);
  REQUIRE(sample->train.size() == 4);
  REQUIRE(sample->valid.size() == 2);
  // train/3 holds 9.png, 100.png, 10.png in archive order; by name: 10.png (1), 100.png (2), 9.png (3).
  CHECK(row(sample->train, 0) == scaled(fixtures::digit_pixels(1)));
  CHECK(row(sample->train, 1) == scaled(fixtures::digit_pixels(2)));
  CHECK(row(sample->train, 2) == scaled(fixtures::digit_pixels(3)));
  CHECK(row(sample->train, 3) == scaled(fixtures::digit_pixels(4)));
  CHECK(sample->train.y == std::vector<float>{1, 1, 1, 0});
  CHECK(row(sample->valid, 0) == scaled(fixtures::digit_pixels(5)));
  CHECK(row(sample->valid, 1) == scaled(fixtures::digit_pixels(6)));
  CHECK(sample->valid.y == std::vector<float>{1, 0});

  // The same files on disk (given as mnist_sample/ or the folder holding it), and the archive as a file:
  // identical tensors.
  test_support::TempDir dir;
  for (const auto& file : fixtures::tiny_sample_files())
    if (file.path.back() != '/') write_bytes(dir.path() / "extracted" / file.path, file.content);
  write_bytes(dir.path() / "tiny.tgz", fixtures::tiny_sample_tgz());
  for (const fs::path& path :
       {dir.path() / "extracted" / "mnist_sample", dir.path() / "extracted", dir.path() / "tiny.tgz"}) {
    INFO("loading " << path.string());
    auto loaded = load_mnist_sample_path(path.string());
    REQUIRE(loaded);
    CHECK(x_of(loaded->train) == x_of(sample->train));
    CHECK(loaded->train.y == sample->train.y);
    CHECK(x_of(loaded->valid) == x_of(sample->valid));
    CHECK(loaded->valid.y == sample->valid.y);
  }
}

TEST_CASE("the real archive arriving in pieces of any size loads the same tensors", "[loader][real][stream]") {
  const Bytes& archive = test_support::real_archive_bytes();
  const auto whole = test_support::real_sample();
  {
    // Decoded as it arrives, not at the end: half the archive holds about half the images.
    SampleDecoder decoder;
    for (std::size_t pos = 0; pos < archive.size() / 2; pos += 65536)
      REQUIRE(decoder.write({archive.data() + pos, std::min<std::size_t>(65536, archive.size() / 2 - pos)}));
    CHECK(decoder.images_read() > 5000);
    CHECK(decoder.images_read() < 9000);
  }
  for (std::size_t size : {std::size_t{1000}, std::size_t{65536}}) {
    INFO("pieces of " << size << " bytes");
    check_same_sample(load_in_pieces(archive, [&](std::size_t) { return size; }), *whole);
  }
  INFO("pieces of 1 to 9973 bytes");
  check_same_sample(load_in_pieces(archive, [](std::size_t k) { return 1 + (k * 7919) % 9973; }), *whole);
}

TEST_CASE("a tiny archive, or its tar, arriving a byte at a time loads the same tensors",
          "[loader][fixtures][stream]") {
  const Bytes tgz = fixtures::tiny_sample_tgz();
  const auto whole = load_mnist_sample(span(tgz));
  REQUIRE(whole);
  const auto one_byte = [](std::size_t) { return 1; };
  check_same_sample(load_in_pieces(tgz, one_byte), *whole);
  const Bytes tar = fixtures::tar(fixtures::tiny_sample_files());
  for (std::size_t piece : {std::size_t{1}, tar.size()}) {
    INFO("the tar in pieces of " << piece << " bytes");
    std::vector<Bytes> storage;
    auto files = test_decoders::untar_in_pieces(span(tar), piece, storage);
    REQUIRE(files);
    check_same_sample(load_mnist_sample(*files), *whole);
  }
}

TEST_CASE("inflate copies back-references of every kind of length, apart or overlapping, byte for byte",
          "[loader][fixtures]") {
  // 300 random literals, then back-references; the expected output copies each byte by byte, as RFC 1951
  // defines a copy that overlaps itself.
  TorchGenerator generator(5);
  std::vector<fixtures::DeflatePiece> pieces;
  Bytes expected;
  for (int i = 0; i < 300; ++i) {
    const auto byte = static_cast<std::uint8_t>(generator.random() % 256);
    pieces.push_back({byte, 0, 0});
    expected.push_back(byte);
  }
  int references = 0;
  for (int length : {3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257, 258})
    for (int distance : {1, 2, 3, 4, 7, 8, 9, length - 1, length, length + 1, 299, 300}) {
      if (distance < 1) continue;
      pieces.push_back({0, length, distance});
      for (int k = 0; k < length; ++k) expected.push_back(expected[expected.size() - distance]);
      ++references;
    }
  const Bytes stream = fixtures::deflate_fixed(pieces);
  Bytes output(expected.size());  // exactly: a write past the end is the sanitizers' to catch
  const InflateResult result = inflate(span(stream), output.data(), output.size());
  CHECK(result.status == InflateStatus::kOk);
  CHECK(result.output_size == expected.size());
  CHECK(output == expected);
  CHECK(references == 19 * 12);
}

TEST_CASE("stored blocks larger than the room left in the window inflate whole, in any pieces",
          "[loader][fixtures][stream]") {
  Bytes content(600000);  // ten stored blocks of at most 65535 bytes: more than twice the window
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7 + i / 300);
  const Bytes gz = fixtures::gzip_stored(content);
  for (std::size_t piece : {std::size_t{1000}, std::size_t{100000}, gz.size()}) {
    INFO("pieces of " << piece << " bytes");
    GunzipStream stream;
    Bytes received;
    const ByteReceiver receive = [&](ByteSpan bytes, bool) -> Result<std::size_t> {
      received.insert(received.end(), bytes.data, bytes.data + bytes.size);
      return bytes.size;
    };
    for (std::size_t pos = 0; pos < gz.size(); pos += piece)
      REQUIRE(stream.write({gz.data() + pos, std::min(piece, gz.size() - pos)}, receive));
    REQUIRE(stream.end(receive));
    CHECK(received == content);
  }
}

TEST_CASE("gzip arriving a byte at a time inflates through its window whole", "[loader][fixtures][stream]") {
  // A megabyte of zeros is a few thousand bytes of long back-references: four times the window, each cut
  // by a piece's end. The receiver takes what it is given only every third call, as a tar reader waiting
  // for a whole record would.
  const std::size_t size = (1 << 20) + 5;
  const Bytes gz = fixtures::gzip_zeros(size);
  GunzipStream stream;
  std::size_t received = 0, nonzero = 0, calls = 0;
  const ByteReceiver receive = [&](ByteSpan bytes, bool last) -> Result<std::size_t> {
    if (++calls % 3 != 0 && !last) return std::size_t{0};
    received += bytes.size;
    nonzero += static_cast<std::size_t>(
        std::count_if(bytes.data, bytes.data + bytes.size, [](std::uint8_t b) { return b != 0; }));
    return bytes.size;
  };
  for (std::uint8_t byte : gz) REQUIRE(stream.write({&byte, 1}, receive));
  REQUIRE(stream.end(receive));
  CHECK(received == size);
  CHECK(nonzero == 0);
}

// ---- Bad containers ----

TEST_CASE("an empty input is refused as empty", "[loader][bad-input]") {
  CHECK_THAT(refusal({}), Catch::Contains("empty"));

  test_support::TempDir dir;
  write_bytes(dir.path() / "empty.tgz", {});
  auto loaded = load_mnist_sample_path((dir.path() / "empty.tgz").string());
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error(), Catch::Contains("empty.tgz") && Catch::Contains("the file is empty"));
}

TEST_CASE("bytes that are not gzip are refused as not gzip", "[loader][bad-input]") {
  CHECK_THAT(refusal(fixtures::to_bytes("mnist_sample/train/3/1.png\n")), Catch::Contains("not a gzip file"));
  CHECK_THAT(refusal(fixtures::tar(fixtures::tiny_sample_files())), Catch::Contains("not a gzip file"));  // a bare tar
  CHECK_THAT(refusal({0x1f}), Catch::Contains("not a gzip file"));
}

TEST_CASE("the first half of the real archive is refused as truncated", "[loader][bad-input][real]") {
  const Bytes& archive = test_support::real_archive_bytes();
  const Bytes half(archive.begin(), archive.begin() + archive.size() / 2);
  CHECK_THAT(refusal(half), Catch::Contains("truncated"));
  // Cut just before the end: the deflate data is whole, the trailer is not.
  const Bytes no_trailer(archive.begin(), archive.end() - 4);
  CHECK_THAT(refusal(no_trailer), Catch::Contains("truncated"));
}

TEST_CASE("a tiny archive cut anywhere is refused", "[loader][bad-input]") {
  // Every cut in the gzip header and trailer, and one in every 31 bytes of the data between them.
  const Bytes tgz = fixtures::tiny_sample_tgz();
  std::vector<std::size_t> cuts;
  for (std::size_t size = 1; size < tgz.size(); ++size)
    if (size <= 24 || size % 31 == 0 || size + 24 >= tgz.size()) cuts.push_back(size);
  int loaded = 0;
  for (std::size_t size : cuts) {
    auto sample = load_mnist_sample(ByteSpan{tgz.data(), size});
    if (sample && loaded++ == 0) FAIL_CHECK("a prefix of " << size << " of " << tgz.size() << " bytes loaded");
  }
  CHECK(loaded == 0);
}

TEST_CASE("a damaged gzip trailer is refused as corrupt", "[loader][bad-input]") {
  Bytes bad_crc = fixtures::tiny_sample_tgz();
  bad_crc[bad_crc.size() - 8] ^= 0x01;
  CHECK_THAT(refusal(bad_crc), Catch::Contains("checksum mismatch"));
  Bytes bad_length = fixtures::tiny_sample_tgz();
  bad_length[bad_length.size() - 4] ^= 0x01;
  CHECK_THAT(refusal(bad_length), Catch::Contains("length mismatch"));
}

TEST_CASE("an archive without the four class folders is refused and names the missing one", "[loader][bad-input]") {
  const Bytes unrelated = fixtures::gzip_stored(fixtures::tar({{"photos/", {}},
                                                               {"photos/README.txt", fixtures::to_bytes("hello\n")},
                                                               {"photos/cat.png", fixtures::digit_png(1)}}));
  CHECK_THAT(refusal(unrelated), Catch::Contains("no images in train/3"));

  // The training folders alone: the validation ones are named.
  auto files = fixtures::tiny_sample_files();
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const fixtures::TarFile& f) { return f.path.find("/valid/7") != std::string::npos; }),
              files.end());
  CHECK_THAT(refusal(fixtures::gzip_stored(fixtures::tar(files))), Catch::Contains("no images in valid/7"));
}

TEST_CASE("a damaged tar inside a valid gzip is refused", "[loader][bad-input]") {
  const Bytes tar = fixtures::tar(fixtures::tiny_sample_files());
  // Cut in the middle of a file's content (the end-of-archive blocks would otherwise hide a cut at the end).
  const Bytes cut(tar.begin(), tar.begin() + 3 * 512 + 100);
  CHECK_THAT(refusal(fixtures::gzip_stored(cut)), Catch::Contains("truncated tar"));

  Bytes bad_header = tar;
  bad_header[512 + 10] ^= 0x20;  // a byte of the second header's name, so its checksum no longer adds up
  CHECK_THAT(refusal(fixtures::gzip_stored(bad_header)), Catch::Contains("corrupt tar header at byte 512"));
}

TEST_CASE("an archive inflating past 64 MiB is refused as a gzip bomb", "[loader][bad-input]") {
  // One byte past the limit (64 MiB + 1 zeros in 430 KB), with an honest trailer and with one claiming a
  // single byte: the trailer only sizes the first buffer, and the limit must hold either way.
  for (long long declared : {-1LL, 1LL}) {
    INFO("trailer declares " << (declared < 0 ? "the true size" : "1 byte"));
    const Bytes bomb = fixtures::gzip_zeros(kMaxInflatedBytes + 1, declared);
    REQUIRE(bomb.size() < (1u << 20));
    CHECK_THAT(refusal(bomb), Catch::Contains("inflates past 64 MiB"));
  }
  // A little under the limit inflates: the refusals above are the limit's, not the writer's.
  auto under = gunzip(span(fixtures::gzip_zeros(kMaxInflatedBytes - 1024)));
  REQUIRE(under);
  CHECK(under->size() == kMaxInflatedBytes - 1024);
}

TEST_CASE("an archive file larger than 64 MiB is refused before it is inflated", "[loader][bad-input]") {
  // A gzip header and then untouched memory: the size alone must be enough to refuse it.
  const std::size_t size = kMaxArchiveBytes + 1;
  std::unique_ptr<std::uint8_t[]> huge(new std::uint8_t[size]);
  const Bytes header = fixtures::gzip_stored({});
  std::copy(header.begin(), header.end(), huge.get());
  auto sample = load_mnist_sample(ByteSpan{huge.get(), size});
  REQUIRE_FALSE(sample);
  CHECK_THAT(sample.error(), Catch::Contains("larger than 64 MiB"));
}

TEST_CASE("gunzip refuses output past the max_output it is given", "[loader][bad-input]") {
  // GunzipStream promises to bound its output to the max_output it is given. One MiB of zeros against a 64 KiB cap:
  auto inflated = gunzip(span(fixtures::gzip_zeros(1 << 20)), 64 << 10);
  INFO("gunzip returned " << (inflated ? std::to_string(inflated->size()) + " bytes" : inflated.error()));
  REQUIRE_FALSE(inflated);
  CHECK_THAT(inflated.error(), Catch::Contains("inflates past"));
}

// ---- Bad images inside an otherwise valid archive ----

TEST_CASE("a PNG that is not 28x28 8-bit grey is refused with its path and its shape", "[loader][bad-input]") {
  struct Case {
    const char* what;
    Bytes png;
    const char* message;
  };
  const Bytes grey_28x29 = fixtures::png(28, 29, 1, Bytes(28 * 29, 128));
  const Bytes grey_29x28 = fixtures::png(29, 28, 1, Bytes(29 * 28, 128));
  const Bytes rgb = fixtures::png(28, 28, 3, Bytes(28 * 28 * 3, 128));
  const Bytes grey_16_bit = fixtures::with_bit_depth(fixtures::digit_png(1), 16);
  const Case cases[] = {
      {"28x29 grey", grey_28x29, "image is 28x29 8-bit grey, expected 28x28 8-bit grey"},
      {"29x28 grey", grey_29x28, "image is 29x28 8-bit grey"},
      {"28x28 RGB", rgb, "image is 28x28 8-bit colour, expected 28x28 8-bit grey"},
      {"28x28 16-bit grey", grey_16_bit, "image is 28x28 16-bit grey"},
      {"28x28 grey, interlaced", fixtures::flip_chunk_byte(fixtures::digit_png(1), "IHDR", 12, /*fix_crc=*/true),
       "image is 28x28 8-bit grey interlaced, expected 28x28 8-bit grey"},
      {"a text file named .png", fixtures::to_bytes("not an image\n"), "not a PNG image"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string message = refusal(tiny_sample_with("mnist_sample/train/7/bad.png", c.png));
    CHECK_THAT(message, Catch::Contains("mnist_sample/train/7/bad.png") && Catch::Contains(c.message));
  }
}

TEST_CASE("a corrupt PNG is refused with its path", "[loader][bad-input]") {
  const Bytes good = fixtures::digit_png(5);
  struct Case {
    const char* what;
    Bytes png;
    const char* message;
  };
  const Case cases[] = {
      // A flipped byte in the image data: the chunk's CRC no longer matches.
      {"IDAT byte flipped", fixtures::flip_chunk_byte(good, "IDAT", 10, /*fix_crc=*/false), "checksum mismatch"},
      // A broken zlib header with a CRC to match: only the decoder behind the checksum can tell.
      {"zlib header broken, CRC fixed", fixtures::flip_chunk_byte(good, "IDAT", 0, /*fix_crc=*/true),
       "corrupt PNG image"},
      {"cut in the middle", Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)), "truncated"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const std::string message = refusal(tiny_sample_with("mnist_sample/valid/3/7.png", c.png));
    CHECK_THAT(message, Catch::Contains("mnist_sample/valid/3/7.png") && Catch::Contains(c.message));
  }
}

// ---- Damage anywhere: refused or loaded whole, never a crash (run under ASan/UBSan to see overreads) ----

TEST_CASE("a PNG with any byte damaged decodes to 784 pixels or is refused", "[loader][bad-input][robustness]") {
  int decoded = 0, refused = 0;
  for (int n : {1, 2}) {
    const Bytes good = fixtures::digit_png(n);
    for (std::size_t i = 0; i < good.size(); ++i) {
      for (std::uint8_t flip : {0x01, 0x80, 0xff}) {
        Bytes damaged = good;
        damaged[i] ^= flip;
        fixtures::fix_all_crcs(damaged);  // let the damage past the checksums, into the decoder
        Bytes pixels(kImagePixels);       // exactly one image: ASan sees a write past it
        if (decode_digit_png(span(damaged), pixels.data())) ++decoded;
        else ++refused;
      }
    }
  }
  CHECK(refused > 0);  // the damage did reach the checks
  CHECK(decoded > 0);  // and some of it (in pixel data) decodes to other pixels: the Adler-32 is not checked
}

TEST_CASE("a tiny archive with any byte damaged loads whole or is refused", "[loader][bad-input][robustness]") {
  const Bytes tgz = fixtures::tiny_sample_tgz();
  int loaded = 0;
  for (std::size_t i = 0; i < tgz.size(); ++i) {
    Bytes damaged = tgz;
    damaged[i] ^= 0xff;
    auto sample = load_mnist_sample(span(damaged));
    if (!sample) continue;
    ++loaded;  // only bytes nothing checks, such as the gzip header's mtime
    INFO("byte " << i << " flipped");
    REQUIRE(sample->train.size() == 4);
    REQUIRE(sample->valid.size() == 2);
  }
  CHECK(loaded < 16);
}

TEST_CASE("a folder without the class folders is refused and named", "[loader][bad-input]") {
  test_support::TempDir dir;
  write_bytes(dir.path() / "photos" / "cat.png", fixtures::digit_png(1));
  auto loaded = load_mnist_sample_path((dir.path() / "photos").string());
  REQUIRE_FALSE(loaded);
  CHECK_THAT(loaded.error(), Catch::Contains("photos") && Catch::Contains("no images in train/3"));

  auto missing = locate_mnist_sample((dir.path() / "nothing-here.tgz").string(), /*allow_download=*/false);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error(), Catch::Contains("nothing-here.tgz: no such file or folder"));
}
