// Whole-file writes and the one rule of where mlff-bench writes (see AtomicFile.hpp).
#include "systems/AtomicFile.hpp"

#include "core/ScratchDir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/Errors.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

std::string why() { return std::strerror(errno); }

/// write(2) until done; false with errno set on failure.
bool writeAll(int fd, const std::string& content) {
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t w = ::write(fd, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  return true;
}

/// A FIFO or a device: written where it is, no temporary, no rename.
void writeInPlace(const std::string& shown, const fs::path& target, const std::string& content) {
  const int fd = ::open(target.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(shown + ": cannot write (" + why() + ")");
  if (!writeAll(fd, content)) {
    const std::string w = why();
    ::close(fd);
    throw std::runtime_error(shown + ": write failed (" + w + ")");
  }
  if (::close(fd) != 0) throw std::runtime_error(shown + ": write failed (" + why() + ")");
}

/// /dev/stdout, /dev/fd/N, /proc/self/fd/N, devices: streams, written where they are (following
/// /dev/stdout into /proc would name whatever the shell redirected to, as a file to replace).
bool isStreamPath(const fs::path& p) {
  const std::string s = p.lexically_normal().string();
  return s.rfind("/dev/", 0) == 0 || s.rfind("/proc/", 0) == 0;
}

}  // namespace

std::string resolveSymlinks(const std::string& path) {
  fs::path target(path);
  std::error_code ec;
  for (int hops = 0; !isStreamPath(target) && fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    if (hops >= 40) throw std::runtime_error(path + ": too many levels of symbolic links");
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) throw std::runtime_error(path + ": cannot read the symbolic link (" + ec.message() + ")");
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  return target.string();
}

bool isRegularOrAbsent(const std::string& path) {
  const std::string target = resolveSymlinks(path);
  if (isStreamPath(target)) return false;
  std::error_code ec;
  const auto st = fs::status(target, ec);
  return !fs::exists(st) || fs::is_regular_file(st);
}

namespace {

constexpr const char* kLinkRefusal = "is a symbolic link; mlff-bench writes a file it names itself only where no link is (remove the link)";

/// `content` in a new temporary file beside `target`, flushed to disk and closed, with `mode`;
/// its path. Throws naming `shown` (ENOSPC, EFBIG, EACCES: the cause in the message).
std::string writeTemporary(const std::string& shown, const fs::path& target, const std::string& content, mode_t mode) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = ".";
  name += target.filename().string() + ".tmp.XXXXXX";
  std::string tmpl = (dir / name).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error(shown + ": cannot write (" + why() + ")");
  int err = 0;
  if (!writeAll(fd, content) || ::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmpl.c_str());
    throw std::runtime_error(shown + ": write failed (" + std::strerror(err) + ")");
  }
  return tmpl;
}

/// Makes a rename into `dir` survive a crash.
void syncFolder(const fs::path& dir) {
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

/// Moves the temporary `tmp` to `target`: over what is there (`replace`), or only where nothing
/// is (link(2) fails with EEXIST, so a file that appeared meanwhile is never replaced).
void installTemporary(const std::string& shown, const std::string& tmp, const fs::path& target, bool replace) {
  const bool moved = replace ? ::rename(tmp.c_str(), target.c_str()) == 0 : ::link(tmp.c_str(), target.c_str()) == 0;
  const int err = errno;
  ::unlink(tmp.c_str());
  if (!moved && err == EEXIST) throw UsageError(shown + ": exists; give --force to replace it");
  if (!moved) throw std::runtime_error(shown + ": cannot write (" + std::strerror(err) + ")");
  syncFolder(target.parent_path());
}

}  // namespace

void writeFileAtomically(const std::string& path, const std::string& content) {
  const fs::path target(resolveSymlinks(path));
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a folder, not a file");
  if (exists && (!S_ISREG(st.st_mode) || isStreamPath(target))) {
    writeInPlace(path, target, content);
    return;
  }
  const std::string tmp = writeTemporary(path, target, content, exists ? (st.st_mode & 07777) : 0644);
  installTemporary(path, tmp, target, true);
}

void writeNewFile(const std::string& path, const std::string& content, Existing existing) {
  struct stat st {};
  const bool exists = ::lstat(path.c_str(), &st) == 0;
  if (exists && S_ISLNK(st.st_mode)) throw std::runtime_error(path + ": " + kLinkRefusal);
  if (exists && S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a folder, not a file");
  if (exists && existing == Existing::Refuse) throw UsageError(path + ": exists; give --force to replace it");
  const std::string tmp = writeTemporary(path, path, content, exists ? (st.st_mode & 07777) : 0644);
  installTemporary(path, tmp, path, existing == Existing::Replace);
}

void appendToFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == ELOOP) throw std::runtime_error(path + ": " + kLinkRefusal);
  if (fd < 0) throw std::runtime_error(path + ": cannot append (" + why() + ")");
  int err = 0;
  if (!writeAll(fd, text) || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) throw std::runtime_error(path + ": write failed (" + std::strerror(err) + ")");
}

void requireFileOutput(const std::string& path, bool force, const std::string& option) {
  std::error_code ec;
  if (!path.empty() && path.back() == '/') throw UsageError(option + " " + path + ": names a folder; give the name of the file to write");
  const fs::path target(resolveSymlinks(path));
  if (isStreamPath(target)) return;
  const auto st = fs::status(target, ec);
  if (fs::is_directory(st)) throw UsageError(option + " " + path + ": is a folder; give the name of the file to write");
  if (fs::is_regular_file(st) && !force) throw UsageError(option + " " + path + ": exists; give --force to replace it");
}

void requireNewInFolder(const std::string& dir, const std::vector<std::string>& names, bool force) {
  for (const auto& name : names) {
    const std::string path = (fs::path(dir) / name).string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) throw std::runtime_error(path + ": " + kLinkRefusal);
    if (!force) throw UsageError(path + ": exists; give --force to replace it");
  }
}

OutputFolder::OutputFolder(const std::string& dir) {
  if (dir.empty()) return;
  // The folders that do not exist yet, outermost last.
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "newdir/"
  for (std::error_code ec; !p.empty() && p != p.root_path() && !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path())
    created_.push_back(p.string());
  try {
    ensureWritableDirectory(dir);
  } catch (...) {
    removeEmpty();
    throw;
  }
}

void OutputFolder::removeEmpty() noexcept {
  // rmdir(2) removes only an empty folder: what the command wrote stays.
  for (const auto& p : created_)
    if (::rmdir(p.c_str()) != 0) break;
}

OutputFolder::~OutputFolder() { removeEmpty(); }

StagingFolder::StagingFolder(const std::string& dir) : dir_(dir) {
  reclaimStaleScratch(dir);  // a staging folder left by a command that was killed (its owner lock is free)
  scratch_ = ScratchDir::create(".mlff-bench-staging-", dir);
}

std::string StagingFolder::shown(const std::string& staged) const {
  if (staged.rfind(path(), 0) != 0) return staged;
  if (staged.size() == path().size()) return dir_;
  return (fs::path(dir_) / fs::path(staged.substr(path().size())).relative_path()).string();
}

std::vector<std::string> StagingFolder::commit(Existing existing) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path()))
    if (e.path().filename() != kScratchLockName) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  requireNewInFolder(dir_, names, existing == Existing::Replace);
  for (const auto& name : names)
    installTemporary((fs::path(dir_) / name).string(), (fs::path(path()) / name).string(), fs::path(dir_) / name, existing == Existing::Replace);
  return names;
}

std::string readFile(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw std::runtime_error(path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open (" + why() + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error(path + ": read failed (" + why() + ")");
  return ss.str();
}

void ensureWritableDirectory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::runtime_error(dir + ": cannot create output folder (" + (ec ? ec.message() : "not a folder") + ")");
  if (::access(dir.c_str(), W_OK) != 0) throw std::runtime_error(dir + ": output folder is not writable");
}

}  // namespace mlffb
