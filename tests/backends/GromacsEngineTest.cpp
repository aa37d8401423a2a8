// The GROMACS engine: the .mdp it writes, md.log energies through the MD recorder, and,
// where gmx is installed, a CFFsys run of a solvated 10-residue slice through the command line,
// a failing gmx step recorded as an error quoting gmx, and a missing gmx making points skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <nlohmann/json.hpp>

#include "backends/gmx/GmxTool.hpp"
#include "backends/gromacs/GromacsEngine.hpp"
#include "core/Subprocess.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/SystemIO.hpp"
#include "tests/TestUtil.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

TEST(GromacsEngine, MdpFollowsTheProtocol) {
  MdOptions md;
  md.steps = 1000;
  md.warmupSteps = 100;
  md.timestepFs = 0.5;
  md.temperatureK = 300;
  md.traceEvery = 50;
  md.seed = (1ULL << 40) + 5;
  const std::string p = gromacsProductionMdp(md);
  for (const char* want : {"integrator      = md\n", "dt              = 0.0005", "nsteps          = 1100\n", "coulombtype     = PME\n",
                           "rcoulomb        = 1.0\n", "rvdw            = 1.0\n", "tcoupl          = V-rescale\n", "ref-t           = 300\n",
                           "nstlog          = 50\n"})
    EXPECT_NE(p.find(want), std::string::npos) << want << " in\n" << p;
  EXPECT_NE(p.find("gen-seed        = " + std::to_string(((1ULL << 40) + 5) % 2147483647ULL)), std::string::npos);
  md.integrator = Integrator::Nve;
  EXPECT_NE(gromacsProductionMdp(md).find("tcoupl          = no\n"), std::string::npos);
  md.minimizeSteps = 300;
  md.minimizeToleranceKJPerMolA = 10;
  const std::string em = gromacsMinimizationMdp(md);
  EXPECT_NE(em.find("integrator      = steep\n"), std::string::npos);
  EXPECT_NE(em.find("nsteps          = 300\n"), std::string::npos);
  EXPECT_NE(em.find("emtol           = 100 "), std::string::npos);  // kJ/mol/nm
}

namespace {
std::string solvatedSlice(const std::string& dir) {
  const PolyAlanineBuilder b(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000});
  SolvationOptions so;
  so.paddingAngstrom = 8.0;
  const std::string path = dir + "/polyala-10-solvated.pdb";
  writeSystem(Solvator(so).solvate(b.build(10)), path, FileFormat::Pdb);
  return path;
}

/// Runs one point that must fail: exit 1, a report whose only run is an `error`; its message.
std::string failedPointMessage(const std::string& runArguments, const std::string& report) {
  const auto r = test::runCli("run " + runArguments + " --out " + report);
  EXPECT_EQ(r.exitCode, 1) << r.err;
  const auto j = nlohmann::json::parse(readTextFile(report));
  EXPECT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["status"], "error");
  return j["runs"][0]["message"];
}
}  // namespace

TEST(GromacsEngine, CffRunOfASolvatedSliceReportsNsPerDayAndCycleTable) {
  if (const std::string why = classical::GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = test::freshTempDir("gmxrun");
  const std::string in = solvatedSlice(dir);
  const std::string report = dir + "/r.json";
  const auto r = test::runCli("run --in " + in + " --mode md --engine gromacs --configuration cff --steps 40 --warmup-steps 10 "
                              "--minimize-steps 20 --threads 1 --out " + report);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto j = nlohmann::json::parse(readTextFile(report));
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  EXPECT_EQ(run["status"], "ok") << run.dump();
  EXPECT_EQ(run["configuration"], "cff");
  const auto& md = run["measurements"]["md"];
  EXPECT_GT(md["ns_per_day"].get<double>(), 0.0);
  EXPECT_EQ(md["integrator"], "md + v-rescale (tau-t 0.1 ps)");
  EXPECT_FALSE(md.contains("friction_per_ps"));
  const auto& g = md["gromacs"];
  EXPECT_EQ(g["solvation"], "mlff-bench's (input system)");
  EXPECT_EQ(g["atoms"].get<size_t>(), readSystem(in).size());  // our solute and waters, as pdb2gmx wrote them
  bool force = false, total = false;
  for (const auto& row : g["cycle_accounting"]) {
    force = force || row["name"] == "Force";
    total = total || (row["name"] == "Total" && row["percent"] == 100.0);
  }
  EXPECT_TRUE(force && total) << g["cycle_accounting"].dump();
  EXPECT_DOUBLE_EQ(g["ns_per_day"].get<double>(), md["ns_per_day"].get<double>());
  EXPECT_GT(md["minimization"]["steps"].get<int>(), 0);
}

TEST(GromacsEngine, AFailingGmxStepIsAnErrorQuotingGmxAndKeepsTheFolder) {
  if (const std::string why = classical::GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = test::freshTempDir("gmxfail");
  const std::string in = solvatedSlice(dir);
  fs::create_directories(dir + "/work");
  const std::string msg = failedPointMessage("--in " + in + " --mode md --engine gromacs --configuration cff --steps 10 --forcefield nosuchff "
                                             "--work-dir " + dir + "/work", dir + "/r.json");
  EXPECT_NE(msg.find("gmx pdb2gmx failed (exit 1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nosuchff"), std::string::npos) << msg;  // gmx's own words name the force field
  EXPECT_NE(msg.find("work folder kept: " + dir + "/work/mlffb-gromacs-"), std::string::npos) << msg;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir + "/work"), fs::directory_iterator()), 1);
}

TEST(GromacsEngine, WithoutGmxItsPointsAreSkippedWithTheReason) {
  const auto r = test::runShell("PATH=/nonexistent " + std::string(MLFFB_BINARY) +
                                " run --suite polyala-md --quick --engine gromacs --configuration cff --plan");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("skipped: engine gromacs: GROMACS not found: no 'gmx' on PATH"), std::string::npos) << r.out;
  const auto bad = test::runCli("run --suite polyala-md --quick --engine gromacs --configuration cff --gmx /nonexistent/gmx --plan");
  EXPECT_EQ(bad.exitCode, 0) << bad.err;
  EXPECT_NE(bad.out.find("skipped: engine gromacs: GROMACS not found: '/nonexistent/gmx' is not an executable file"), std::string::npos)
      << bad.out;
}

TEST(GromacsEngine, AGmxGivenByPathIsUsedWhenPathHasNone) {
  const std::string gmx = findProgram("gmx");
  if (gmx.empty()) GTEST_SKIP() << "no gmx on PATH to point at";
  const auto r = test::runShell("PATH=/nonexistent " + std::string(MLFFB_BINARY) +
                                " run --suite polyala-md --quick --engine gromacs --configuration cff --gmx " + gmx + " --plan");
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("suite polyala-md: 1 points\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("skipped"), std::string::npos) << r.out;
}

TEST(GromacsEngine, APointTimeoutStopsGmxToo) {
  if (const std::string why = classical::GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = test::freshTempDir("gmxtimeout");
  const std::string in = solvatedSlice(dir);
  const std::string work = dir + "/work";
  fs::create_directories(work);
  const auto r = test::runCli("run --in " + in + " --mode md --engine gromacs --configuration cff --steps 10000000 --minimize-steps 0 "
                              "--threads 1 --timeout 6 --work-dir " + work + " --out " + dir + "/r.json");
  EXPECT_EQ(r.exitCode, 1) << r.err;
  const auto j = nlohmann::json::parse(readTextFile(dir + "/r.json"));
  EXPECT_EQ(j["runs"][0]["status"], "timeout");
  // No process is left working in the engine's folder.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<std::string> left;
  for (const auto& p : fs::directory_iterator("/proc")) {
    std::error_code ec;
    const auto cwd = fs::read_symlink(p.path() / "cwd", ec);
    if (!ec && cwd.string().rfind(work, 0) == 0) left.push_back(p.path().filename().string());
  }
  EXPECT_TRUE(left.empty()) << "processes still in " << work << ": " << left.size();
}

// A GROMACS with NNPot is not in Debian 12: a wrapper that reports 2025 with Torch and runs the
// installed gmx shows the wiring up to the first tool that does not know NNPot — the export in
// the work folder, the nnpot-* mdp lines, the plan taking the torch flavour only — and that
// grompp's refusal comes back as the point's error, quoting gmx.
TEST(GromacsEngine, NnpotPointsExportTheModelAndWriteTheNnpotMdp) {
  const std::string real = findProgram("gmx");
  if (real.empty()) GTEST_SKIP() << "no gmx on PATH";
  const std::string dir = test::freshTempDir("gmxnnpot");
  const std::string wrapper = dir + "/gmx-nnpot";
  std::ofstream(wrapper) << "#!/bin/sh\nif [ \"$1\" = --version ]; then\n  " << real
                         << " --version | sed 's/GROMACS version:.*/GROMACS version:    2025.0/'\n  echo 'Torch support: enabled'\n"
                            "  exit 0\nfi\nexec " << real << " \"$@\"\n";
  fs::permissions(wrapper, fs::perms::owner_all);
  const auto plan = test::runCli("run --suite polyala-md --sizes 10 --model ani2x --engine gromacs --configuration cml,mlff --gmx " + wrapper + " --plan");
  ASSERT_EQ(plan.exitCode, 0) << plan.err;
  EXPECT_NE(plan.out.find("2 points"), std::string::npos) << plan.out;  // the torch flavour, cml and mlff
  EXPECT_EQ(plan.out.find("native"), std::string::npos) << plan.out;
#ifndef MLFFB_HAVE_TORCH
  EXPECT_NE(plan.out.find("ani2x/torch is unavailable"), std::string::npos) << plan.out;  // the export needs LibTorch
#else
  EXPECT_EQ(plan.out.find("skipped"), std::string::npos) << plan.out;
  const auto named = test::runCli("run --suite polyala-md --sizes 10 --model ani2x --flavor native --engine gromacs --configuration cml --gmx " +
                                  wrapper + " --plan");
  EXPECT_NE(named.out.find("skipped: engine gromacs evaluates the model as exported TorchScript"), std::string::npos) << named.out;
  const std::string in = solvatedSlice(dir);
  fs::create_directories(dir + "/work");
  const std::string msg = failedPointMessage("--in " + in + " --mode md --engine gromacs --configuration cml --model ani2x --flavor torch "
                                             "--weights random --steps 10 --minimize-steps 0 --gmx " + wrapper + " --work-dir " + dir + "/work",
                                             dir + "/r.json");
  EXPECT_NE(msg.find("gmx grompp failed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nnpot-active"), std::string::npos) << msg;  // GROMACS 2022 does not know the option
  std::vector<fs::path> folders(fs::directory_iterator(dir + "/work"), fs::directory_iterator());
  ASSERT_EQ(folders.size(), 1u);
  EXPECT_GT(fs::file_size(folders[0] / "model.pt"), 1000000u);
  const std::string mdp = readTextFile((folders[0] / "md.mdp").string());
  EXPECT_NE(mdp.find("nnpot-input-group   = Protein"), std::string::npos) << mdp;
  EXPECT_NE(mdp.find("nnpot-modelfile     = " + (folders[0] / "model.pt").string()), std::string::npos) << mdp;
  EXPECT_NE(mdp.find("nnpot-model-input4  = pbc"), std::string::npos) << mdp;
#endif
}
