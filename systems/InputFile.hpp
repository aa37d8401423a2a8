#pragma once
// Reading an input file (a structure, topology, weights or model file): what the path names is
// looked at before it is opened, so a FIFO, socket, device or folder is refused without opening it
// (a FIFO with no writer would block for ever), and a file larger than the limit of its kind is
// refused before any of it is read; the file is then opened without blocking and checked again
// through its descriptor (the path may have been replaced in between). Errors name the path.
#include <cstdint>
#include <string>

namespace mlffb {

/// What an input is, how large it may be and why (the limit and its reason appear in the error).
struct InputKind {
  const char* what;        // "structure file"
  std::uint64_t maxBytes;
  const char* whyLimit;    // "a 10-million-atom PDB is about 0.8 GB"
  /// Whether a stream the shell already opened (/dev/stdin, /dev/fd/N, /proc/self/fd/N: a pipe,
  /// `compare <(…)`) is read as it comes, up to the limit; a FIFO named anywhere else is still
  /// refused unopened (with no writer it would block for ever).
  bool openStreams = false;
};

/// PDB/GRO/XYZ structures: 1 GiB (a 10-million-atom PDB, 81 bytes a line, is about 0.8 GB).
extern const InputKind kStructureInput;
/// GROMACS topologies and their includes: 1 GiB, as structures (one line per atom at most).
extern const InputKind kTopologyInput;
/// One weights file of a weights folder (NeuroChem): 256 MiB (ANI-2x's largest is about 1 MB).
extern const InputKind kWeightsInput;
/// A report read by compare/report: 1 GiB (a fully profiled run's record is about 64 KB); also from
/// an open stream (`run --out /dev/stdout | mlff-bench compare /dev/stdin`).
extern const InputKind kReportInput;
/// A TorchScript model file: 8 GiB (the largest published MLFF models are a few GB).
extern const InputKind kModelInput;

/// An input file, open for reading once checked as above.
class InputFile {
 public:
  /// Throws std::invalid_argument naming `path` for what is not a regular file or too large,
  /// std::runtime_error for a file that cannot be opened.
  InputFile(const std::string& path, const InputKind& kind);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  /// Up to `n` bytes into `buffer`; 0 at the end. A file that grows past its kind's limit
  /// while it is read is refused like one that was too large to begin with.
  std::size_t read(char* buffer, std::size_t n);
  /// The rest of the file.
  std::string readAll();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const InputKind& kind_;
  int fd_ = -1;
  std::uint64_t done_ = 0;
};

/// The whole file, checked as above.
std::string readInputFile(const std::string& path, const InputKind& kind);

/// "a FIFO", "a folder", "a socket", "a device", "a regular file", … for a stat(2) mode.
std::string fileTypeName(unsigned mode);

}  // namespace mlffb
