// memory-bandwidth: how fast one thread of this machine reads memory, for scripts/bench's floor.
//
//   memory-bandwidth          reads a buffer twice the size of the last-level cache (at least 256 MiB)
//   memory-bandwidth MIB      reads a buffer of MIB mebibytes instead (e.g. one epoch's data, 9.7 MB)
//
// Prints one line, e.g. "30.4 GB/s read, one thread (best of 10 passes over 1016 MiB; last-level cache 508 MiB)".
//
// A training epoch reads every training image once (12,396 x 784 bytes = 9.7 MB): bytes per epoch / this
// bandwidth is the fastest an epoch can be. The engine trains on one thread, so this measures one thread; the best pass is kept, because noise
// only ever makes a pass slower. Plain pages, no huge pages: as the engine's data.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kMinDefaultMiB = 256;
constexpr double kBytesPerRun = 8e9;              // passes are added up to about this many bytes read...
constexpr int kMinPasses = 10, kMaxPasses = 200;  // ...within these bounds

// The last-level cache as the C library reports it (0 when it does not know).
std::size_t last_level_cache_bytes() {
  long size = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
  size = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (size <= 0) size = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  return size > 0 ? static_cast<std::size_t>(size) : 0;
}

// Sums the buffer as 64-bit integers: integer addition is associative, so the compiler may vectorise it
// freely, and four independent sums keep several loads in flight.
std::uint64_t read_all(const std::uint64_t* data, std::size_t count) {
  std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (std::size_t i = 0; i + 4 <= count; i += 4) {
    s0 += data[i];
    s1 += data[i + 1];
    s2 += data[i + 2];
    s3 += data[i + 3];
  }
  return (s0 + s1) + (s2 + s3);
}

// Where the sums go, so that the reads cannot be optimised away.
volatile std::uint64_t sink;

}  // namespace

int main(int argc, char** argv) {
  const std::size_t cache = last_level_cache_bytes();
  const std::size_t default_mib = std::max(kMinDefaultMiB, (2 * cache + kMiB - 1) / kMiB);
  const std::size_t mib = argc == 2 ? std::strtoull(argv[1], nullptr, 10) : default_mib;
  if (argc > 2 || mib < 1 || mib > (std::size_t{1} << 20)) {
    std::fprintf(stderr, "usage: memory-bandwidth [MiB, default %zu: twice the last-level cache, at least %zu]\n",
                 default_mib, kMinDefaultMiB);
    return 2;
  }
  const std::size_t bytes = mib * kMiB;
  std::vector<std::uint64_t> buffer(bytes / sizeof(std::uint64_t));
  // Touch every page first, so that no pass pays for the operating system mapping memory.
  std::memset(buffer.data(), 1, bytes);

  const int passes = std::clamp(static_cast<int>(kBytesPerRun / static_cast<double>(bytes)), kMinPasses, kMaxPasses);
  double best_seconds = 1e30;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    sink = read_all(buffer.data(), buffer.size());
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    best_seconds = std::min(best_seconds, elapsed.count());
  }
  std::printf("%.1f GB/s read, one thread (best of %d passes over %zu MiB; last-level cache %zu MiB)\n",
              static_cast<double>(bytes) / best_seconds / 1e9, passes, mib, cache / kMiB);
  return 0;
}
