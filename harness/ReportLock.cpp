// ReportLock: one run at a time per report, held on the report's identity (see ReportLock.hpp).
#include "harness/ReportLock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "harness/Report.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {
namespace {

/// Whether the open file `fd` is still the one at `path` (not replaced, not removed).
bool stillAtPath(int fd, const std::string& path) {
  struct stat held {}, named {};
  return ::fstat(fd, &held) == 0 && ::lstat(path.c_str(), &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev;
}

/// Opens (creating) the lock file, never through a link; throws naming it otherwise.
int openLockFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0 && errno == ELOOP)
    throw std::runtime_error(path + ": is a symbolic link; a report lock is never written through a link (remove it)");
  if (fd < 0) throw std::runtime_error(path + ": cannot create the report lock (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error(path + ": is not a regular file; a report lock is a file of its own (remove it)");
  }
  return fd;
}

/// The holder's note in a lock file that is taken.
std::string holderOf(int fd) {
  char holder[512] = {0};
  const ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
  std::string who(holder, n > 0 ? static_cast<size_t>(n) : 0);
  while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
  return who.empty() ? "holder unknown" : who;
}

}  // namespace

std::string reportLockPath(const std::string& reportPath) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = fs::absolute(resolveSymlinks(reportPath), ec);
  const fs::path identity = fs::weakly_canonical(target, ec);
  return (ec ? target : identity).string() + ".lock";
}

ReportLock::ReportLock(const std::string& reportPath, const std::string& command) : path_(reportLockPath(reportPath)) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    fd_ = openLockFile(path_);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      const std::string who = holderOf(fd_);
      ::close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK) throw std::runtime_error(path_ + ": cannot lock (" + std::strerror(err) + ")");
      throw std::runtime_error(reportPath + " is being written by another mlff-bench run (" + who + "); wait for it, or choose another --out");
    }
    // The file we locked must still be the one at the path (a finishing holder removes it).
    if (stillAtPath(fd_, path_)) {
      char host[256] = {0};
      ::gethostname(host, sizeof host - 1);
      const std::string who = "pid " + std::to_string(::getpid()) + " on " + host + ", started " + utcTime("%Y-%m-%dT%H:%M:%SZ") +
                              ": " + command.substr(0, 300) + "\n";
      if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, who.data(), who.size(), 0) < 0) {
        // the lock holds without its note
      }
      return;
    }
    ::close(fd_);
    fd_ = -1;
  }
  throw std::runtime_error(path_ + ": could not take the report lock");
}

ReportLock::~ReportLock() {
  if (fd_ < 0) return;
  // While still holding it (a waiter re-checks the path), and only the file this run created or
  // took: never another that has taken its name since.
  if (stillAtPath(fd_, path_)) ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace mlffb
