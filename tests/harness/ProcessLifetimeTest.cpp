// Nothing outlives a killed run. For every engine (native, openmm, gromacs, lammps; each skipped
// with the planner's reason where it is not built or installed), SIGKILL of `mlff-bench run` or of
// its worker in the middle of an MD point (or the runner's --timeout) leaves no process of the run
// (the worker, gmx, mpirun, the LAMMPS ranks: every process carrying the test's environment tag is
// polled for), and no work folder: the runner reclaims a killed worker's folders at once, and the
// next run those of a killed run. Also: the scratch folders' owner locks, and the status of a worker killed by a
// signal (`oom` only on the kernel's count of out-of-memory kills, else `killed`).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "core/ScratchDir.hpp"
#include "harness/Json.hpp"
#include "harness/SizeSearch.hpp"
#include "harness/WorkerDeath.hpp"
#include "systems/AtomicFile.hpp"
#include "tests/TestUtil.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {

struct TaggedProcess {
  pid_t pid = 0;
  std::string comm;
  std::vector<std::string> argv;
};

std::string slurpProc(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> splitNul(const std::string& s) {
  std::vector<std::string> parts;
  std::string part;
  for (std::istringstream in(s); std::getline(in, part, '\0');) parts.push_back(part);
  return parts;
}

/// The live processes (zombies are dead) whose environment holds MLFFB_TEST_TAG=`tag`: whatever
/// the run started, however deep and whoever its parent is now.
std::vector<TaggedProcess> tagged(const std::string& tag) {
  std::vector<TaggedProcess> found;
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::vector<std::string> env = splitNul(slurpProc(it->path() / "environ"));
    if (std::find(env.begin(), env.end(), "MLFFB_TEST_TAG=" + tag) == env.end()) continue;
    const std::string stat = slurpProc(it->path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z') continue;
    found.push_back({static_cast<pid_t>(std::stol(name)), stat.substr(stat.find('(') + 1, close - stat.find('(') - 1),
                     splitNul(slurpProc(it->path() / "cmdline"))});
  }
  return found;
}

bool waitFor(const std::function<bool()>& done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

/// The folders directly under `dir`.
std::vector<std::string> foldersIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  return out;
}

std::string describe(const std::vector<TaggedProcess>& ps) {
  std::ostringstream s;
  for (const auto& p : ps) s << " " << p.pid << ":" << p.comm;
  return ps.empty() ? " (none)" : s.str();
}

/// One engine's MD point, long enough to be mid-run when killed; `ready` says it is (its
/// programs are running).
struct EnginePoint {
  std::string args;
  std::function<bool(const std::vector<TaggedProcess>&, const std::string& tmpdir)> ready;
};

bool hasWorker(const std::vector<TaggedProcess>& ps) {
  return std::any_of(ps.begin(), ps.end(), [](const TaggedProcess& p) { return p.argv.size() > 1 && p.argv[1] == "worker"; });
}

/// The runner's scratch folder under TMPDIR holds the worker's started record.
bool startedRecordWritten(const std::vector<TaggedProcess>& ps, const std::string& tmpdir) {
  for (const auto& e : fs::directory_iterator(tmpdir))
    if (e.path().filename().string().rfind("mlff-bench-", 0) == 0 && fs::exists(e.path() / "result.json")) return hasWorker(ps);
  return false;
}

EnginePoint enginePoint(const std::string& engine) {
  const std::string common = "--systems polyala --sizes 3 --model ani2x --flavor native --device cpu --mode md --steps 200000 --warmup-steps 0 ";
  const std::string mlff = "--weights random --minimize-steps 0 ";
  auto count = [](const std::vector<TaggedProcess>& ps, const std::function<bool(const TaggedProcess&)>& f) {
    return std::count_if(ps.begin(), ps.end(), f);
  };
  if (engine == "lammps")
    return {common + mlff + "--engine lammps --ranks 2",
            [=](const auto& ps, const std::string&) { return count(ps, [](const TaggedProcess& p) { return p.comm == "mlff-bench-lamm"; }) == 2; }};
  if (engine == "gromacs")
    return {common + "--minimize-steps 0 --engine gromacs --configuration cff --threads 1", [=](const auto& ps, const std::string&) {
              return count(ps, [](const TaggedProcess& p) { return std::find(p.argv.begin(), p.argv.end(), "mdrun") != p.argv.end(); }) > 0;
            }};
  // In-process engines: the worker is past its started record (the system is built, the engine runs).
  return {common + mlff + "--engine " + engine + (engine == "openmm" ? " --configuration mlff" : ""), startedRecordWritten};
}

/// Runs `mlff-bench run` on `engine`'s point in the background in a fresh temp folder (TMPDIR),
/// kills `victim` ("run" or "worker") with SIGKILL once the point is mid-run, or ("timeout") lets
/// the runner's --timeout kill it, and checks that no process of the run survives and no work
/// folder stays.
void killMidRun(const std::string& engine, const std::string& victim) {
  EnginePoint point = enginePoint(engine);
  if (victim == "timeout") point.args += " --timeout 5";
  const std::string bin = MLFFB_BINARY;
  const auto plan = test::runShell(bin + " run " + point.args + " --plan 2>&1");
  ASSERT_EQ(plan.exitCode, 0) << plan.out;
  if (const auto at = plan.out.find("skipped: "); at != std::string::npos)
    GTEST_SKIP() << plan.out.substr(at, plan.out.find('\n', at) - at);
  const std::string dir = test::freshTempDir("lifetime-" + engine + "-" + victim);
  const std::string tag = "lifetime-" + engine + "-" + victim + "-" + std::to_string(::getpid());
  const std::string env = "MLFFB_TEST_TAG=" + tag + " TMPDIR=" + dir + " ";
  const auto started = test::runShell("cd " + dir + " && " + env + "exec " + bin + " run " + point.args + " --out " + dir +
                                      "/r.json >" + dir + "/out.txt 2>&1 </dev/null & echo $!");
  const pid_t run = static_cast<pid_t>(std::stol(started.out));
  std::vector<TaggedProcess> seen;
  // A timed-out point is killed wherever it is (200000 steps never finish in 5 s): the worker has started.
  const bool ready = waitFor([&] { return victim == "timeout" ? hasWorker(seen = tagged(tag)) : point.ready(seen = tagged(tag), dir); }, 120);
  for (const auto& p : victim == "timeout" ? std::vector<TaggedProcess>{} : seen)
    if (victim == "run" ? p.pid == run : p.argv.size() > 1 && p.argv[1] == "worker") ::kill(p.pid, SIGKILL);
  const bool gone = waitFor([&] { return tagged(tag).empty(); }, victim == "timeout" ? 60 : 30);
  const auto survivors = tagged(tag);
  for (const auto& p : survivors) ::kill(p.pid, SIGKILL);  // never left to the next test
  ASSERT_TRUE(ready) << engine << ": the point never got going; processes:" << describe(seen) << "\n" << test::runShell("cat " + dir + "/out.txt").out;
  EXPECT_TRUE(gone) << engine << ": outlived SIGKILL of the " << victim << ":" << describe(survivors) << " (running then:" << describe(seen) << ")";
  if (victim != "run") {
    const Json run1 = Json::parse(readFile(dir + "/r.json"))["runs"][0];
    EXPECT_EQ(run1["status"], victim == "worker" ? "killed" : "timeout") << run1.dump();
  } else {
    // Nobody was left to clean up: the next run in the same temp folder reclaims what the killed
    // one left (a point skipped at plan time is enough: no worker).
    const auto next = test::runShell(env + bin + " run --systems polyala --sizes 3 --model ani2x --engine gromacs --configuration cff --gmx /nonexistent/gmx"
                                     " --mode md --out " + dir + "/next.json 2>&1");
    EXPECT_EQ(next.exitCode, 0) << next.out;
  }
  EXPECT_EQ(foldersIn(dir), std::vector<std::string>{}) << engine << ": work folders left after SIGKILL of the " << victim;
  fs::remove_all(dir);
}

}  // namespace

TEST(ProcessLifetime, NativeKilledRunLeavesNothing) { killMidRun("native", "run"); }
TEST(ProcessLifetime, NativeKilledWorkerLeavesNothing) { killMidRun("native", "worker"); }
TEST(ProcessLifetime, OpenMMKilledRunLeavesNothing) { killMidRun("openmm", "run"); }
TEST(ProcessLifetime, OpenMMKilledWorkerLeavesNothing) { killMidRun("openmm", "worker"); }
TEST(ProcessLifetime, GromacsKilledRunLeavesNothing) { killMidRun("gromacs", "run"); }
TEST(ProcessLifetime, GromacsKilledWorkerLeavesNothing) { killMidRun("gromacs", "worker"); }
TEST(ProcessLifetime, LammpsKilledRunLeavesNothing) { killMidRun("lammps", "run"); }
TEST(ProcessLifetime, LammpsKilledWorkerLeavesNothing) { killMidRun("lammps", "worker"); }
TEST(ProcessLifetime, GromacsTimedOutPointLeavesNothing) { killMidRun("gromacs", "timeout"); }
TEST(ProcessLifetime, LammpsTimedOutPointLeavesNothing) { killMidRun("lammps", "timeout"); }

// A scratch folder goes with its owner; one whose owner died (its lock is free) is reclaimed,
// a live owner's and a kept one are not.
TEST(ProcessLifetime, ScratchFoldersAreReclaimedOnlyWhenTheirOwnerIsGone) {
  const std::string root = test::freshTempDir("scratch-reclaim");
  std::string gone;
  {
    ScratchDir d = ScratchDir::create("mlffb-test-", root);
    gone = d.path();
    EXPECT_TRUE(fs::exists(fs::path(gone) / kScratchLockName));
  }
  EXPECT_FALSE(fs::exists(gone));
  const ScratchDir live = ScratchDir::create("mlffb-test-", root);
  ScratchDir kept = ScratchDir::create("mlff-bench-", root);
  kept.keep();
  // A dead owner: a child that made one and died without cleaning up.
  const pid_t child = ::fork();
  if (child == 0) {
    ScratchDir orphan = ScratchDir::create("mlffb-orphan-", root);
    ::_exit(0);  // no destructor: as if killed
  }
  ASSERT_GT(child, 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(foldersIn(root).size(), 3u);
  const auto removed = reclaimStaleScratch(root);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_NE(removed[0].find("mlffb-orphan-"), std::string::npos);
  EXPECT_TRUE(fs::exists(live.path()));
  EXPECT_TRUE(fs::exists(kept.path()));
  EXPECT_THROW(ScratchDir::create("other-", root), std::invalid_argument);
  fs::remove_all(root);
}

// The status of a worker killed by a signal, on injected counts of the kernel's OOM kills.
TEST(ProcessLifetime, OomOnlyWhenTheKernelCountedAnOomKill) {
  const OomKillCount before{3, "/sys/fs/cgroup/memory/x/memory.oom_control"}, grew{4, before.source}, same{3, before.source}, unknown{};
  const WorkerDeath oom = classifyWorkerDeath(SIGKILL, before, grew);
  EXPECT_EQ(oom.status, "oom");
  EXPECT_NE(oom.message.find("out-of-memory killer (/sys/fs/cgroup/memory/x/memory.oom_control: oom_kill 3 → 4"), std::string::npos) << oom.message;
  const WorkerDeath byHand = classifyWorkerDeath(SIGKILL, before, same);
  EXPECT_EQ(byHand.status, "killed");
  EXPECT_NE(byHand.message.find("SIGKILL (Killed), not by the out-of-memory killer"), std::string::npos) << byHand.message;
  const WorkerDeath blind = classifyWorkerDeath(SIGKILL, unknown, unknown);
  EXPECT_EQ(blind.status, "killed");
  EXPECT_NE(blind.message.find("cannot be read"), std::string::npos) << blind.message;
  EXPECT_EQ(classifyWorkerDeath(SIGTERM, before, grew).status, "killed");  // only SIGKILL is the OOM killer's
  EXPECT_EQ(classifyWorkerDeath(SIGSEGV, before, same).status, "error");
  EXPECT_EQ(classifyWorkerDeath(SIGABRT, before, same).message, "worker killed by SIGABRT (Aborted)");
  EXPECT_GE(readOomKillCount().kills, 0) << "no OOM-kill count readable on this machine";
}

// In a size search a probe killed from outside (`killed`) bounds nothing: no smallest failure,
// and the series is incomplete (an `oom` at the same size is the bound).
TEST(ProcessLifetime, AKilledProbeSetsNoBoundInASizeSearch) {
  auto probe = [](int size, const std::string& status) {
    return Json{{"id", "random-" + std::to_string(size) + "/ani2x/native/mlff/single-point/cpu/float32"},
                {"search_size", size},
                {"status", status},
                {"message", status == "ok" ? "" : "worker killed by SIGKILL (Killed)"},
                {"model", {{"name", "ani2x"}, {"flavor", "native"}}},
                {"system", {{"atoms", size}}}};
  };
  const SizeSearch search{200, 1000, 0.05, 0};
  const Json killed = maxSizeSeries(Json::array({probe(200, "ok"), probe(400, "killed")}), search)[0];
  EXPECT_EQ(killed["largest_ok"]["atoms"], 200);
  EXPECT_FALSE(killed.contains("smallest_failed")) << killed.dump();
  EXPECT_FALSE(killed["complete"].get<bool>());
  const Json oom = maxSizeSeries(Json::array({probe(200, "ok"), probe(400, "oom")}), search)[0];
  EXPECT_EQ(oom["smallest_failed"]["atoms"], 400);
}
