// InputFile: the one opener of structure, topology, weights and model files (see InputFile.hpp).
#include "systems/InputFile.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mlffb {

const InputKind kStructureInput{"structure file", 1ull << 30, "1 GiB: a 10-million-atom PDB is about 0.8 GB"};
const InputKind kTopologyInput{"topology file", 1ull << 30, "1 GiB: a 10-million-atom topology is about 0.8 GB"};
const InputKind kWeightsInput{"weights file", 256ull << 20, "256 MiB: the largest ANI-2x weights file is about 1 MB"};
const InputKind kReportInput{"report", 1ull << 30, "1 GiB: about 16 000 fully profiled runs", true};
const InputKind kModelInput{"model file", 8ull << 30, "8 GiB: the largest published MLFF models are a few GB"};

std::string fileTypeName(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a folder";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    default: return "not a file";
  }
}

namespace {

std::string errnoText() { return std::strerror(errno); }

/// Refuses what is not a regular file, or is larger than the kind allows.
void requireRegularWithin(const std::string& path, const struct stat& st, const InputKind& kind) {
  if (S_ISDIR(st.st_mode)) throw std::invalid_argument(path + ": is a folder, not a file");
  if (!S_ISREG(st.st_mode))
    throw std::invalid_argument(path + ": is " + fileTypeName(st.st_mode) + ", not a regular file (a " + kind.what + " is read whole)");
  if (static_cast<std::uint64_t>(st.st_size) > kind.maxBytes)
    throw std::invalid_argument(path + ": " + std::to_string(st.st_size) + " bytes is too large for a " + kind.what + " (limit " +
                                kind.whyLimit + ")");
}

/// /dev/stdin, /dev/fd/N, /proc/self/fd/N: a descriptor this process already holds.
bool isOpenStreamPath(const std::string& path) {
  return path == "/dev/stdin" || path.rfind("/dev/fd/", 0) == 0 || path.rfind("/proc/self/fd/", 0) == 0;
}

}  // namespace

InputFile::InputFile(const std::string& path, const InputKind& kind) : path_(path), kind_(kind) {
  if (kind.openStreams && isOpenStreamPath(path)) {  // read as it comes (blocking), bounded by read()
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) throw std::runtime_error(path + ": cannot open (" + errnoText() + ")");
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error(path + ": cannot open (" + errnoText() + ")");
  requireRegularWithin(path, st, kind);  // before open(2): a FIFO is never opened
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0) throw std::runtime_error(path + ": cannot open (" + errnoText() + ")");
  try {
    if (::fstat(fd_, &st) != 0) throw std::runtime_error(path + ": cannot open (" + errnoText() + ")");
    requireRegularWithin(path, st, kind);  // what was opened, should the path have changed
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t InputFile::read(char* buffer, std::size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw std::runtime_error(path_ + ": read failed (" + errnoText() + ")");
    done_ += static_cast<std::uint64_t>(got);
    if (done_ > kind_.maxBytes)
      throw std::invalid_argument(path_ + ": grew beyond the limit of a " + kind_.what + " while it was read (limit " + kind_.whyLimit + ")");
    return static_cast<std::size_t>(got);
  }
}

std::string InputFile::readAll() {
  std::string out;
  char buffer[1 << 16];
  while (const std::size_t got = read(buffer, sizeof buffer)) out.append(buffer, got);
  return out;
}

std::string readInputFile(const std::string& path, const InputKind& kind) { return InputFile(path, kind).readAll(); }

}  // namespace mlffb
