#include "harness/ReportLock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "harness/Report.hpp"

namespace mlffb {

ReportLock::ReportLock(const std::string& reportPath, const std::string& command) : path_(reportPath + ".lock") {
  for (int attempt = 0; attempt < 10; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path_ + ": cannot create the report lock (" + std::strerror(errno) + ")");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      char holder[512] = {0};
      const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
      ::close(fd_);
      fd_ = -1;
      if (err != EWOULDBLOCK) throw std::runtime_error(path_ + ": cannot lock (" + std::strerror(err) + ")");
      std::string who(holder, n > 0 ? static_cast<size_t>(n) : 0);
      while (!who.empty() && (who.back() == '\n' || who.back() == ' ')) who.pop_back();
      throw std::runtime_error(reportPath + " is being written by another mlff-bench run (" + (who.empty() ? "holder unknown" : who) +
                               "); wait for it, or choose another --out");
    }
    // The file we locked must still be the one at the path (a finishing holder removes it).
    struct stat locked {}, named {};
    if (::fstat(fd_, &locked) == 0 && ::stat(path_.c_str(), &named) == 0 && locked.st_ino == named.st_ino &&
        locked.st_dev == named.st_dev) {
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
  ::unlink(path_.c_str());  // while still holding it: a waiter re-checks the path
  ::close(fd_);
}

}  // namespace mlffb
