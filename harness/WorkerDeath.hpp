#pragma once
// What a worker's death by a signal is recorded as. `oom` only when the kernel says so: its count
// of out-of-memory kills (the worker's memory cgroup: v2 memory.events, v1 memory.oom_control;
// else /proc/vmstat, the whole machine's) grew while the point ran. A SIGKILL the kernel did not
// count is `killed` (a person, a batch system, a watchdog); a crash (SIGSEGV, SIGABRT, …) is an
// `error`; any other signal is `killed`, named.
#include <string>

namespace mlffb {

/// The kernel's count of out-of-memory kills where this process's memory is accounted, and where it
/// was read (`source`, for the record's message); -1 when no count can be read.
struct OomKillCount {
  long kills = -1;
  std::string source;
};
OomKillCount readOomKillCount();

/// `name` (SIGKILL, …) and what it means, for messages: "SIGKILL (Killed)".
std::string signalName(int sig);

struct WorkerDeath {
  std::string status;   // oom, killed or error
  std::string message;
};
/// A worker ended by `sig`; `before` and `after`: the counts read when the point started and ended.
WorkerDeath classifyWorkerDeath(int sig, const OomKillCount& before, const OomKillCount& after);

}  // namespace mlffb
