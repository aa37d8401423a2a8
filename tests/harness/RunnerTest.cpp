// The crash-proof runner: kill -9 then --resume runs every point exactly once; a worker that
// segfaults or hangs is recorded and the suite completes; Ctrl-C stops cleanly with a resume hint.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "../TestUtil.hpp"
#include "harness/Json.hpp"
#include "harness/Budget.hpp"
#include "harness/SizeSearch.hpp"
#include "systems/AtomicFile.hpp"

using namespace mlffb;
using test::runCli;

namespace {
const std::string kSuite =
    "run --suite polyala --sizes 3,4,5,6 --model ani2x --flavor native --mode single-point --repeat 1 --warmup 0 ";

/// Run records in a journal (its first line is the plan header).
size_t journalLines(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) n += !line.empty() && line.find("\"mlff_bench_journal\"") == std::string::npos;
  return n;
}

bool waitFor(const std::function<bool()>& cond, double seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < seconds) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::map<std::string, Json> runsById(const std::string& report) {
  std::map<std::string, Json> out;
  const Json doc = Json::parse(readFile(report));
  for (const auto& r : doc["runs"]) {
    EXPECT_EQ(out.count(r["id"]), 0u) << "duplicate " << r["id"];
    out[r["id"]] = r;
  }
  return out;
}
}  // namespace

TEST(Runner, KillNineThenResumeRunsEveryPointExactlyOnce) {
  const std::string dir = test::freshTempDir("runner-kill");
  const std::string report = dir + "/r.json";
  // Hang the third point so the kill lands in the middle of the suite.
  const auto bg = test::runShell("MLFFB_WORKER_FAULT=hang:polyala-5/ " + std::string(MLFFB_BINARY) + " " + kSuite + "--out " + report +
                                 " > " + dir + "/log 2>&1 & echo $!");
  const std::string pid = bg.out.substr(0, bg.out.find('\n'));
  ASSERT_FALSE(pid.empty());
  ASSERT_TRUE(waitFor([&] { return journalLines(report + ".runs.jsonl") >= 2; }, 60)) << readFile(dir + "/log");
  std::string worker;
  ASSERT_TRUE(waitFor([&] {
    worker = test::runShell("pgrep -P " + pid).out;
    return !worker.empty();
  }, 10));
  worker = worker.substr(0, worker.find('\n'));
  test::runShell("kill -9 " + pid);
  ASSERT_TRUE(waitFor([&] { return test::runShell("kill -0 " + pid).exitCode != 0; }, 10));
  EXPECT_EQ(runsById(report).size(), 2u);
  // The hanging worker died with its parent.
  EXPECT_TRUE(waitFor([&] { return test::runShell("kill -0 " + worker).exitCode != 0; }, 10)) << "worker " << worker;
  auto r = runCli(kSuite + "--out " + report + " --resume");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("resuming: 2 of 4 points"), std::string::npos) << "out: " << r.out << "\nerr: " << r.err;
  const auto runs = runsById(report);
  ASSERT_EQ(runs.size(), 4u);
  for (const auto& [id, rec] : runs) EXPECT_EQ(rec["status"], "ok") << id << " " << rec["message"];
  EXPECT_EQ(journalLines(report + ".runs.jsonl"), 4u);
}

TEST(Runner, CrashingAndHangingWorkersAreRecordedAndTheSuiteCompletes) {
  const std::string dir = test::freshTempDir("runner-faults");
  // The suite completes and says, by its exit code, that a point failed.
  auto seg = test::runShell("MLFFB_WORKER_FAULT=segv:polyala-4/ " + std::string(MLFFB_BINARY) + " " + kSuite + "--out " + dir + "/s.json");
  ASSERT_EQ(seg.exitCode, 1) << seg.err;
  EXPECT_NE(seg.err.find("1 of 4 points failed"), std::string::npos) << seg.err;
  auto runs = runsById(dir + "/s.json");
  ASSERT_EQ(runs.size(), 4u);
  const Json& crashed = runs.at("polyala-4/ani2x/native/mlff/single-point/cpu/float32");
  EXPECT_EQ(crashed["status"], "error");
  EXPECT_NE(crashed["message"].get<std::string>().find("SIGSEGV"), std::string::npos) << crashed["message"];
  EXPECT_EQ(crashed["system"]["atoms"], 43);  // the record still names the point's system
  EXPECT_EQ(runs.at("polyala-6/ani2x/native/mlff/single-point/cpu/float32")["status"], "ok");

  auto hang = test::runShell("MLFFB_WORKER_FAULT=hang:polyala-4/ " + std::string(MLFFB_BINARY) + " " + kSuite + "--timeout 6 --out " +
                             dir + "/h.json");
  ASSERT_EQ(hang.exitCode, 1) << hang.err;
  runs = runsById(dir + "/h.json");
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs.at("polyala-4/ani2x/native/mlff/single-point/cpu/float32")["status"], "timeout");
  EXPECT_EQ(runs.at("polyala-5/ani2x/native/mlff/single-point/cpu/float32")["status"], "ok");
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json " + dir + "/s.json " + dir +
                                "/h.json");
  EXPECT_EQ(v.exitCode, 0) << v.out;
}

TEST(Runner, CtrlCStopsCleanlyAndSaysHowToResume) {
  const std::string dir = test::freshTempDir("runner-int");
  const std::string report = dir + "/r.json";
  const auto bg = test::runShell("MLFFB_WORKER_FAULT=hang:polyala-4/ " + std::string(MLFFB_BINARY) + " " + kSuite + "--out " + report +
                                 " > " + dir + "/log 2>&1 & echo $!");
  const std::string pid = bg.out.substr(0, bg.out.find('\n'));
  ASSERT_TRUE(waitFor([&] { return journalLines(report + ".runs.jsonl") >= 1; }, 60)) << readFile(dir + "/log");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  test::runShell("kill -INT " + pid);
  ASSERT_TRUE(waitFor([&] { return test::runShell("kill -0 " + pid).exitCode != 0; }, 10));
  const std::string log = readFile(dir + "/log");
  EXPECT_NE(log.find("interrupted: 1 of 4 points recorded"), std::string::npos) << log;
  EXPECT_NE(log.find("resume with: mlff-bench run --suite polyala"), std::string::npos) << log;
  EXPECT_NE(log.find("--resume"), std::string::npos) << log;
  EXPECT_EQ(runsById(report).size(), 1u);
}

TEST(Runner, PlanPrintsEveryPointWithoutRunning) {
  auto r = runCli("run --suite neighbors --quick --model ani2x --flavor native --plan");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("suite neighbors: 3 points"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("random-2000-n50/ani2x/native/mlff/single-point/cpu/float32"), std::string::npos) << r.out;
  // An engine named on the command line gets every configuration, skipped with the reason where
  // it cannot run it; the suite's own engines are paired only with configurations they run.
  auto p = runCli("run --suite polyala --plan --sizes 10 --configuration mlff,cml --mode md --model ani2x --engine native");
  EXPECT_NE(p.out.find("polyala-10/ani2x/native/native/cml/md/cpu/float32  skipped: engine native runs configuration mlff only"),
            std::string::npos) << p.out;
  auto q = runCli("run --suite polyala --plan --sizes 10 --configuration mlff,cml --mode md --model ani2x");
  EXPECT_EQ(q.out.find("/cml/"), std::string::npos) << q.out;
  EXPECT_NE(q.out.find("polyala-10/ani2x/native/native/mlff/md/cpu/float32"), std::string::npos) << q.out;
}

TEST(Runner, TermAndHangupStopLikeCtrlCWithTheirExitCodes) {
  for (const auto& [sig, code] : {std::pair{std::string("TERM"), 143}, std::pair{std::string("HUP"), 129}}) {
    SCOPED_TRACE("SIG" + sig);
    const std::string dir = test::freshTempDir("runner-" + sig);
    const std::string report = dir + "/r.json";
    test::runShell("cd " + dir + " && (MLFFB_WORKER_FAULT=hang:polyala-4/ " + std::string(MLFFB_BINARY) + " " + kSuite + "--out " + report +
                   " > log 2>&1 & echo $! > pid; wait $!; echo $? > rc) > /dev/null 2>&1 &");
    ASSERT_TRUE(waitFor([&] { return journalLines(report + ".runs.jsonl") >= 1; }, 60)) << readFile(dir + "/log");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_TRUE(waitFor([&] { return std::filesystem::exists(dir + "/pid"); }, 5));
    const std::string pid = readFile(dir + "/pid").substr(0, readFile(dir + "/pid").find('\n'));
    test::runShell("kill -" + sig + " " + pid);
    ASSERT_TRUE(waitFor([&] { return std::filesystem::exists(dir + "/rc"); }, 15));
    EXPECT_EQ(std::stoi(readFile(dir + "/rc")), code);
    const std::string log = readFile(dir + "/log");
    EXPECT_NE(log.find("interrupted: 1 of 4 points recorded"), std::string::npos) << log;
    EXPECT_NE(log.find("--resume"), std::string::npos) << log;
    EXPECT_FALSE(std::filesystem::exists(report + ".lock"));
    EXPECT_EQ(runsById(report).size(), 1u);
  }
}

TEST(SizeSearch, DoublesThenBisectsToTheBound) {
  // A device that holds up to `bound`: the probes the search asks for, and where it stops.
  auto search = [](SizeSearch s, int bound) {
    std::vector<Probe> probes;
    while (const auto n = nextProbeSize(s, probes)) {
      EXPECT_LE(*n, s.limit);
      for (const auto& p : probes) EXPECT_NE(p.size, *n) << "probed twice";
      probes.push_back({*n, *n <= bound});
      if (probes.size() > 64) break;
    }
    return probes;
  };
  for (int bound : {1, 37, 1000, 1999, 2000, 2001, 777777}) {
    const auto probes = search({1000, 10'000'000, 0.05}, bound);
    int lo = 0, hi = 0;
    for (const auto& p : probes) {
      if (p.ok) lo = std::max(lo, p.size);
      else if (!hi || p.size < hi) hi = p.size;
    }
    EXPECT_LE(lo, bound) << bound;
    EXPECT_GT(hi, bound) << bound;
    if (lo > 0) {
      EXPECT_LE(hi - lo, std::max(1.0, 0.05 * lo)) << bound;  // bracketed within the tolerance
    }
    EXPECT_LT(probes.size(), 40u) << bound;
  }
  // Everything fits: doubling stops at the limit, which is probed.
  const auto all = search({1000, 5000, 0.05}, 1 << 30);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().size, 5000);
  EXPECT_EQ(all.size(), 4u);  // 1000, 2000, 4000, 5000
}

namespace {
/// `mlff-bench run --suite max-atoms ARGS --out REPORT` on the CPU with ANI-2x native on random
/// weights, the workers of systems above `killAbove` atoms dying as if by the out-of-memory killer.
test::CommandResult maxAtomsSearch(int killAbove, const std::string& args, const std::string& report) {
  return test::runShell("MLFFB_WORKER_FAULT=kill-above:" + std::to_string(killAbove) + " " + std::string(MLFFB_BINARY) +
                        " run --suite max-atoms --device cpu --model ani2x --flavor native --weights random " + args + " --out " + report +
                        " 2>&1");
}
}  // namespace

TEST(Runner, MaxAtomsSearchFindsTheLargestSystemThatRuns) {
  const std::string dir = test::freshTempDir("runner-max-atoms");
  const std::string report = dir + "/m.json";
  // Workers of systems above 500 atoms die as if by the out-of-memory killer.
  const auto r = maxAtomsSearch(500, "--systems random --sizes 200 --search-limit 1000", report);
  ASSERT_EQ(r.exitCode, 0) << r.out;  // running out of memory is the measured bound, not a failure
  EXPECT_NE(r.out.find("largest random system for ani2x/native/mlff/single-point/cpu/float32: 500 atoms (525 atoms: oom)"),
            std::string::npos) << r.out;
  const Json doc = Json::parse(readFile(report));
  ASSERT_EQ(doc["max_size"].size(), 1u) << doc["max_size"].dump();
  const Json& s = doc["max_size"][0];
  EXPECT_EQ(s["largest_ok"]["atoms"], 500);
  EXPECT_EQ(s["smallest_failed"]["atoms"], 525);
  EXPECT_EQ(s["smallest_failed"]["status"], "oom");
  EXPECT_EQ(s["probes"], 7);  // 200, 400, 800, 600, 500, 550, 525
  EXPECT_TRUE(s["complete"].get<bool>());
  EXPECT_EQ(doc["suite"]["search"]["limit"], 1000);
  // Resumed, the search asks for nothing new.
  const auto again = maxAtomsSearch(500, "--systems random --sizes 200 --search-limit 1000 --resume", report);
  ASSERT_EQ(again.exitCode, 0) << again.out;
  EXPECT_EQ(Json::parse(readFile(report))["runs"].size(), 7u);
}

// A search with a time budget (a GPU slot's) never hangs: the probe running when the budget is
// spent is stopped and recorded as a timeout, no probe starts after it, and the report says the
// bracket is only what was reached.
TEST(Runner, MaxAtomsSearchStopsAtItsTimeBudget) {
  const std::string dir = test::freshTempDir("runner-max-atoms-time");
  const std::string report = dir + "/m.json";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = test::runShell("MLFFB_WORKER_FAULT=hang:random-800- " + std::string(MLFFB_BINARY) +
                                " run --suite max-atoms --device cpu --model ani2x --flavor native --weights random --systems random"
                                " --sizes 200 --search-limit 100000 --search-time 8 --out " + report + " 2>&1");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exitCode, 0) << r.out;  // a search stopped by its budget measured what it could: not a failure
  EXPECT_LT(seconds, 30) << r.out;
  EXPECT_NE(r.out.find("400 atoms (800 atoms: timeout); search incomplete (its time budget)"), std::string::npos) << r.out;
  const Json doc = Json::parse(readFile(report));
  EXPECT_EQ(doc["suite"]["search"]["time_s"], 8);
  ASSERT_EQ(doc["max_size"].size(), 1u) << doc["max_size"].dump();
  const Json& s = doc["max_size"][0];
  EXPECT_FALSE(s["complete"].get<bool>());
  EXPECT_EQ(s["largest_ok"]["atoms"], 400);
  EXPECT_EQ(s["smallest_failed"]["status"], "timeout");
  EXPECT_NE(s["smallest_failed"]["message"].get<std::string>().find("search's time budget"), std::string::npos) << s.dump();
  EXPECT_EQ(s["probes"], 3);  // 200, 400, 800: none after the budget
  // --search-time belongs to size searches only.
  const auto bad = test::runShell(std::string(MLFFB_BINARY) + " run --suite polyala --search-time 5 --plan 2>&1");
  EXPECT_EQ(bad.exitCode, 2) << bad.out;
  EXPECT_NE(bad.out.find("mlff-bench: error: --search-time applies to size-search suites"), std::string::npos) << bad.out;
}

TEST(Runner, MaxAtomsSearchOverReplicatedSolvatedPolyalanine) {
  const std::string dir = test::freshTempDir("runner-max-atoms-solvated");
  const std::string report = dir + "/m.json";
  // Workers of systems above 10000 atoms die as if by the out-of-memory killer. One copy of the
  // solvated 10-residue slice's box has 3484 atoms (seed 42): 1 and 2 copies run, 4 do not (3 copies
  // make no near-cubic grid).
  const auto r = maxAtomsSearch(10000, "--systems solvated --precision float64 --sizes 4000 --search-limit 20000", report);
  ASSERT_EQ(r.exitCode, 0) << r.out;
  const Json doc = Json::parse(readFile(report));
  ASSERT_EQ(doc["max_size"].size(), 1u) << doc["max_size"].dump();
  const Json& s = doc["max_size"][0];
  EXPECT_EQ(s["system_kind"], "solvated");
  int box = 0;
  for (const Json& run : doc["runs"]) {
    const Json& sys = run["system"];
    EXPECT_GT(sys.value("solvent_atoms", 0), 0) << run["id"];
    EXPECT_EQ(sys["builder"]["name"], "solvated-replicas") << run["id"];
    if (run["search_size"] == 4000) box = sys["atoms"];
    if (run["status"] == "ok") {
      const int copies = sys["atoms"].get<int>() / std::max(box, 1);
      EXPECT_EQ(sys["residues"], 10 * copies) << run["id"];  // every copy's residues count
    }
  }
  ASSERT_GT(box, 2500) << r.out;
  ASSERT_LT(box, 5000) << r.out;
  EXPECT_EQ(s["largest_ok"]["atoms"], 2 * box);
  EXPECT_EQ(s["smallest_failed"]["atoms"], 4 * box);
  EXPECT_EQ(s["smallest_failed"]["status"], "oom");
}

// Issue 29: the point budget. polyala-10's worker takes more than 0.5 s (its measured section alone
// is at least --min-time), so its series predicts polyala-20 past a 0.5 s budget: skipped, with the
// prediction in the record, and the suite still succeeds.
TEST(Runner, APointPredictedPastItsBudgetIsSkippedWithItsPrediction) {
  const std::string dir = test::freshTempDir("runner-budget");
  const std::string report = dir + "/r.json";
  const auto r = runCli("run --suite polyala --sizes 10,20 --model ani2x --flavor native --mode single-point --weights random --min-time 0.5 "
                        "--max-time 2 --point-budget 0.5 --out " + report);
  ASSERT_EQ(r.exitCode, 0) << r.err << r.out;
  auto runs = runsById(report);
  const Json& small = runs.at("polyala-10/ani2x/native/mlff/single-point/cpu/float32");
  const Json& large = runs.at("polyala-20/ani2x/native/mlff/single-point/cpu/float32");
  EXPECT_EQ(small["status"], "ok");
  EXPECT_GT(small["wall_s"].get<double>(), 0.5);
  EXPECT_EQ(large["status"], "skipped");
  EXPECT_NE(large["message"].get<std::string>().find("predicted"), std::string::npos) << large["message"];
  EXPECT_NE(large["message"].get<std::string>().find("point budget"), std::string::npos) << large["message"];
  const Json& pr = large["prediction"];
  EXPECT_DOUBLE_EQ(pr["budget_s"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(pr["exponent"].get<double>(), 1.0);  // one measured size: linear
  // Twice the part outside the sampling, plus twice the sampling but never past --max-time (2 s).
  const double sampled = small["measurements"]["timing"]["measured_s"].get<double>(), wall = small["wall_s"].get<double>();
  EXPECT_NEAR(pr["seconds"].get<double>(), 2 * (wall - sampled) + std::min(2.0, 2 * sampled), 1e-9);
  EXPECT_EQ(pr["from"][0]["id"], small["id"]);
  EXPECT_NE(r.out.find("1 ok, 1 skipped, 0 failed"), std::string::npos) << r.out;
}

// Issue 29: single points and MD sample until their criteria (MD in windows of 10 steps, ns/day per
// window, drift), and a count the user fixes is exact.
TEST(Runner, CriteriaStopPointsAndFixedCountsAreExact) {
  const std::string dir = test::freshTempDir("runner-criteria");
  const std::string common = "run --suite polyala --sizes 3 --model ani2x --flavor native --weights random --mode single-point,md --engine native "
                             "--minimize-steps 5 --warmup-steps 5 --point-budget 0 ";
  const auto a = runCli(common + "--min-samples 8 --min-time 0.2 --max-time 3 --out " + dir + "/adaptive.json");
  ASSERT_EQ(a.exitCode, 0) << a.err << a.out;
  for (const auto& [id, run] : runsById(dir + "/adaptive.json")) {
    ASSERT_EQ(run["status"], "ok") << id << run["message"];
    const Json& m = run["measurements"];
    const Json& t = m["timing"];
    EXPECT_EQ(t["criteria"]["mode"], "adaptive") << id;
    EXPECT_GE(t["samples"].get<int>(), 8) << id;
    EXPECT_GE(t["measured_s"].get<double>(), 0.2) << id;
    // Never past --max-time by more than the last sample: one evaluation, or one window of 10 MD steps
    // (the criteria are asked at window ends); 3 × the median, and at least 1 s, as one sample may be an
    // outlier (under ASan a single point's last sample overshot by 0.19 s at a 15 ms median).
    const double lastSample = std::max(1.0, (run["mode"] == "md" ? 10 : 1) * 3 * t["median_ms"].get<double>() * 1e-3);
    EXPECT_LT(t["measured_s"].get<double>(), 3.0 + lastSample) << id;
    EXPECT_TRUE(t["stopped_by"] == "criteria" || t["stopped_by"] == "max-time") << id << t;
    EXPECT_EQ(t["met"].get<bool>(), t["stopped_by"] == "criteria") << id;
    EXPECT_LE(t["ci95_ms"][0].get<double>(), t["median_ms"].get<double>());
    EXPECT_GE(t["ci95_ms"][1].get<double>(), t["median_ms"].get<double>());
    EXPECT_GT(m["throughput"]["us_per_atom_step"].get<double>(), 0) << id;
    EXPECT_GT(m["throughput"]["atom_steps_per_s"].get<double>(), 0) << id;
    EXPECT_TRUE(m["machine_load"].contains("contended")) << id;
    if (run["mode"] == "md") {
      const long steps = m["md"]["steps"].get<long>();
      EXPECT_EQ(steps % 10, 0) << id;
      EXPECT_EQ(steps / 10, t["samples"].get<long>()) << id;
      EXPECT_EQ(m["md"]["windows"]["ns_per_day"].size(), t["samples"].get<size_t>()) << id;
      EXPECT_LE(m["md"]["ns_per_day_ci95"][0].get<double>(), m["md"]["ns_per_day_ci95"][1].get<double>());
      EXPECT_TRUE(m["md"]["drift"].contains("significant") || m["md"]["drift"]["status"] == "unavailable") << m["md"]["drift"];
      EXPECT_GT(m["throughput"]["ns_per_day"].get<double>(), 0);
    } else {
      EXPECT_EQ(m["repeats"].get<int>(), t["samples"].get<int>()) << id;
    }
  }
  const auto f = runCli(common + "--repeat 3 --steps 40 --out " + dir + "/fixed.json");
  ASSERT_EQ(f.exitCode, 0) << f.err << f.out;
  for (const auto& [id, run] : runsById(dir + "/fixed.json")) {
    const Json& m = run["measurements"];
    EXPECT_EQ(m["timing"]["criteria"]["mode"], "fixed") << id;
    EXPECT_EQ(m["timing"]["stopped_by"], "fixed-count") << id;
    if (run["mode"] == "md") {
      EXPECT_EQ(m["md"]["steps"].get<long>(), 40) << id;
      EXPECT_EQ(m["timing"]["samples"].get<int>(), 4) << id;  // 4 windows of 10 steps
    } else {
      EXPECT_EQ(m["repeats"].get<int>(), 3) << id;
      EXPECT_EQ(m["timing"]["samples"].get<int>(), 3) << id;
    }
  }
  // A minimum time over the maximum is refused before anything runs.
  const auto bad = runCli(common + "--min-time 5 --max-time 1 --out " + dir + "/bad.json");
  EXPECT_EQ(bad.exitCode, 2) << bad.err;
  EXPECT_NE(bad.err.find("--min-time"), std::string::npos) << bad.err;
}

// The size prediction: a power law through the largest measured size of the series and the largest
// at most half of it (else the next smaller), its
// exponent clamped to [1, 3]; other series and failed points do not count.
TEST(Runner, PredictionScalesTheSeriesLargestPoints) {
  auto point = [](int size, const std::string& model) {
    Point p;
    p.system.kind = "polyala";
    p.system.size = size;
    p.model = model;
    p.flavor = "native";
    return p;
  };
  const std::vector<Point> plan{point(10, "ani2x"), point(20, "ani2x"), point(40, "ani2x"), point(80, "ani2x"), point(10, "et")};
  std::map<std::string, const Point*> byId;
  for (const auto& p : plan) byId[p.id()] = &p;
  auto rec = [](const Point& p, const std::string& status, double wall) { return Json{{"id", p.id()}, {"status", status}, {"wall_s", wall}}; };
  // 10 → 2 s, 20 → 8 s: exponent 2; 40 predicted 32 s. A failed 40 and another model's 10 are ignored.
  std::vector<Json> records{rec(plan[0], "ok", 2), rec(plan[1], "ok", 8), rec(plan[4], "ok", 1000)};
  auto p40 = predictWall(plan[2], records, byId);
  ASSERT_TRUE(p40);
  EXPECT_NEAR(p40->exponent, 2.0, 1e-12);
  EXPECT_NEAR(p40->seconds, 32.0, 1e-9);
  records.push_back(rec(plan[2], "error", 1));
  EXPECT_NEAR(predictWall(plan[3], records, byId)->seconds, 8.0 * 16, 1e-9);
  // A flat series (setup-dominated) is still predicted to grow linearly; a steep one at most cubically.
  std::vector<Json> flat{rec(plan[0], "ok", 5), rec(plan[1], "ok", 5)};
  EXPECT_NEAR(predictWall(plan[3], flat, byId)->seconds, 20.0, 1e-9);
  std::vector<Json> steep{rec(plan[0], "ok", 1), rec(plan[1], "ok", 100)};
  EXPECT_NEAR(predictWall(plan[2], steep, byId)->seconds, 800.0, 1e-9);
  EXPECT_FALSE(predictWall(plan[2], {}, byId));
  // Sizes close together differ by less than their noise (measured: 12.7 s at 90 residues, 18.2 s at
  // 100, whose ratio gives an exponent past 3): the exponent comes from 50 and 100, 0.86 → 1.
  const std::vector<Point> near{point(50, "ani2x"), point(90, "ani2x"), point(100, "ani2x"), point(200, "ani2x")};
  for (const auto& p : near) byId[p.id()] = &p;
  const auto far = predictWall(near[3], {rec(near[0], "ok", 10), rec(near[1], "ok", 12.7), rec(near[2], "ok", 18.2)}, byId);
  EXPECT_NEAR(far->exponent, 1.0, 1e-12);
  EXPECT_NEAR(far->seconds, 36.4, 1e-9);
  // Sampling that its criteria ended at max-time does not grow past it: 10 → 35 s of which 30 s
  // sampled; 20 is predicted 5 × 2 + min(30, 30 × 2) = 40 s, not 70.
  Json capped = rec(plan[0], "ok", 35);
  capped["measurements"]["timing"]["measured_s"] = 30.0;
  Point p20 = plan[1];
  p20.criteria.maxTimeS = 30;
  EXPECT_NEAR(predictWall(p20, {capped}, byId)->seconds, 40.0, 1e-9);
  p20.criteria = profilers::StoppingCriteria::fixed(100);  // a fixed count's sampling grows with the size
  EXPECT_NEAR(predictWall(p20, {capped}, byId)->seconds, 70.0, 1e-9);
  // A smaller point skipped for its budget takes the larger ones of its series with it; a point
  // skipped for another reason (no prediction) does not.
  Json overBudget = rec(plan[1], "skipped", 0);
  EXPECT_EQ(smallerPastBudget(plan[3], {overBudget}, byId), "");
  overBudget["prediction"] = {{"seconds", 99.0}};
  EXPECT_EQ(smallerPastBudget(plan[3], {overBudget}, byId), "polyala-20");
  EXPECT_EQ(smallerPastBudget(plan[0], {overBudget}, byId), "");  // smaller than the skipped one
  EXPECT_EQ(smallerPastBudget(plan[4], {overBudget}, byId), "");  // another series
}
