#include "harness/Runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "core/Errors.hpp"
#include "core/ScratchDir.hpp"
#include "harness/Budget.hpp"
#include "harness/Journal.hpp"
#include "harness/PointProgress.hpp"
#include "harness/PointRunner.hpp"
#include "harness/Report.hpp"
#include "harness/ReportLock.hpp"
#include "harness/RunRecord.hpp"
#include "harness/SystemRecord.hpp"
#include "harness/WorkerDeath.hpp"
#include "systems/AtomicFile.hpp"

namespace mlffb {
namespace fs = std::filesystem;

std::string selfExe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the mlff-bench executable (/proc/self/exe)");
  return p.string();
}

namespace {

volatile sig_atomic_t gInterrupted = 0;  // the signal that stopped the suite (SIGINT, SIGTERM, SIGHUP)
void onStopSignal(int sig) { gInterrupted = sig; }

std::string duration(double s) {
  std::ostringstream o;
  if (s >= 3600) o << static_cast<int>(s / 3600) << "h" << std::setw(2) << std::setfill('0') << static_cast<int>(s / 60) % 60 << "m";
  else if (s >= 60) o << static_cast<int>(s / 60) << "m" << std::setw(2) << std::setfill('0') << static_cast<int>(s) % 60 << "s";
  else o << static_cast<int>(s) << "s";
  return o.str();
}

class Progress {
 public:
  /// `out` is standard output, or standard error when the report itself goes to standard output.
  Progress(size_t total, size_t already, std::ostream& out, int fd) : total_(total), done_(already), tty_(::isatty(fd)), out_(out) {}
  bool tty() const { return tty_; }
  /// `remainingS`: the predicted time of the points still to run (negative: unknown).
  void start(const std::string& id, double remainingS) {
    current_ = id;
    detail_.clear();
    remainingS_ = remainingS;
    pointStart_ = std::chrono::steady_clock::now();
    if (tty_) draw();
  }
  /// The running point's own progress (its samples or steps against its criteria), redrawn on a terminal.
  void detail(const std::string& d) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (d == detail_ && now - lastDraw_ < std::chrono::seconds(1)) return;
    detail_ = d;
    draw();
  }
  void finish(const Json& rec, double seconds) {
    ++done_;
    elapsed_ += seconds;
    std::ostringstream line;
    line << "[" << done_ << "/" << (total_ ? std::to_string(total_) : std::string("?")) << "] " << rec.value("id", current_) << ": " << summary(rec) << " (" << std::fixed
         << std::setprecision(1) << seconds << " s)";
    if (tty_) out_ << "\r\033[K";
    out_ << line.str() << "\n";
    out_.flush();
  }
  static std::string summary(const Json& rec) {
    std::ostringstream o;
    const std::string status = rec.value("status", "error");
    if (status != "ok") return status + ": " + rec.value("message", "");
    const Json& m = rec["measurements"];
    o << std::fixed << std::setprecision(2);
    if (m.contains("md"))
      o << m["md"]["ms_per_step"]["median"].get<double>() << " ms/step, " << m["md"]["ns_per_day"].get<double>() << " ns/day";
    else if (m.contains("stages") && m["stages"].contains("total"))
      o << m["stages"]["total"]["median_ms"].get<double>() << " ms per energy+forces";
    if (m.contains("timing") && m["timing"]["noise"].is_number()) {
      o << " ±" << std::setprecision(1) << 100 * m["timing"]["noise"].get<double>() << " % (" << m["timing"].value("samples", 0) << " samples";
      if (!m["timing"].value("met", true)) o << ", criteria not met: " << m["timing"].value("stopped_by", "");
      o << ")";
    }
    if (m.contains("machine_load") && m["machine_load"].value("contended", false)) o << " [contended: " << m["machine_load"].value("why", "") << "]";
    return o.str();
  }

 private:
  void draw() {
    lastDraw_ = std::chrono::steady_clock::now();
    const double inPoint = std::chrono::duration<double>(lastDraw_ - pointStart_).count();
    std::ostringstream o;
    o << "\r\033[K" << done_ << "/" << (total_ ? std::to_string(total_) : std::string("?")) << ", " << duration(elapsed_ + inPoint) << " elapsed";
    if (remainingS_ >= 0 && total_ > done_) o << ", ETA " << duration(std::max(0.0, remainingS_ - inPoint));
    o << " | " << current_.substr(0, 48) << " " << duration(inPoint);
    if (!detail_.empty()) o << ": " << detail_.substr(0, 60);
    out_ << o.str() << std::flush;
  }
  size_t total_, done_;
  double elapsed_ = 0, remainingS_ = -1;
  bool tty_;
  std::ostream& out_;
  std::string current_, detail_;
  std::chrono::steady_clock::time_point pointStart_{}, lastDraw_{};
};

/// How loaded the machine was while a point ran: twice a second, the runnable tasks that are not
/// the point's own (the machine's runnable count less the worker's process group's running threads
/// and this reader), plus load averages, the worker's involuntary context switches and CPU steal (a
/// hypervisor's other guests). A point is flagged contended when another task was runnable on
/// average kContendedOthers of the time or more, or steal exceeds 5 %. Not the switch count: at as
/// many threads as cores the OS and this runner preempt a worker on a quiet machine too (measured
/// here: 83–120 a second at 2 threads quiet, 208–215 beside one busy process; 3–7 and 51–66 at 1 thread).
struct CpuTimes {
  double busy = 0, steal = 0, total = 0;
};
CpuTimes readCpuTimes() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  std::vector<double> v;
  double x;
  for (int i = 0; i < 8 && in >> x; ++i) v.push_back(x);
  CpuTimes t;
  if (cpu != "cpu" || v.size() < 8) return t;
  for (double a : v) t.total += a;
  t.steal = v[7];
  t.busy = t.total - v[3] - v[4];
  return t;
}
double loadAverage1m() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}
int runnableTasks() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c, running;
  in >> a >> b >> c >> running;
  return running.empty() ? 0 : std::atoi(running.c_str());
}
constexpr double kContendedOthers = 0.5;
/// Below 4 samples (2 s) one sample with a passing kernel thread would flag a point: too short to tell.
constexpr int kContendedMinSamples = 4;

/// Running threads ('R') of the processes in process group `pgid` (the worker and what it started).
int groupRunningThreads(pid_t pgid) {
  int running = 0;
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string name = proc.path().filename().string();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    auto fields = [](const fs::path& stat) {  // state and pgrp: the 1st and 3rd fields after the command's ')'
      std::ifstream in(stat);
      std::string line;
      std::getline(in, line);
      const auto close = line.rfind(')');
      std::istringstream rest(close == std::string::npos ? std::string() : line.substr(close + 1));
      char state = 0;
      long ppid = 0, pgrp = -1;
      rest >> state >> ppid >> pgrp;
      return std::make_pair(state, pgrp);
    };
    if (fields(proc.path() / "stat").second != pgid) continue;
    for (const auto& task : fs::directory_iterator(proc.path() / "task", ec)) running += fields(task.path() / "stat").first == 'R';
  }
  return running;
}

struct LoadWatch {
  double load0 = loadAverage1m();
  CpuTimes cpu0 = readCpuTimes();
  double othersSum = 0, ownSum = 0;
  int samples = 0;
  void sample(pid_t worker) {
    const int all = runnableTasks();
    const int own = groupRunningThreads(worker);
    othersSum += std::max(0, all - own - 1);  // less the reader itself
    ownSum += own;
    ++samples;
  }
  Json finish(const struct rusage& ru, double wallS) const {
    const CpuTimes cpu1 = readCpuTimes();
    const double dt = cpu1.total - cpu0.total;
    const double steal = dt > 0 ? (cpu1.steal - cpu0.steal) / dt : 0;
    const long nivcsw = ru.ru_nivcsw;
    const double rate = wallS > 0 ? static_cast<double>(nivcsw) / wallS : 0;
    const double others = samples ? othersSum / samples : 0.0;
    std::string why;
    if (others >= kContendedOthers && samples >= kContendedMinSamples) {
      char text[96];
      std::snprintf(text, sizeof text, "%.1f other tasks runnable on average", others);
      why = text;
    }
    if (steal > 0.05) why += std::string(why.empty() ? "" : "; ") + "CPU steal " + std::to_string(static_cast<int>(100 * steal)) + " %";
    Json j = {{"cpus", std::thread::hardware_concurrency()},
              {"loadavg_1m_start", load0},
              {"loadavg_1m_end", loadAverage1m()},
              {"other_runnable_tasks_mean", others},
              {"own_running_threads_mean", samples ? ownSum / samples : 0.0},
              {"samples", samples},
              {"involuntary_switches", nivcsw},
              {"voluntary_switches", ru.ru_nvcsw},
              {"involuntary_switches_per_s", rate},
              {"worker_cpu_s", ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)},
              {"worker_system_cpu_s", ru.ru_stime.tv_sec + 1e-6 * ru.ru_stime.tv_usec},
              {"steal_fraction", steal},
              {"contended", !why.empty()}};
    if (!why.empty()) j["why"] = why;
    return j;
  }
};

/// The scratch and work folders that killed runs and workers left (their owner locks died with
/// them): under the temp folder, and under the points' --work-dir.
void reclaimWorkFolders(const std::vector<Point>& points) {
  std::set<std::string> roots{""};
  for (const Point& p : points) roots.insert(optionText(p.engineOptions, "work_dir"));
  for (const std::string& root : roots) reclaimStaleScratch(root);
}

/// The kernel's out-of-memory kill count after a point. The fault injection kill-above
/// (MLFFB_WORKER_FAULT, the runner's own tests) stands in for the out-of-memory killer: the worker
/// leaves RESULT.oom-kill before it kills itself, and that counts as one kill.
OomKillCount oomKillsAfter(const std::string& resultFile, OomKillCount& before) {
  std::error_code ec;
  if (fs::remove(resultFile + ".oom-kill", ec)) {
    before = {0, "MLFFB_WORKER_FAULT"};
    return {1, "MLFFB_WORKER_FAULT=kill-above, standing in for the kernel's count"};
  }
  return readOomKillCount();
}

struct WorkerOutcome {
  Json record;
  bool interrupted = false;
};

/// `timeoutWhat` names the limit in a timed-out record ("point timeout", or a size search's time budget).
WorkerOutcome runWorker(const std::string& exe, const Point& point, const fs::path& scratch, double timeout,
                        const std::string& timeoutWhat = "point timeout", Progress* progress = nullptr) {
  const std::string pointFile = (scratch / "point.json").string(), resultFile = (scratch / "result.json").string();
  const std::string progressFile = (scratch / "progress").string();
  std::error_code ec;
  fs::remove(resultFile, ec);
  fs::remove(resultFile + ".oom-kill", ec);
  fs::remove(progressFile, ec);
  LoadWatch load;
  writeFileAtomically(pointFile, point.toJson().dump() + "\n");
  OomKillCount oomBefore = readOomKillCount();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);                      // its own process group: programs it starts (gmx) go with it
    ::signal(SIGINT, SIG_IGN);            // the parent decides what Ctrl-C does
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // and a worker never outlives it
    ::setenv(kProgressEnv, progressFile.c_str(), 1);
    ::execl(exe.c_str(), "mlff-bench", "worker", pointFile.c_str(), resultFile.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::setpgid(pid, pid);  // (both sides, whichever runs first)
  // The worker and everything it started (an engine's programs).
  auto killWorker = [pid] {
    if (::kill(-pid, SIGKILL) != 0) ::kill(pid, SIGKILL);
  };
  const auto t0 = std::chrono::steady_clock::now();
  int status = 0;
  struct rusage usage {};
  bool timedOut = false, interrupted = false;
  auto nextLook = t0;
  for (;;) {
    const pid_t r = ::wait4(pid, &status, WNOHANG, &usage);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - t0).count();
    if (now >= nextLook) {  // twice a second: the machine's runnable tasks and the point's own progress
      nextLook = now + std::chrono::milliseconds(500);
      load.sample(pid);
      if (progress) progress->detail(readPointProgress(progressFile));
    }
    if (!timedOut && !interrupted && s > timeout) {
      timedOut = true;
      killWorker();
    }
    if (gInterrupted && !interrupted && !timedOut) {
      interrupted = true;
      killWorker();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const OomKillCount oomAfter = oomKillsAfter(resultFile, oomBefore);
  if (timedOut || interrupted || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::kill(-pid, SIGKILL);  // what it started that is still there (its programs die with it, but at once)
    reclaimWorkFolders({point});  // and the work folders it could not remove
  }
  WorkerOutcome out;
  out.interrupted = interrupted;
  Json rec;
  try {
    rec = Json::parse(readFile(resultFile));  // the final record, or the one written at start
  } catch (const std::exception&) {
    rec = startedRecord(point, point.system.summary());  // nothing left behind: the point's identity
  }
  rec["id"] = point.id();
  if (timedOut) {
    rec["status"] = "timeout";
    rec["message"] = "killed after the " + std::to_string(static_cast<int>(std::ceil(timeout))) + " s " + timeoutWhat;
  } else if (WIFSIGNALED(status)) {
    const WorkerDeath death = classifyWorkerDeath(WTERMSIG(status), oomBefore, oomAfter);
    rec["status"] = death.status;
    rec["message"] = death.message;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (rec.value("message", "") == "did not finish" || !rec.contains("status")) {
      rec["status"] = "error";
      rec["message"] = "worker exited with code " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
  }
  if (!rec.contains("status")) {
    rec["status"] = "error";
    rec["message"] = "worker left no record";
  }
  const double wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rec["wall_s"] = wallS;
  if (rec["status"] == "ok" && rec.contains("measurements")) rec["measurements"]["machine_load"] = load.finish(usage, wallS);
  out.record = std::move(rec);
  return out;
}


/// The journal and records a run starts from: a fresh journal, or (--resume) those of the
/// journal or, when it is gone, of the report, checked against the plan.
JournalContents startJournal(const RunnerOptions& o, const std::string& journal, const Json& identity, bool regularOut) {
  std::error_code ec;
  const auto size = [&](const std::string& p) { return fs::exists(p, ec) ? fs::file_size(p, ec) : 0; };
  if (!o.resume) {
    if (regularOut && (fs::exists(o.reportPath, ec) || size(journal) > 0) && !o.force)
      throw UsageError(o.reportPath + ": a report is already there; continue it with --resume, or replace it with --force");
    JournalWriter::start(journal, identity, {});
    return {};
  }
  if (!regularOut) throw UsageError("--resume: " + o.reportPath + " is not a report file");
  JournalContents j = readJournal(journal, std::cerr);
  const bool fromReport = j.records.empty() && j.plan.is_null();
  if (fromReport) {
    if (!fs::exists(o.reportPath, ec))
      throw UsageError("--resume: nothing to continue: no report at " + o.reportPath + " and no journal " + journal);
    j = readReportRuns(o.reportPath, std::cerr);  // the journal is gone: the report's runs are kept
  }
  if (!j.plan.is_null()) {
    bool onlyAdditions = false;
    const auto diffs = planDifferences(j.plan, identity, onlyAdditions);
    if (!diffs.empty() && !(o.extend && onlyAdditions)) {
      std::string list;
      for (const auto& d : diffs) list += (list.empty() ? "" : "; ") + d;
      throw UsageError("--resume: " + o.reportPath + " was run with another plan: " + list +
                       (onlyAdditions ? " (add points with --extend)" : ""));
    }
  }
  // The header names the plan the journal now follows; every line already there stays.
  if (fromReport)
    JournalWriter::start(journal, identity, j.records);
  else
    JournalWriter::keepWithHeader(journal, identity);
  return j;
}

}  // namespace

int runSuite(const std::vector<Point>& planIn, const Json& suiteIn, const RunnerOptions& o) {
  const std::string exe = selfExe();
  const fs::path out(o.reportPath);
  const bool regularOut = isRegularOrAbsent(o.reportPath);
  requireFileOutput(o.reportPath, true);  // a file name, not a folder (a report there: startJournal)
  const OutputFolder outFolder(regularOut ? (out.has_parent_path() ? out.parent_path().string() : ".") : "");
  // Scratch folders of runs and workers killed before (their owner locks are free) go first.
  reclaimWorkFolders(planIn);
  const ScratchDir scratchDir = ScratchDir::create("mlff-bench-");
  const fs::path scratch(scratchDir.path());

  // A report written to a FIFO or a device (/dev/stdout) keeps its journal and lock in the scratch
  // folder and is written once, at the end.
  // Lock and journal lie beside the file the report path resolves to: two runs through two links
  // to one report share them.
  const std::string base = regularOut ? resolveSymlinks(o.reportPath) : (scratch / "report.json").string();
  const std::string journal = journalPath(base);
  ReportLock lock(regularOut ? o.reportPath : base, o.command);
  const Json identity = planIdentity(suiteIn, planIn);
  JournalContents start = startJournal(o, journal, identity, regularOut);
  // A fresh journal goes again if the report cannot be started (a full disk): a later run would
  // otherwise find "a report already there" with nothing in it.
  struct FreshJournal {
    std::string path;
    ~FreshJournal() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } freshJournal{o.resume ? "" : journal};
  std::vector<Json> records = std::move(start.records);
  std::set<std::string> finished;
  for (const auto& r : records) finished.insert(r.value("id", ""));

  Json suite = suiteIn;
  suite["plan_identity"] = identity;
  if (start.skippedLines) suite["journal_lines_skipped"] = start.skippedLines;
  ReportWriter report(o.reportPath, suite, !regularOut);
  freshJournal.path.clear();
  report.setRuns(records);
  JournalWriter journalOut(journal);

  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);

  size_t already = 0;
  for (const auto& p : planIn) already += finished.count(p.id());
  std::ostream& say = regularOut ? std::cout : std::cerr;  // stdout may be the report itself
  const int sayFd = regularOut ? STDOUT_FILENO : STDERR_FILENO;
  Progress progress(o.search ? 0 : planIn.size(), already, say, sayFd);  // a search's probe count is not known ahead
  if (already) say << "resuming: " << already << " of " << planIn.size() << " points already in " << journal << "\n";
  std::map<std::string, const Point*> byId;
  for (const Point& p : planIn) byId[p.id()] = &p;
  // The ETA: each point still to run at its prediction (within its budget; a point predicted past
  // it costs nothing), or at the mean wall time of the points run so far; unknown before any ran.
  auto remainingSeconds = [&](const Point& current) {
    double sum = 0, meanWall = 0;
    int walls = 0;
    for (const Json& r : records)
      if (r.contains("wall_s")) {
        meanWall += r["wall_s"].get<double>();
        ++walls;
      }
    if (!walls || o.search) return -1.0;
    meanWall /= walls;
    bool from = false;
    for (const Point& q : planIn) {
      if (!from && &q != &current) continue;
      from = true;
      if (finished.count(q.id()) || !q.skipReason.empty()) continue;
      const std::optional<Prediction> pr = predictWall(q, records, byId);
      double t = pr ? pr->seconds : meanWall;
      if (o.pointBudgetSeconds > 0 && t > o.pointBudgetSeconds) t = pr ? 0.0 : o.pointBudgetSeconds;
      sum += t;
    }
    return sum;
  };
  // One point: its record (from the journal when it already ran), or nothing when interrupted.
  // timeoutSeconds: this point's limit (a size search's remaining time can shorten it).
  auto runOne = [&](const Point& p, int searchSize, double timeoutSeconds, const std::string& timeoutWhat) -> std::optional<Json> {
    if (finished.count(p.id())) {
      for (const auto& r : records)
        if (r.value("id", "") == p.id()) return r;
    }
    progress.start(p.id(), remainingSeconds(p));
    const auto t0 = std::chrono::steady_clock::now();
    WorkerOutcome w;
    // The point's budget: skipped when its series predicts it past the budget; a predicted point
    // that runs far past its prediction is stopped at kBudgetKillFactor × the budget.
    // (A size search has its own time budget, --search-time: its probes are not predicted.)
    const std::optional<Prediction> predicted = o.pointBudgetSeconds > 0 && !o.search ? predictWall(p, records, byId) : std::nullopt;
    const bool overBudget = predicted && predicted->seconds > o.pointBudgetSeconds;
    // A smaller point of the series already went past the budget (predicted or run): so does this one.
    const std::string pastBudget = o.pointBudgetSeconds > 0 && !o.search ? smallerPastBudget(p, records, byId) : "";
    if (!p.skipReason.empty()) {
      w.record = skippedRecord(p);  // the planner knows it cannot run here: no worker
    } else if (!pastBudget.empty()) {
      Point q = p;
      q.skipReason = "its series' " + pastBudget + " already went past the " + std::to_string(static_cast<long>(o.pointBudgetSeconds)) +
                     " s point budget (--point-budget)";
      w.record = skippedRecord(q);
    } else if (overBudget) {
      Point q = p;
      q.skipReason = describePrediction(*predicted) + ", over the " + std::to_string(static_cast<long>(o.pointBudgetSeconds)) + " s point budget (--point-budget)";
      w.record = skippedRecord(q);
      w.record["prediction"] = predicted->toJson(o.pointBudgetSeconds);
    } else {
      const double guard = predicted ? std::min(timeoutSeconds, kBudgetKillFactor * o.pointBudgetSeconds) : timeoutSeconds;
      w = runWorker(exe, p, scratch, guard, guard < timeoutSeconds ? "guard of " + std::to_string(static_cast<int>(kBudgetKillFactor)) + " × the point budget" : timeoutWhat,
                    &progress);
      if (w.interrupted) return std::nullopt;
      if (predicted) {
        w.record["prediction"] = predicted->toJson(o.pointBudgetSeconds);
        if (w.record.value("status", "") == "timeout" && guard < timeoutSeconds) {
          // Past its budget: a limit of this suite, not a failure of the point.
          setStatus(w.record, "skipped", "ran past " + std::to_string(static_cast<int>(kBudgetKillFactor)) + " × its " +
                                              std::to_string(static_cast<long>(o.pointBudgetSeconds)) + " s budget (stopped at " +
                                              std::to_string(static_cast<long>(guard)) + " s; " + describePrediction(*predicted) + ")");
        }
      }
    }
    if (searchSize > 0) w.record["search_size"] = searchSize;
    journalOut.append(w.record);
    records.push_back(w.record);
    finished.insert(p.id());
    report.addRun(w.record);
    progress.finish(w.record, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return w.record;
  };
  for (const Point& base : planIn) {
    if (gInterrupted) break;
    if (!o.search) {
      if (!finished.count(base.id()) && !runOne(base, 0, o.timeoutSeconds, "point timeout")) break;
      continue;
    }
    // A size search: probes of this point at the sizes nextProbeSize picks from those so far.
    std::vector<Probe> probes;
    bool stopped = false;
    const auto seriesStart = std::chrono::steady_clock::now();
    while (const std::optional<int> size = nextProbeSize(*o.search, probes)) {
      Point p = base;
      p.system.size = *size;
      double limit = o.timeoutSeconds;
      std::string limitWhat = "point timeout";
      if (o.search->timeSeconds > 0 && !finished.count(p.id())) {
        const double left = o.search->timeSeconds - std::chrono::duration<double>(std::chrono::steady_clock::now() - seriesStart).count();
        if (left <= 0) break;  // the series' budget is spent: the report marks the search incomplete
        if (left < limit) {
          limit = left;
          limitWhat = "left of the search's time budget (--search-time)";
        }
      }
      const std::optional<Json> rec = runOne(p, *size, limit, limitWhat);
      if (!rec) {
        stopped = true;
        break;
      }
      if (rec->value("status", "") == "skipped") break;  // cannot run here at any size
      if (rec->value("status", "") == "killed") break;   // says nothing of the bound: the series stops, incomplete
      probes.push_back({*size, rec->value("status", "") == "ok"});
    }
    if (stopped || gInterrupted) break;
  }
  report.finish();
  size_t failed = 0, skipped = 0;
  for (const auto& r : records) {
    const std::string st = r.value("status", "");
    // In a size search an out-of-memory or timeout is the bound being measured, not a failure.
    failed += st == "error" || st == "killed" || (!o.search && (st == "timeout" || st == "oom"));
    skipped += st == "skipped";
  }
  if (gInterrupted) {
    if (::isatty(sayFd)) say << "\r\033[K";
    say << "interrupted: " << finished.size() << " of " << planIn.size() << " points recorded in " << o.reportPath
              << "\nresume with: " << o.resumeCommand << "\n";
    say.flush();
    return 128 + gInterrupted;
  }
  if (o.search)
    for (const Json& series : maxSizeSeries(report.document()["runs"], *o.search)) {
      say << "largest " << series.value("system_kind", "") << " system for " << series.value("series", "") << ": ";
      if (series.contains("largest_ok")) say << series["largest_ok"]["atoms"].get<long>() << " atoms";
      else say << "none";
      if (series.contains("smallest_failed"))
        say << " (" << series["smallest_failed"]["atoms"].get<long>() << " atoms: " << series["smallest_failed"].value("status", "") << ")";
      else if (series.contains("skipped")) say << " (skipped: " << series.value("skipped", "") << ")";
      else if (series.value("complete", false)) say << " (the search limit)";
      if (series.contains("complete") && !series["complete"].get<bool>()) say << "; search incomplete (its time budget)";
      say << "\n";
    }
  say << "report: " << o.reportPath << " (" << records.size() << " runs: " << records.size() - failed - skipped << " ok, "
            << skipped << " skipped, " << failed << " failed)\n";
  if (failed) std::cerr << "mlff-bench: error: " << failed << " of " << records.size() << " points failed (see " << o.reportPath << ")\n";
  return failed ? 1 : 0;
}

int workerMain(const std::string& pointFile, const std::string& resultFile) {
  const Point p = Point::fromJson(Json::parse(readFile(pointFile)));
  // The system is built once, here; a record naming the point and its system is left first, so
  // a crash still identifies it.
  System system;
  try {
    system = p.system.build();
  } catch (const std::exception& e) {
    Json rec = startedRecord(p, p.system.summary());
    setStatus(rec, "error", e.what());
    writeFileAtomically(resultFile, rec.dump() + "\n");
    return 0;
  }
  writeFileAtomically(resultFile, startedRecord(p, systemRecord(system, p.system.kind == "file" ? p.system.path : "")).dump() + "\n");
  // Fault injection (after the started record, like a crash inside a model) for the runner's own tests: MLFFB_WORKER_FAULT=segv:TEXT or hang:TEXT acts
  // on the points whose id contains TEXT; kill-above:N kills a worker whose system has more than N atoms, as the
  // out-of-memory killer would.
  if (const char* f = std::getenv("MLFFB_WORKER_FAULT")) {
    const std::string spec(f);
    const auto colon = spec.find(':');
    if (spec.rfind("kill-above:", 0) == 0 && system.size() > std::stoul(spec.substr(colon + 1))) {
      std::ofstream(resultFile + ".oom-kill") << "1\n";  // the kernel's count, as the runner reads it (oomKillsAfter)
      ::raise(SIGKILL);
    }
    if (colon != std::string::npos && p.id().find(spec.substr(colon + 1)) != std::string::npos) {
      if (spec.rfind("segv", 0) == 0) ::raise(SIGSEGV);
      if (spec.rfind("hang", 0) == 0)
        for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  const Json rec = runPoint(p, system);
  writeFileAtomically(resultFile, rec.dump() + "\n");
  return 0;
}

}  // namespace mlffb
