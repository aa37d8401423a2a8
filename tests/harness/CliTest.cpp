// The mlff-bench command line: help, version, list (generated from the registries), systems
// subcommands, plan-time skips, option checks, periodic modes and frames, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "../TestUtil.hpp"
#include "harness/Json.hpp"
#include "systems/AtomicFile.hpp"

using namespace mlffb;
using test::runCli;
namespace fs = std::filesystem;

namespace {
void expectOneLineError(const test::CommandResult& r, const std::string& needle) {
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr: " << r.err;
}
}  // namespace

TEST(Cli, HelpVersionAndList) {
  EXPECT_EQ(runCli("--help").exitCode, 0);
  EXPECT_EQ(runCli("systems --help").exitCode, 0);
  EXPECT_EQ(runCli("systems build --help").exitCode, 0);
  auto v = runCli("--version");
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_NE(v.out.find("mlff-bench 0."), std::string::npos);
  auto l = runCli("list");
  EXPECT_EQ(l.exitCode, 0);
  for (const char* s : {"models:", "engines:", "collectors:", "suites:", "polyala", "components:", "CUDA", "OPENMM"})
    EXPECT_NE(l.out.find(s), std::string::npos) << s;
}

TEST(Cli, SystemsBuildWritesFilesAndManifest) {
  const std::string dir = test::freshTempDir("cli-build");
  auto r = runCli("systems build --suite polyala --sizes 10,20 --solvate --padding 0.6 --format gro --seed 5 --out " + dir);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/polyala-10-solvated.gro"));
  EXPECT_TRUE(fs::exists(dir + "/polyala-20-solvated.gro"));
  const Json m = Json::parse(readFile(dir + "/manifest.json"));
  ASSERT_EQ(m["systems"].size(), 2u);
  const Json& s = m["systems"][0];
  EXPECT_EQ(s["residues"], 10);
  EXPECT_EQ(s["solute_atoms"], 103);
  EXPECT_EQ(s["atoms"].get<int>(), 103 + s["solvent_atoms"].get<int>());
  EXPECT_GT(s["mean_neighbors"]["5.1"].get<double>(), s["mean_neighbors"]["3.5"].get<double>());
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/manifest.schema.json " + dir +
                                "/manifest.json");
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  // inspect gives the same record as the manifest.
  auto in = runCli("systems inspect " + dir + "/polyala-10-solvated.gro");
  ASSERT_EQ(in.exitCode, 0) << in.err;
  const Json rec = Json::parse(in.out);
  EXPECT_EQ(rec["atoms"], s["atoms"]);
  EXPECT_NEAR(rec["radius_of_gyration"].get<double>(), s["radius_of_gyration"].get<double>(), 0.01);
}

TEST(Cli, SystemsSliceAndRandom) {
  const std::string dir = test::freshTempDir("cli-slice");
  ASSERT_EQ(runCli("systems build --conformation helix --sizes 30 --out " + dir).exitCode, 0);
  auto r = runCli("systems slice --from " + dir + "/polyala-30.pdb --sizes 5,10 --out " + dir + "/sl");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir + "/sl/polyala-30-5.pdb"));
  auto rnd = runCli("systems random --atoms 2000 --neighbors 30 --seed 3 --out " + dir + "/rand.xyz");
  ASSERT_EQ(rnd.exitCode, 0) << rnd.err;
  const Json rec = Json::parse(runCli("systems inspect " + dir + "/rand.xyz").out);
  EXPECT_NEAR(rec["mean_neighbors"]["5.1"].get<double>(), 30.0, 2.0);
}

TEST(Cli, BadInputGivesOneLineAndNonZeroExit) {
  const std::string dir = test::freshTempDir("cli-bad");
  expectOneLineError(runCli("systems inspect " + dir + "/missing.pdb"), "missing.pdb");
  std::ofstream(dir + "/empty.pdb") << "";
  expectOneLineError(runCli("systems inspect " + dir + "/empty.pdb"), "empty.pdb: empty file");
  std::ofstream(dir + "/bad.xyz") << "1\n\nNa 0 0 nan\n";
  expectOneLineError(runCli("systems inspect " + dir + "/bad.xyz"), "bad.xyz:3");
  expectOneLineError(runCli("systems build --sizes 10,-5 --out " + dir), "--sizes '-5': expected an integer from 1 to 10000");
  expectOneLineError(runCli("systems build --sizes 10 --out " + dir + "/empty.pdb/sub"), "cannot create output folder");
  expectOneLineError(runCli("systems random --atoms 100 --neighbors 0 --out " + dir + "/r.xyz"), "--neighbors '0': expected a number > 0");
  expectOneLineError(runCli("systems random --atoms -3 --neighbors 10 --out " + dir + "/r.xyz"), "--atoms '-3': expected an integer from 1");
  ASSERT_EQ(runCli("systems build --conformation helix --sizes 12 --out " + dir).exitCode, 0);
  expectOneLineError(runCli("systems slice --from " + dir + "/polyala-12.pdb --sizes 13 --out " + dir + "/s"),
                     "exceeds the 12 residues");
  // A multi-chain PDB.
  std::string text = readFile(dir + "/polyala-12.pdb");
  const auto pos = text.find("ATOM     60");
  ASSERT_NE(pos, std::string::npos);
  for (size_t p = pos; (p = text.find(" A ", p)) != std::string::npos && p < text.find("CONECT"); p += 3) text[p + 1] = 'B';
  std::ofstream(dir + "/two.pdb") << text;
  expectOneLineError(runCli("systems slice --from " + dir + "/two.pdb --sizes 5 --out " + dir + "/s2"), "2 chains");
  // Nothing half-written: a failed build leaves no partial files behind.
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST(Cli, RunQuickWritesAValidReport) {
  const std::string dir = test::freshTempDir("cli-run");
  auto r = runCli("run --suite polyala --sizes 10,20 --model ani2x --mode single-point --flavor native,torch --repeat 2 --warmup 1 --out " +
                  dir + "/r.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json " + dir + "/r.json");
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  const Json doc = Json::parse(readFile(dir + "/r.json"));
  ASSERT_EQ(doc["runs"].size(), 4u);
  for (const auto& run : doc["runs"]) {
    if (run["model"]["flavor"] == "torch" && run["status"] == "skipped") continue;  // built without LibTorch
    ASSERT_EQ(run["status"], "ok") << run["message"];
    const Json& st = run["measurements"]["stages"];
    for (const char* s : {"neighbors", "descriptor", "energy", "forces", "total"}) EXPECT_TRUE(st.contains(s)) << s;
    EXPECT_GE(st["total"]["median_ms"].get<double>(), st["energy"]["median_ms"].get<double>());
    EXPECT_EQ(st["total"]["samples"], 2);
    EXPECT_GT(run["measurements"]["flops"]["energy"].get<double>(), 0);
    EXPECT_GT(run["system"]["mean_neighbors"]["5.1"].get<double>(), 0);
    EXPECT_GT(run["measurements"]["peak_memory_bytes"]["host_peak_rss"].get<double>(), 0);
  }
  // Both flavours computed the same energy (same random weights, float32).
  EXPECT_NEAR(doc["runs"][0]["measurements"]["energy_kj_mol"].get<double>(),
              doc["runs"][1]["measurements"].value("energy_kj_mol", doc["runs"][0]["measurements"]["energy_kj_mol"].get<double>()),
              1e-5 * std::abs(doc["runs"][0]["measurements"]["energy_kj_mol"].get<double>()));
  EXPECT_GT(doc["runs"][0]["measurements"]["sgemm_reference"]["gflops_per_s"].get<double>(), 0);
  EXPECT_GT(doc["runs"][0]["measurements"]["energy_fraction_of_sgemm_rate"].get<double>(), 0);
}

TEST(Cli, EvalMethaneWithRealWeights) {
  const std::string dir = test::freshTempDir("cli-eval");
  std::ofstream(dir + "/methane.xyz") << "5\nmethane\nC 0.03192167 0.00638559 0.01301679\n"
                                         "H -0.83140486 0.39370209 -0.26395324\nH -0.66518241 -0.84461308 0.20759389\n"
                                         "H 0.45554739 0.54289633 0.81170881\nH 0.66091919 -0.16799635 -0.91037834\n";
  const std::string weights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";
  auto r = runCli("eval --model ani2x --flavor native --precision float64 --weights " + weights + " --in " + dir +
                  "/methane.xyz --out " + dir + "/e.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json j = Json::parse(readFile(dir + "/e.json"));
  EXPECT_NEAR(j["energy"]["hartree"].get<double>(), -40.45979073250112, 1e-6 * 40.46);
  EXPECT_NEAR(j["forces_kj_mol_per_angstrom"][0][1].get<double>(), -0.1303947840 * 2625.4996387552483, 1e-6 * 2625.5);
  EXPECT_EQ(j["elements"][0], "C");
  EXPECT_EQ(j["model"]["weights"]["source"].get<std::string>().find("ani-2x_8x") != std::string::npos, true);
}

TEST(Cli, RunAndEvalRejectBadInput) {
  const std::string dir = test::freshTempDir("cli-run-bad");
  expectOneLineError(runCli("run --suite polyala --sizes 0 --out " + dir + "/r.json"), "--sizes '0': expected an integer from 1");
  expectOneLineError(runCli("run --suite nope --out " + dir + "/r.json"), "unknown suite 'nope'");
  expectOneLineError(runCli("run --suite polyala --model nequip --out " + dir + "/r.json"), "unknown model/flavour 'nequip/native'");
  expectOneLineError(runCli("run --suite polyala --flavor fused --out " + dir + "/r.json"), "unknown model/flavour 'ani2x/fused'");
  expectOneLineError(runCli("run --suite polyala --mode train --out " + dir + "/r.json"), "--mode: unknown mode 'train' (single-point, md)");
  expectOneLineError(runCli("run --in " + dir + "/none.pdb --out " + dir + "/r.json"), "none.pdb: cannot open");
  expectOneLineError(runCli("run --suite polyala --sizes 10 --weights " + dir + "/nowhere"), "--weights: " + dir + "/nowhere: folder not found");
  std::ofstream(dir + "/na.xyz") << "2\n\nC 0 0 0\nNa 3 0 0\n";
  expectOneLineError(runCli("eval --in " + dir + "/na.xyz"), "ANI-2x does not support element Na (atom 2");
  // A run whose point fails is recorded and the suite goes on: Na in one input file.
  {
    ASSERT_EQ(runCli("systems build --conformation helix --sizes 3 --format xyz --out " + dir).exitCode, 0);
    auto r = runCli("run --in " + dir + "/na.xyz," + dir + "/polyala-3.xyz --flavor native --repeat 1 --out " + dir + "/r.json");
    EXPECT_EQ(r.exitCode, 1) << r.err;  // the report is complete; the exit code says a point failed
    const Json doc = Json::parse(readFile(dir + "/r.json"));
    ASSERT_EQ(doc["runs"].size(), 2u);
    EXPECT_EQ(doc["runs"][0]["status"], "error");
    EXPECT_NE(doc["runs"][0]["message"].get<std::string>().find("Na"), std::string::npos);
    EXPECT_EQ(doc["runs"][1]["status"], "ok");
  }
}

TEST(Cli, EquivariantTransformerRunsThroughTheSameCommands) {
  const std::string dir = test::freshTempDir("cli-et");
  auto r = runCli("run --suite polyala --sizes 3,5 --model et --mode single-point --repeat 1 --warmup 0 --preset md17 --max-neighbors 64 --num-layers 2 --out " + dir + "/et.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json doc = Json::parse(readFile(dir + "/et.json"));
  ASSERT_EQ(doc["runs"].size(), 2u);
  for (const auto& run : doc["runs"]) {
    if (run["status"] == "skipped") continue;  // built without LibTorch
    ASSERT_EQ(run["status"], "ok") << run["message"];
    EXPECT_EQ(run["model"]["hyperparameters"]["preset"], "md17");
    EXPECT_EQ(run["model"]["hyperparameters"]["num_layers"], 2);
    for (const char* s : {"neighbors", "descriptor", "energy", "forces"}) EXPECT_TRUE(run["measurements"]["stages"].contains(s)) << s;
  }
  // The neighbour cap: an error record with the count, the rest of the suite goes on.
  auto capped = runCli("run --suite polyala --sizes 3 --model et,ani2x --flavor torch --mode single-point --repeat 1 --warmup 0 --max-neighbors 5 --out " +
                       dir + "/cap.json");
  const Json cap = Json::parse(readFile(dir + "/cap.json"));
  ASSERT_EQ(capped.exitCode, cap["runs"][0]["status"] == "error" ? 1 : 0) << capped.err;
  ASSERT_EQ(cap["runs"].size(), 2u);
  if (cap["runs"][0]["status"] != "skipped") {
    EXPECT_EQ(cap["runs"][0]["status"], "error");
    EXPECT_NE(cap["runs"][0]["message"].get<std::string>().find("max_num_neighbors = 5"), std::string::npos);
    EXPECT_EQ(cap["runs"][1]["status"], "ok");
  }
  expectOneLineError(runCli("eval --model et --preset nope --in " + dir + "/none.xyz"), "none.xyz");
  std::ofstream(dir + "/w.xyz") << "3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n";
  expectOneLineError(runCli("eval --model et --preset nope --in " + dir + "/w.xyz"), "--preset 'nope': expected one of ani1, md17, qm9, spice");
#ifdef MLFFB_HAVE_TORCH
  expectOneLineError(runCli("eval --model et --flavor torchscript --in " + dir + "/w.xyz"), "needs --model-file");
#else
  expectOneLineError(runCli("eval --model et --flavor torchscript --in " + dir + "/w.xyz"), "built without LibTorch");
#endif
}

TEST(Cli, ListAndHelpAreGeneratedFromTheRegistries) {
  const auto l = runCli("list");
  ASSERT_EQ(l.exitCode, 0) << l.err;
  // Each entry with what it can do and its own options.
  for (const char* s : {"ani2x --flavor native", "devices: cpu", "precisions: float32, float64", "--member", "kernel set cpu",
                        "configurations: mlff", "wallclock", "memory", "NAME --flavor torchscript"})
    EXPECT_NE(l.out.find(s), std::string::npos) << s << "\n" << l.out;
#ifdef MLFFB_HAVE_TORCH
  EXPECT_NE(l.out.find("--num-layers"), std::string::npos) << l.out;  // an available entry's options
#else
  EXPECT_NE(l.out.find("built without LibTorch"), std::string::npos) << l.out;  // an unavailable one's reason
#endif
  const auto h = runCli("run --help");
  ASSERT_EQ(h.exitCode, 0);
  EXPECT_NE(h.out.find("Options of et/torch"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("--preset"), std::string::npos);
  EXPECT_NE(h.out.find("Options of ani2x/native, ani2x/torch"), std::string::npos);
  EXPECT_NE(runCli("eval --help").out.find("--weights"), std::string::npos);
}

TEST(Cli, PointsThisBuildCannotRunAreSkippedAtPlanTimeWithoutAWorker) {
  const std::string dir = test::freshTempDir("cli-skip");
  // cff through the native engine (asked for by name) is skipped; cuda needs a device (none here, or a flavour
  // without CUDA kernels). A worker would crash on every point (MLFFB_WORKER_FAULT), so a
  // skipped record proves none was started.
  const std::string args = "run --suite polyala --sizes 3 --model ani2x --flavor native --engine native --mode single-point,md --steps 5 "
                           "--configuration cff --device cpu --out " + dir + "/r.json";
  auto plan = runCli(args + " --plan");
  ASSERT_EQ(plan.exitCode, 0) << plan.err;
  EXPECT_NE(plan.out.find("(2 skipped here)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("skipped: engine native runs configuration mlff only"), std::string::npos) << plan.out;
  auto r = test::runShell("MLFFB_WORKER_FAULT=segv:polyala " + std::string(MLFFB_BINARY) + " " + args);
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json doc = Json::parse(readFile(dir + "/r.json"));
  ASSERT_EQ(doc["runs"].size(), 2u);
  for (const auto& run : doc["runs"]) {
    EXPECT_EQ(run["status"], "skipped") << run.dump();
    EXPECT_EQ(run["system"]["name"], "polyala-3");
  }
  EXPECT_EQ(doc["suite"]["skipped_at_plan_time"], 2);
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json " + dir + "/r.json");
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  // cuda: without a visible device every cuda point says so; a flavour without CUDA kernels says that.
  auto cuda = runCli("run --suite polyala --sizes 3 --model ani2x --device cuda --plan");
  ASSERT_EQ(cuda.exitCode, 0) << cuda.err;
  EXPECT_NE(cuda.out.find("skipped: "), std::string::npos) << cuda.out;
}

TEST(Cli, OptionsAreCheckedAgainstTheirDeclarationsBeforeAnyWork) {
  const std::string dir = test::freshTempDir("cli-options");
  expectOneLineError(runCli("run --suite polyala --sizes 3 --model ani2x --preset md17 --plan"),
                     "--preset is an option of et/torch, which this plan does not run");
  expectOneLineError(runCli("run --suite polyala --sizes 3 --model et --num-layers 0 --plan"),
                     "--num-layers '0': expected an integer from 1 to 64");
  expectOneLineError(runCli("run --suite polyala --sizes 3 --model ani2x --member 8 --plan"), "--member '8': expected an integer from 0 to 7");
  expectOneLineError(runCli("run --suite polyala --sizes 3 --profile nosuch --plan"), "--profile: unknown collector 'nosuch'");
  expectOneLineError(runCli("run --suite polyala --sizes 3 --device gpu --plan"), "--device: unknown device 'gpu'");
  std::ofstream(dir + "/w.xyz") << "3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n";
  expectOneLineError(runCli("eval --model ani2x --num-layers 2 --in " + dir + "/w.xyz"), "--num-layers is an option of et/torch, not of ani2x/native");
}

TEST(Cli, PeriodicBoundaryModeAndFrameOfRealWorldFiles) {
  const std::string dir = test::freshTempDir("cli-pbc");
  // A monoclinic crystal cell too thin for a 5.1 Å cutoff (as thin amyloid crystals are), two
  // alternate locations, two MODELs.
  const std::string atoms =
      "ATOM      1  N   GLY A   1       0.958   0.885   3.506  1.00 13.41           N\n"
      "ATOM      2  CA  GLY A   1       2.189   0.130   3.261  1.00 11.45           C\n"
      "ATOM      3  C   GLY A   1       3.414   0.816   3.766  1.00 10.36           C\n"
      "ATOM      4  O  AGLY A   1       3.427   2.050   3.946  0.50  9.06           O\n"
      "ATOM      5  O  BGLY A   1       3.527   2.150   3.846  0.50  9.06           O\n";
  std::ofstream(dir + "/xtal.pdb") << "CRYST1   50.347    4.777   14.746  90.00 101.73  90.00 C 1 2 1       4\nMODEL        1\n" << atoms
                                   << "ENDMDL\nMODEL        2\n" << atoms << "ENDMDL\nEND\n";
  expectOneLineError(runCli("eval --in " + dir + "/xtal.pdb"), "exceeds half the periodic cell's smallest width");
  auto off = runCli("eval --pbc off --in " + dir + "/xtal.pdb --out " + dir + "/e.json");
  ASSERT_EQ(off.exitCode, 0) << off.err;
  EXPECT_NE(off.err.find("dropped 1 atom records of other locations"), std::string::npos) << off.err;
  const Json e = Json::parse(readFile(dir + "/e.json"));
  EXPECT_EQ(e["atoms"], 4);
  EXPECT_EQ(e["periodic"], false);
  EXPECT_TRUE(std::isfinite(e["energy"]["kj_mol"].get<double>()));
  ASSERT_EQ(runCli("eval --pbc off --frame 2 --in " + dir + "/xtal.pdb").exitCode, 0);
  expectOneLineError(runCli("eval --pbc off --frame 3 --in " + dir + "/xtal.pdb"), "frame 3 asked for, but the file has 2 models");
  // --pbc on needs a cell.
  std::ofstream(dir + "/mol.xyz") << "3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n";
  expectOneLineError(runCli("eval --pbc on --in " + dir + "/mol.xyz"), "--pbc on, but the structure has no periodic cell");
  // A triclinic GRO box evaluates periodically, and run records its cell.
  std::ofstream(dir + "/tri.gro") << "t\n    3\n    1SOL     OW    1   0.100   0.200   0.300\n    1SOL    HW1    2   0.196   0.200   0.300\n"
                                     "    1SOL    HW2    3   0.076   0.293   0.300\n"
                                     "   1.30000   1.25000   1.20000   0.00000   0.00000   0.65000   0.00000   0.65000   0.62500\n";
  ASSERT_EQ(runCli("eval --in " + dir + "/tri.gro --out " + dir + "/g.json").exitCode, 0);
  EXPECT_EQ(Json::parse(readFile(dir + "/g.json"))["periodic"], true);
  auto run = runCli("run --in " + dir + "/tri.gro --flavor native --repeat 1 --warmup 0 --out " + dir + "/r.json");
  ASSERT_EQ(run.exitCode, 0) << run.err;
  const Json rec = Json::parse(readFile(dir + "/r.json"))["runs"][0];
  ASSERT_EQ(rec["status"], "ok") << rec["message"];
  EXPECT_EQ(rec["system"]["box"]["triclinic"], true);
  EXPECT_NEAR(rec["system"]["box"]["vectors"][2][1].get<double>(), 6.25, 1e-9);
}

TEST(Cli, ExportWritesTorchScriptThatEvalReadsBackAndRefusesMisuse) {
  const std::string dir = test::freshTempDir("cli-export");
  std::ofstream(dir + "/methane.xyz") << "5\nmethane\nC 0.03192167 0.00638559 0.01301679\n"
                                         "H -0.83140486 0.39370209 -0.26395324\nH -0.66518241 -0.84461308 0.20759389\n"
                                         "H 0.45554739 0.54289633 0.81170881\nH 0.66091919 -0.16799635 -0.91037834\n";
#ifdef MLFFB_HAVE_TORCH
  // openmm-torch: the atoms inside; `eval --flavor torchscript` calls it as OpenMM-Torch does.
  auto r = runCli("export --model ani2x --weights random --seed 3 --precision float64 --contract openmm-torch --in " + dir +
                  "/methane.xyz --out " + dir + "/m.pt");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const Json d = Json::parse(r.out);
  EXPECT_EQ(d["contract"], "openmm-torch");
  EXPECT_EQ(d["atoms"], 5);
  EXPECT_GT(d["bytes"].get<double>(), 1e6);
  auto viaFile = runCli("eval --model ani2x --flavor torchscript --precision float64 --model-file " + dir + "/m.pt --in " + dir + "/methane.xyz");
  auto native = runCli("eval --model ani2x --flavor native --precision float64 --weights random --seed 3 --in " + dir + "/methane.xyz");
  ASSERT_EQ(viaFile.exitCode, 0) << viaFile.err;
  ASSERT_EQ(native.exitCode, 0) << native.err;
  const double a = Json::parse(viaFile.out)["energy"]["kj_mol"], b = Json::parse(native.out)["energy"]["kj_mol"];
  EXPECT_NEAR(a, b, 1e-10 * std::abs(b));
  // nnpot: the GROMACS mdp lines come with it; an existing file is kept unless --force.
  auto n = runCli("export --model et --num-layers 1 --hidden-channels 16 --num-heads 2 --out " + dir + "/et.pt");
  ASSERT_EQ(n.exitCode, 0) << n.err;
  EXPECT_NE(Json::parse(n.out)["gromacs_mdp"].get<std::string>().find("nnpot-model-input2  = atom-numbers"), std::string::npos);
  const auto before = fs::file_size(dir + "/et.pt");
  expectOneLineError(runCli("export --model et --out " + dir + "/et.pt"), "exists; give --force");
  EXPECT_EQ(fs::file_size(dir + "/et.pt"), before);
  EXPECT_EQ(runCli("export --model et --num-layers 2 --force --out " + dir + "/et.pt").exitCode, 0);
  EXPECT_NE(fs::file_size(dir + "/et.pt"), before);
#endif
  expectOneLineError(runCli("export --model ani2x --contract openmm-torch --out " + dir + "/x.pt"), "give the structure");
  expectOneLineError(runCli("export --model ani2x --contract lammps --out " + dir + "/x.pt"), "unknown contract 'lammps'");
  expectOneLineError(runCli("export --model mace --out " + dir + "/x.pt"), "'mace' cannot be exported");
  expectOneLineError(runCli("export --model et --member 2 --out " + dir + "/x.pt"), "--member is an option of ani2x");
  expectOneLineError(runCli("export --model ani2x --precision bf16 --out " + dir + "/x.pt"), "--precision");
  EXPECT_FALSE(fs::exists(dir + "/x.pt"));
}
