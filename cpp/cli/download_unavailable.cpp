// For builds that cannot start processes (the WebAssembly CLI under Node): no download, a clear message.
#include "cli/data_source.hpp"

namespace mnist_sgd {

Result<void> download_mnist_sample(const std::string& url, const std::string&) {
  return Error{"this build cannot download " + url};
}

}  // namespace mnist_sgd
