// Downloading with curl, which Debian and every learner's machine has; no HTTP library to build.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli/data_source.hpp"

extern char** environ;

namespace mnist_sgd {
namespace fs = std::filesystem;

Result<void> download_mnist_sample(const std::string& url, const std::string& destination) {
  std::error_code error;
  fs::create_directories(fs::path(destination).parent_path(), error);
  const std::string partial = destination + ".part";
  std::fprintf(stderr, "Downloading the MNIST sample (3.2 MB) from %s\n", url.c_str());
  std::vector<std::string> args = {"curl",     "--fail", "--location", "--progress-bar", "--max-filesize", "67108864",
                                   "--output", partial,  url};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int status = 0;
  if (posix_spawnp(&pid, "curl", nullptr, nullptr, argv.data(), environ) != 0 || waitpid(pid, &status, 0) < 0 ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fs::remove(partial, error);
    return Error{"could not download " + url};
  }
  if (auto checked = check_is_mnist_sample(partial); !checked) {
    fs::remove(partial, error);
    return Error{checked.error()};
  }
  fs::rename(partial, destination, error);
  if (error) return Error{"could not write " + destination + ": " + error.message()};
  return {};
}

}  // namespace mnist_sgd
