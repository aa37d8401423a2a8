#pragma once
// The one way mlff-bench makes a scratch folder (the runner's, an engine's work folder): a fresh
// folder under the temp folder ($TMPDIR) or a given root, with an owner lock file inside that its
// owner holds (flock) for its whole life. The owner removes it when done; when the owner is killed
// (SIGKILL, the out-of-memory killer) the lock is released by the kernel, and reclaimStaleScratch
// removes the folder at the start of the next run, or right after the runner sees a worker die.
#include <string>
#include <vector>

namespace mlffb {

class ScratchDir {
 public:
  ScratchDir() = default;
  /// Makes ROOT/PREFIXxxxxxx (ROOT empty: the temp folder) and takes its owner lock. PREFIX must
  /// start with "mlffb-", "mlff-bench-" or ".mlff-bench-", the names reclaimStaleScratch looks at.
  static ScratchDir create(const std::string& prefix, const std::string& root = "");
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();  // removes the folder unless kept

  const std::string& path() const { return path_; }
  /// Kept on purpose (for the user to read): the lock file goes, so neither this object nor a
  /// later reclaim removes the folder.
  void keep();

 private:
  void release();
  std::string path_;
  int lockFd_ = -1;
  bool kept_ = false;
};

/// The name of the owner lock file inside every scratch folder.
inline constexpr const char* kScratchLockName = ".mlffb-owner.lock";

/// Removes the folders directly under ROOT (empty: the temp folder) named mlffb-…, mlff-bench-… or .mlff-bench-…
/// that hold an owner lock nobody holds (their owner died); returns their paths. Folders without a
/// lock file (kept on purpose, or someone else's) and locked ones are left alone.
std::vector<std::string> reclaimStaleScratch(const std::string& root = "");

}  // namespace mlffb
