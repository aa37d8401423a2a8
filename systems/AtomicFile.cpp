#include "systems/AtomicFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

void writeFileAtomically(const std::string& path, const std::string& content) {
  const fs::path target(resolveSymlinks(path));
  struct stat st {};
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw std::runtime_error(path + ": is a folder, not a file");
  if (exists && (!S_ISREG(st.st_mode) || isStreamPath(target))) {
    writeInPlace(path, target, content);
    return;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error(path + ": cannot write (" + why() + ")");
  auto fail = [&](const std::string& what) {
    const std::string w = why();
    ::close(fd);
    ::unlink(tmpl.c_str());
    throw std::runtime_error(path + ": " + what + " (" + w + ")");
  };
  if (!writeAll(fd, content)) fail("write failed");
  ::fchmod(fd, exists ? (st.st_mode & 07777) : 0644);
  if (::fsync(fd) != 0) fail("write failed");
  if (::close(fd) != 0) {
    const std::string w = why();
    ::unlink(tmpl.c_str());
    throw std::runtime_error(path + ": write failed (" + w + ")");
  }
  if (::rename(tmpl.c_str(), target.c_str()) != 0) {
    const std::string w = why();
    ::unlink(tmpl.c_str());
    throw std::runtime_error(path + ": cannot replace (" + w + ")");
  }
  // The rename itself survives a crash once the folder is on disk.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
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
