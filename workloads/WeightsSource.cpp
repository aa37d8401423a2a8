// Where `mlff-bench weights fetch` puts weights by default (see WeightsSource.hpp).
#include "workloads/WeightsSource.hpp"

#include <cstdlib>
#include <filesystem>

namespace mlffb {

std::string fetchedWeightsFolder(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path root;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    root = x;
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    root = fs::path(h) / ".local" / "share";
  } else {
    root = fs::temp_directory_path();
  }
  return (root / "mlff-bench" / "models" / name).string();
}

}  // namespace mlffb
