#pragma once
// One run at a time per report: REPORT.lock, held with flock(2) for the run's life and naming its
// holder (pid, host, start time, command). A second run on the same report fails at once naming
// the first; a holder that died leaves no lock (the kernel drops it with the process).
#include <string>

namespace mlffb {

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
