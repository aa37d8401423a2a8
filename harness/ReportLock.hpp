#pragma once
// One run at a time per report: REPORT.lock, held with flock(2) for the run's life and naming its
// holder (pid, host, start time, command). A second run on the same report fails at once naming
// the first; a holder that died leaves no lock (the kernel drops it with the process). The lock
// belongs to the report's identity, not the name it was given: it lies beside the file the path
// resolves to (symlinks followed, folders canonical), so runs through two links to one report
// collide; it is never opened through a link, and removed only while it is still this run's file.
#include <string>

namespace mlffb {

/// Where the lock of the report at `reportPath` lies (absolute, beside the resolved file).
std::string reportLockPath(const std::string& reportPath);

class ReportLock {
 public:
  /// Takes the lock next to `reportPath`; throws std::runtime_error naming the holder if taken.
  ReportLock(const std::string& reportPath, const std::string& command);
  ~ReportLock();
  ReportLock(const ReportLock&) = delete;
  ReportLock& operator=(const ReportLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace mlffb
