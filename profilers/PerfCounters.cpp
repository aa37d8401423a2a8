#include "profilers/PerfCounters.hpp"

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mlffb::profilers {
namespace {

int perfOpen(uint32_t type, uint64_t config, pid_t tid) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = type;
  attr.config = config;
  attr.exclude_kernel = 1;  // user space: allowed up to perf_event_paranoid 2
  attr.exclude_hv = 1;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

std::string paranoid() {
  std::ifstream f("/proc/sys/kernel/perf_event_paranoid");
  std::string v;
  return f >> v ? v : "unknown";
}

std::string refusal(int err) {
  std::string why = std::strerror(err);
  if (err == ENOENT || err == EOPNOTSUPP) why += " (this CPU or hypervisor exposes no such counter)";
  if (err == EACCES || err == EPERM) why += " (kernel.perf_event_paranoid = " + paranoid() + "; needs CAP_PERFMON or a lower setting)";
  if (err == ENOSYS) why += " (perf_event_open is not available: seccomp or a kernel without perf events)";
  return why;
}

std::vector<pid_t> threadsOfThisProcess() {
  std::vector<pid_t> tids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    try {
      tids.push_back(static_cast<pid_t>(std::stol(e.path().filename().string())));
    } catch (const std::exception&) {
    }
  }
  if (tids.empty()) tids.push_back(static_cast<pid_t>(syscall(SYS_gettid)));
  return tids;
}

}  // namespace

PerfCounters::PerfCounters() {
  counters_ = {
      {"cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, {}, {}},
      {"instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, {}, {}},
      {"cache_references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, {}, {}},
      {"cache_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, {}, {}},
      {"branch_misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, {}, {}},
      {"task_clock_ns", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, {}, {}},
      {"page_faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, {}, {}},
      {"context_switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, {}, {}},
  };
}

PerfCounters::~PerfCounters() { close(); }

void PerfCounters::open() {
  close();
  const std::vector<pid_t> tids = threadsOfThisProcess();
  threads_ = static_cast<int>(tids.size());
  for (auto& c : counters_) {
    c.unavailable.clear();
    for (pid_t tid : tids) {
      const int fd = perfOpen(c.type, c.config, tid);
      if (fd >= 0) {
        c.fds.push_back(fd);
        continue;
      }
      if (errno == ESRCH) continue;  // the thread ended meanwhile
      c.unavailable = refusal(errno);
      for (int f : c.fds) ::close(f);
      c.fds.clear();
      break;
    }
    if (c.unavailable.empty() && c.fds.empty()) c.unavailable = "no thread to count";
  }
}

void PerfCounters::close() {
  for (auto& c : counters_) {
    for (int f : c.fds) ::close(f);
    c.fds.clear();
  }
}

std::vector<double> PerfCounters::read() const {
  std::vector<double> values(counters_.size(), 0.0);
  for (size_t i = 0; i < counters_.size(); ++i)
    for (int fd : counters_[i].fds) {
      uint64_t v[3] = {0, 0, 0};  // value, time enabled, time running
      if (::read(fd, v, sizeof v) != static_cast<ssize_t>(sizeof v)) continue;
      // Multiplexed counters ran part of the time: scale to the whole.
      values[i] += v[2] > 0 && v[2] < v[1] ? static_cast<double>(v[0]) * static_cast<double>(v[1]) / static_cast<double>(v[2])
                                           : static_cast<double>(v[0]);
    }
  return values;
}

bool PerfCounters::usable(std::string* reason) {
  const int fd = perfOpen(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0);
  if (fd < 0) {
    if (reason) *reason = "perf_event_open refused: " + refusal(errno);
    return false;
  }
  ::close(fd);
  return true;
}

}  // namespace mlffb::profilers
