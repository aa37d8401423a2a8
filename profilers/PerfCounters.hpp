#pragma once
// CPU counters through perf_event_open(2): cycles, instructions, cache references and misses,
// branch misses (hardware), task clock, page faults and context switches (software), user space
// only, one counter per thread of this process (the OpenMP workers included: threads that exist
// when the counters open), summed. A counter the kernel or the CPU refuses (perf_event_paranoid,
// a virtual machine without a PMU, seccomp) is kept with the reason and the others go on.
#include <cstdint>
#include <string>
#include <vector>

namespace mlffb::profilers {

struct PerfCounter {
  std::string name;
  uint32_t type = 0;
  uint64_t config = 0;
  std::vector<int> fds;  // one per thread
  std::string unavailable;  // empty when counting
};

class PerfCounters {
 public:
  /// The default set; nothing opened yet.
  PerfCounters();
  ~PerfCounters();
  PerfCounters(const PerfCounters&) = delete;
  PerfCounters& operator=(const PerfCounters&) = delete;

  /// Opens every counter on every current thread of the process and starts counting.
  void open();
  void close();
  /// Current values (multiplexing-scaled), one per counter; 0 for an unavailable one.
  std::vector<double> read() const;
  const std::vector<PerfCounter>& counters() const { return counters_; }
  int threads() const { return threads_; }

  /// Whether perf_event_open works here at all (a software counter on this thread), or why not.
  static bool usable(std::string* reason);

 private:
  std::vector<PerfCounter> counters_;
  int threads_ = 0;
};

}  // namespace mlffb::profilers
