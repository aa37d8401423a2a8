// Classifying a worker's death by a signal (see WorkerDeath.hpp).
#include "harness/WorkerDeath.hpp"

#include <signal.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace mlffb {

namespace {

/// The number after `key` on a "key N" line of `path`; -1 when the file or line is not there.
long counterIn(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string k;
    long n = -1;
    if (fields >> k >> n && k == key) return n;
  }
  return -1;
}

/// This process's cgroup path for `controller` ("" for the v2 unified hierarchy) from
/// /proc/self/cgroup; `found` says whether such a line is there.
std::string cgroupPath(const std::string& controller, bool& found) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    const auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string list(1, ',');  // ",memory,cpu," (built by append: GCC 12 warns falsely on "," + substr)
    list.append(line, a + 1, b - a - 1).push_back(',');
    if (controller.empty() ? list == ",," : list.find("," + controller + ",") != std::string::npos) {
      found = true;
      return line.substr(b + 1);
    }
  }
  found = false;
  return "";
}

/// The counter in `file` under the cgroup mount `mount` at this process's path, or at the mount's
/// root (a cgroup namespace shows its own cgroup as the root).
OomKillCount cgroupCounter(const std::string& mount, const std::string& controller, const std::string& file) {
  bool found = false;
  const std::string path = cgroupPath(controller, found);
  if (!found) return {};
  for (const std::string& dir : {mount + path, mount}) {
    const std::string p = dir + "/" + file;
    if (const long n = counterIn(p, "oom_kill"); n >= 0) return {n, p};
  }
  return {};
}

bool isCrashSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS;
}

}  // namespace

OomKillCount readOomKillCount() {
  if (OomKillCount c = cgroupCounter("/sys/fs/cgroup/memory", "memory", "memory.oom_control"); c.kills >= 0) return c;
  if (OomKillCount c = cgroupCounter("/sys/fs/cgroup", "", "memory.events"); c.kills >= 0) return c;
  if (const long n = counterIn("/proc/vmstat", "oom_kill"); n >= 0) return {n, "/proc/vmstat"};
  return {};
}

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  const char* text = ::strsignal(sig);
  return (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig)) + " (" + (text ? text : "signal") + ")";
}

WorkerDeath classifyWorkerDeath(int sig, const OomKillCount& before, const OomKillCount& after) {
  const std::string killedBy = "worker killed by " + signalName(sig);
  if (isCrashSignal(sig)) return {"error", killedBy};
  if (sig != SIGKILL) return {"killed", killedBy + ", sent by another process or a person"};
  if (before.kills >= 0 && after.kills > before.kills)
    return {"oom", killedBy + ", by the out-of-memory killer (" + after.source + ": oom_kill " + std::to_string(before.kills) + " → " +
                       std::to_string(after.kills) + " while the point ran)"};
  if (after.kills < 0)
    return {"killed", killedBy + "; the kernel's out-of-memory kill count cannot be read, so it is not known whether the out-of-memory killer sent it"};
  return {"killed", killedBy + ", not by the out-of-memory killer (" + after.source + ": oom_kill stayed " + std::to_string(after.kills) +
                        "): by another process or a person"};
}

}  // namespace mlffb
