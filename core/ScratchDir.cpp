// Scratch folders with an owner lock (see ScratchDir.hpp).
#include "core/ScratchDir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace mlffb {
namespace fs = std::filesystem;

namespace {

/// Our scratch names: mlffb-…, mlff-bench-…, and the hidden .mlff-bench-… of a staging folder
/// inside a user's output folder.
bool hasScratchPrefix(const std::string& name) {
  return name.rfind("mlffb-", 0) == 0 || name.rfind("mlff-bench-", 0) == 0 || name.rfind(".mlff-bench-", 0) == 0;
}

fs::path scratchRoot(const std::string& root) { return root.empty() ? fs::temp_directory_path() : fs::path(root); }

/// Removes `dir`, its owner lock last: a folder that cannot be removed whole (a dying program still
/// writing in it) keeps its lock file, so the next reclaim tries again.
bool removeLockedLast(const fs::path& dir) {
  std::error_code ec;
  bool whole = true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code one;
    if (it->path().filename() != kScratchLockName) whole = fs::remove_all(it->path(), one) != static_cast<std::uintmax_t>(-1) && !one && whole;
  }
  if (ec || !whole) return false;
  fs::remove_all(dir, ec);
  return !ec;
}

}  // namespace

ScratchDir ScratchDir::create(const std::string& prefix, const std::string& root) {
  if (!hasScratchPrefix(prefix)) throw std::invalid_argument("scratch folder prefix '" + prefix + "' is not mlffb-… or mlff-bench-…");
  const fs::path base = scratchRoot(root);
  std::error_code ec;
  fs::create_directories(base, ec);
  std::string tmpl = (base / (prefix + "XXXXXX")).string();
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error(base.string() + ": cannot create a scratch folder (" + std::strerror(errno) + ")");
  ScratchDir d;
  d.path_ = tmpl;
  const std::string lock = (fs::path(tmpl) / kScratchLockName).string();
  d.lockFd_ = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (d.lockFd_ < 0 || ::flock(d.lockFd_, LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error(lock + ": cannot take the scratch folder's owner lock (" + std::strerror(errno) + ")");
  return d;
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), lockFd_(std::exchange(other.lockFd_, -1)), kept_(other.kept_) {}

ScratchDir& ScratchDir::operator=(ScratchDir&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::exchange(other.path_, {});
    lockFd_ = std::exchange(other.lockFd_, -1);
    kept_ = other.kept_;
  }
  return *this;
}

ScratchDir::~ScratchDir() { release(); }

void ScratchDir::release() {
  std::error_code ec;
  if (!path_.empty() && !kept_) fs::remove_all(path_, ec);
  if (lockFd_ >= 0) ::close(lockFd_);
  lockFd_ = -1;
  path_.clear();
}

void ScratchDir::keep() {
  if (path_.empty() || kept_) return;
  kept_ = true;
  std::error_code ec;
  fs::remove(fs::path(path_) / kScratchLockName, ec);
}

std::vector<std::string> reclaimStaleScratch(const std::string& root) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(scratchRoot(root), ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path dir = it->path();
    std::error_code dirEc;
    if (!hasScratchPrefix(dir.filename().string()) || !it->is_directory(dirEc) || it->is_symlink(dirEc)) continue;
    const int fd = ::open((dir / kScratchLockName).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;  // no lock file: kept on purpose, or not ours
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && removeLockedLast(dir)) removed.push_back(dir.string());
    ::close(fd);
  }
  return removed;
}

}  // namespace mlffb
