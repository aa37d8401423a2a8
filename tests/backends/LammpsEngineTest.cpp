// The lammps engine: pair_style mlffb under mpirun against the model's own periodic evaluation
// and against itself over 1, 2, 3 (an odd grid), 4 ranks — energies and every force in float64 —
// for ANI-2x (native) and the ET (torch) on a periodic water box and on solvated poly-alanine; an
// NVE trajectory whose atoms cross subdomain boundaries, identical over 1 and 2 ranks for 100
// steps; every model of the subdomain contract (TensorNet in TorchMD-Net's worker, MACE's file, our ET and
// ANI-2x exports through the torchscript flavour over 1–4 ranks, TorchANI's file over 1 and 3)
// against its own periodic evaluation; the data file; Eq. 3; the scaling suites through the command line. Skips
// cleanly where LAMMPS or MPI is missing.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "backends/lammps/LammpsEngine.hpp"
#include "backends/lammps/LammpsJob.hpp"
#include "core/PythonEnv.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Solvator.hpp"
#include "tests/PeerTestUtil.hpp"
#include "tests/TestUtil.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/torchscript/ModelExport.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {

std::string lammpsMissing() {
  const std::string driver = fs::path(MLFFB_BINARY).parent_path() / "mlff-bench-lammps";
  return lammpsUnavailableReason({{"lammps_driver", fs::exists(driver) ? driver : "mlff-bench-lammps"}});
}

#define SKIP_WITHOUT_LAMMPS()                                        \
  do {                                                               \
    if (const std::string why = lammpsMissing(); !why.empty()) GTEST_SKIP() << why; \
  } while (0)

ModelSpec aniSpec() {
  ModelSpec m;
  m.model = "ani2x";
  m.options.flavor = "native";
  m.options.precision = Precision::Float64;
  // The real weights when the shared models are here, random ones otherwise (the same function
  // either way for this comparison).
  const std::string weights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";
  if (fs::exists(weights)) m.options.options = {{"weights", weights}};
  return m;
}

ModelSpec etSpec() {
  ModelSpec m;
  m.model = "et";
  m.options.flavor = "torch";
  m.options.precision = Precision::Float64;
  m.options.seed = 11;
  m.options.options = {{"hidden_channels", "16"}, {"num_layers", "1"}, {"num_rbf", "8"}, {"num_heads", "2"}, {"cutoff", "4"}};
  return m;
}

struct LammpsRun {
  double energy = 0;
  std::vector<double> forces;  // kJ/mol/Å, atom order
  lammps::Json result;
};

LammpsRun runLammps(const System& s, const ModelSpec& model, int ranks, const std::array<int, 3>& grid = {0, 0, 0},
              const std::string& mode = "single-point", int steps = 0) {
  LammpsSettings settings;
  settings.driver = (fs::path(MLFFB_BINARY).parent_path() / "mlff-bench-lammps").string();
  settings.grid = grid;
  LammpsEngine engine(settings);
  lammps::Job job;
  job.dataPath = "system.data";
  job.resultPath = "result.json";
  job.model = model;
  for (int z : lammps::typeElements(s)) job.typeSymbols.push_back(elementInfo(z).symbol);
  job.periodic = s.box.has_value();
  job.mode = mode;
  job.md.steps = steps;
  job.md.warmupSteps = 0;
  job.md.minimizeSteps = 0;
  job.md.integrator = Integrator::Nve;
  job.grid = grid;
  job.writeForces = true;
  job.writePositions = true;
  const std::string dir = test::freshTempDir("lammps");
  LammpsRun r;
  r.result = engine.runLammpsJob(job, s, ranks, dir);
  fs::remove_all(dir);
  if (mode == "single-point") {
    r.energy = r.result["single_point"]["energy_kj_mol"];
    r.forces = r.result["single_point"]["forces_kj_mol_a"].get<std::vector<double>>();
  }
  return r;
}

/// The model's own periodic evaluation (no LAMMPS, no ghosts).
EnergyForces direct(const System& s, const ModelSpec& m) {
  auto p = createPotential(m.model, m.options);
  p->setSystem(s);
  return p->compute(s.positions, s.box, true);
}

void expectSameForces(const std::vector<double>& got, const std::vector<double>& want, double rel, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double num = 0, den = 0;
  for (size_t k = 0; k < got.size(); ++k) {
    num += (got[k] - want[k]) * (got[k] - want[k]);
    den += want[k] * want[k];
  }
  EXPECT_LT(std::sqrt(num / den), rel) << what;
}

std::vector<double> flat(const std::vector<Vec3>& v) {
  std::vector<double> out;
  for (const auto& f : v) out.insert(out.end(), {f.x, f.y, f.z});
  return out;
}

/// Every rank count (and grid) equals the model's own periodic evaluation: the energy and every
/// force component (relative to the largest force) to 1e-10 in float64. Prints what it measured.
void expectRanksEqualThePeriodicModel(const System& s, const ModelSpec& m, const std::vector<std::pair<int, std::array<int, 3>>>& runs) {
  const auto t0 = std::chrono::steady_clock::now();
  const EnergyForces want = direct(s, m);
  const std::vector<double> wantF = flat(want.forces);
  double largest = 0;
  for (double f : wantF) largest = std::max(largest, std::abs(f));
  for (const auto& [ranks, grid] : runs) {
    const LammpsRun r = runLammps(s, m, ranks, grid);
    const std::string what = m.model + "/" + m.options.flavor + ", P = " + std::to_string(ranks);
    ASSERT_EQ(r.forces.size(), wantF.size()) << what;
    double worst = 0;
    for (size_t k = 0; k < wantF.size(); ++k) worst = std::max(worst, std::abs(r.forces[k] - wantF[k]) / largest);
    const double de = std::abs(r.energy - want.energy) / std::abs(want.energy);
    EXPECT_LT(de, 1e-10) << what;
    EXPECT_LT(worst, 1e-10) << what << ": largest force difference / largest force";
    std::cout << "[ measured ] " << what << " (" << s.size() << " atoms): energy " << de << ", forces " << worst << " relative\n";
  }
  std::cout << "[ measured ] " << m.model << "/" << m.options.flavor << ": "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
}

const std::vector<std::pair<int, std::array<int, 3>>> kOneToFourRanks{{1, {0, 0, 0}}, {2, {0, 0, 0}}, {3, {3, 1, 1}}, {4, {1, 2, 2}}};

/// `mlff-bench export --model M --contract openmm-torch` of `s` (periodic, float64) as a file, and the
/// torchscript flavour's spec on it.
ModelSpec exportedSpec(const ModelSpec& of, const System& s, const std::string& dir) {
  ExportRequest rq;
  rq.model = of.model;
  rq.options = of.options;
  rq.contract = ExportContract::OpenMMTorch;
  rq.atoms = &s;
  rq.periodic = true;
  const std::string file = dir + "/" + of.model + ".pt";
  writeFileAtomically(file, exportTorchScript(rq).bytes);
  ModelSpec m;
  m.model = of.model;
  m.options.flavor = "torchscript";
  m.options.precision = Precision::Float64;
  m.options.options = {{"model_file", file}};
  return m;
}

System solvatedPolyala() {
  SolvationOptions so;
  so.paddingAngstrom = 6.0;
  return Solvator(so).solvate(PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000}).build(2));
}

}  // namespace

TEST(LammpsData, TypesByElementWrappedPositionsAndTriclinicTilts) {
  System s = buildWaterBox(4, 3);
  s.positions[0] += s.box->a * 2.0;  // unwrapped: written wrapped
  const std::string d = lammps::dataFile(s);
  EXPECT_NE(d.find("12 atoms"), std::string::npos);
  EXPECT_NE(d.find("2 atom types"), std::string::npos);
  EXPECT_NE(d.find("1 1.008"), std::string::npos);  // H is type 1, O type 2
  EXPECT_EQ(d.find("xy xz yz"), std::string::npos);
  s.box = Box{{10, 0, 0}, {2, 10, 0}, {1, -3, 10}};
  EXPECT_NE(lammps::dataFile(s).find("2 1 -3 xy xz yz"), std::string::npos);
}

TEST(LammpsEq3, MatchesThePapersFormAndItsLimits) {
  // P = 1: no speed-up; TR = 0: ideal; the grid form equals the paper's for an even split.
  EXPECT_DOUBLE_EQ(lammps::eq3SpeedupCube(50, 1, 3, 10), 1.0);
  EXPECT_NEAR(lammps::eq3SpeedupCube(50, 8, 3, 0), 8.0, 1e-12);
  EXPECT_NEAR(lammps::eq3Speedup({50, 50, 50}, {2, 2, 2}, 10), lammps::eq3SpeedupCube(50, 8, 3, 10), 1e-12);
  EXPECT_NEAR(lammps::eq3Speedup({50, 50, 50}, {1, 1, 2}, 10), (50.0 + 20) / (25 + 20), 1e-12);
  EXPECT_LT(lammps::eq3Speedup({50, 50, 50}, {2, 2, 2}, 10), 8.0);
  EXPECT_THROW(parseGrid("2x2"), std::invalid_argument);
  EXPECT_THROW(parseGrid("0x1x1"), std::invalid_argument);
  EXPECT_EQ(parseGrid("3x1x2"), (std::array<int, 3>{3, 1, 2}));
}

TEST(LammpsEngine, AniOnOneRankEqualsTheModelsPeriodicEvaluation) {
  SKIP_WITHOUT_LAMMPS();
  const System s = buildWaterBox(64, 5);
  const EnergyForces want = direct(s, aniSpec());
  const LammpsRun one = runLammps(s, aniSpec(), 1);
  EXPECT_NEAR(one.energy, want.energy, 1e-10 * std::abs(want.energy));
  expectSameForces(one.forces, flat(want.forces), 1e-10, "P = 1 vs periodic");
  // P = 1 still evaluates ghosts: the periodic images, pruned to the receptive field + skin.
  EXPECT_GT(one.result["per_rank"][0]["evaluated_ghost_atoms"].get<double>(), 0);
  EXPECT_LT(one.result["per_rank"][0]["evaluated_ghost_atoms"].get<double>(), one.result["per_rank"][0]["ghost_atoms"].get<double>());
}

TEST(LammpsEngine, AniOverTwoThreeAndFourRanksEqualsOneRank) {
  SKIP_WITHOUT_LAMMPS();
  const System s = buildWaterBox(120, 6);
  const LammpsRun one = runLammps(s, aniSpec(), 1);
  for (const auto& [ranks, grid] : std::vector<std::pair<int, std::array<int, 3>>>{{2, {0, 0, 0}}, {3, {3, 1, 1}}, {4, {1, 2, 2}}}) {
    const LammpsRun many = runLammps(s, aniSpec(), ranks, grid);
    const std::string what = "P = " + std::to_string(ranks);
    EXPECT_NEAR(many.energy, one.energy, 1e-10 * std::abs(one.energy)) << what;
    expectSameForces(many.forces, one.forces, 1e-10, what);
    EXPECT_EQ(many.result["per_rank"].size(), static_cast<size_t>(ranks)) << what;
  }
}

TEST(LammpsEngine, AniOnSolvatedPolyalanineOverTwoRanksEqualsOneRankAndTheModel) {
  SKIP_WITHOUT_LAMMPS();
  const System s = solvatedPolyala();
  const EnergyForces want = direct(s, aniSpec());
  const LammpsRun one = runLammps(s, aniSpec(), 1);
  const LammpsRun two = runLammps(s, aniSpec(), 2);
  EXPECT_NEAR(one.energy, want.energy, 1e-10 * std::abs(want.energy));
  EXPECT_NEAR(two.energy, one.energy, 1e-10 * std::abs(one.energy));
  expectSameForces(two.forces, one.forces, 1e-10, "P = 2 vs 1");
  expectSameForces(one.forces, flat(want.forces), 1e-10, "P = 1 vs periodic");
}

TEST(LammpsEngine, AVacuumSystemShrinkWrappedOverTwoRanksEqualsTheModelInVacuum) {
  SKIP_WITHOUT_LAMMPS();
  const System s = PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000}).build(10);
  ASSERT_FALSE(s.box.has_value());
  const EnergyForces want = direct(s, aniSpec());
  for (int ranks : {1, 2}) {
    const LammpsRun r = runLammps(s, aniSpec(), ranks);
    EXPECT_NEAR(r.energy, want.energy, 1e-10 * std::abs(want.energy)) << ranks;
    expectSameForces(r.forces, flat(want.forces), 1e-10, "vacuum, P = " + std::to_string(ranks));
  }
}

TEST(LammpsEngine, EtWithGhostsOutToItsReceptiveFieldOverRanksEqualsThePeriodicModel) {
  SKIP_WITHOUT_LAMMPS();
  if (!findModel("et", "torch").available()) GTEST_SKIP() << "et/torch unavailable: " << findModel("et", "torch").availability().reason;
  const System s = buildWaterBox(40, 8);
  const EnergyForces want = direct(s, etSpec());
  const LammpsRun one = runLammps(s, etSpec(), 1);
  // (layers + 1) × cutoff: the embedding is a message-passing step too.
  EXPECT_DOUBLE_EQ(one.result["receptive_field_angstrom"].get<double>(), 8.0);
  EXPECT_NEAR(one.energy, want.energy, 1e-10 * std::abs(want.energy));
  expectSameForces(one.forces, flat(want.forces), 1e-10, "P = 1 vs periodic");
  for (int ranks : {2, 3}) {
    const LammpsRun many = runLammps(s, etSpec(), ranks);
    EXPECT_NEAR(many.energy, one.energy, 1e-10 * std::abs(one.energy)) << ranks;
    expectSameForces(many.forces, one.forces, 1e-10, "P = " + std::to_string(ranks));
  }
  // Solvated di-alanine: every element of a protein, the solute cut by the subdomain boundary.
  const System p = solvatedPolyala();
  const EnergyForces wantP = direct(p, etSpec());
  const LammpsRun twoP = runLammps(p, etSpec(), 2);
  EXPECT_NEAR(twoP.energy, wantP.energy, 1e-10 * std::abs(wantP.energy));
  expectSameForces(twoP.forces, flat(wantP.forces), 1e-10, "solvated di-alanine, P = 2 vs periodic");
}

TEST(LammpsEngine, NveTrajectoryOverTwoRanksFollowsOneRankFor100Steps) {
  SKIP_WITHOUT_LAMMPS();
  const System s = buildWaterBox(64, 9);
  const LammpsRun one = runLammps(s, aniSpec(), 1, {0, 0, 0}, "md", 100);
  const LammpsRun two = runLammps(s, aniSpec(), 2, {2, 1, 1}, "md", 100);
  const auto e1 = one.result["trace"]["potential_kj_mol"].get<std::vector<double>>();
  const auto e2 = two.result["trace"]["potential_kj_mol"].get<std::vector<double>>();
  ASSERT_EQ(e1.size(), 100u);
  ASSERT_EQ(e2.size(), 100u);
  for (size_t k = 0; k < e1.size(); ++k) EXPECT_NEAR(e2[k], e1[k], 1e-9 * std::abs(e1[k])) << "step " << k + 1;
  const auto x1 = one.result["positions_angstrom"].get<std::vector<double>>();
  const auto x2 = two.result["positions_angstrom"].get<std::vector<double>>();
  const Vec3 l = s.box->lengths();
  double worst = 0;
  for (size_t k = 0; k < x1.size(); ++k) {
    double d = std::abs(x1[k] - x2[k]);
    d = std::min(d, std::abs(d - l[static_cast<int>(k % 3)]));  // the same atom wrapped on the other side
    worst = std::max(worst, d);
  }
  EXPECT_LT(worst, 1e-8) << "Å, largest position difference after 100 steps";
  // Atoms did cross between the two subdomains (the test exercises migration).
  EXPECT_GT(two.result["per_rank"][0]["rebinds"].get<double>(), 1);
  // NVE at 0.5 fs from an unrelaxed box: the total energy stays within 1 % of the kinetic energy
  // (measured: 0.2 %); forces in the wrong units (kcal vs kJ) would break this by far.
  const auto k1 = one.result["trace"]["kinetic_kj_mol"].get<std::vector<double>>();
  double lo = 1e300, hi = -1e300, kinetic = 0;
  for (size_t k = 0; k < e1.size(); ++k) {
    lo = std::min(lo, e1[k] + k1[k]);
    hi = std::max(hi, e1[k] + k1[k]);
    kinetic += k1[k] / static_cast<double>(e1.size());
  }
  EXPECT_LT(hi - lo, 0.01 * kinetic) << "total-energy excursion over 100 NVE steps (kJ/mol)";
}

/// Skips a peer's test when the peer is unavailable here, or fails it where peers are required (CI).
#define SKIP_WITHOUT_PEER(model, flavor)                                                                        \
  do {                                                                                                          \
    const ModelEntry& peerEntry = findModel(model, flavor);                                                     \
    if (!peerEntry.available()) {                                                                               \
      const std::string why = std::string(model) + "/" + flavor + " unavailable: " + peerEntry.availability().reason; \
      if (test::peersRequired()) FAIL() << why << " (MLFFB_REQUIRE_PEERS=1)";                                  \
      GTEST_SKIP() << why;                                                                                      \
    }                                                                                                           \
  } while (0)

TEST(LammpsEngine, TensorNetOverOneToFourRanksEqualsThePeriodicModel) {
  SKIP_WITHOUT_LAMMPS();
  SKIP_WITHOUT_PEER("tensornet", "torchmd-net");
  ModelSpec m;
  m.model = "tensornet";
  m.options.flavor = "torchmd-net";
  m.options.precision = Precision::Float64;
  m.options.seed = 5;
  // A small random TensorNet: its embedding and one layer, each of 4 Å (receptive field 8 Å).
  m.options.options = {{"tensornet_channels", "16"}, {"tensornet_layers", "1"}, {"tensornet_rbf", "8"}, {"tensornet_cutoff", "4"}};
  expectRanksEqualThePeriodicModel(buildWaterBox(40, 8), m, kOneToFourRanks);
}

TEST(LammpsEngine, MaceOverOneToFourRanksEqualsItsPeriodicFile) {
  SKIP_WITHOUT_LAMMPS();
  SKIP_WITHOUT_PEER("mace", "mace-torch");
  // MACE-OFF23 small's architecture at a 2.5 Å cutoff (2 interactions: ghosts out to 5 Å), random
  // weights, given as a user's .model file: at 5 Å per interaction every rank would evaluate some
  // 3,000 ghosts of this box (30 s a run here), while the function over ranks is tested the same.
  const System water = buildWaterBox(40, 8);
  const std::string dir = test::freshTempDir("lammps-mace");
  const std::string file = dir + "/short.model";
  if (test::runPeerEval("peers/mace_eval.py", {water}, {"--preset", "small", "--seed", "7", "--r-max", "2.5", "--save-model", file}).is_null())
    return;
  ModelSpec m;
  m.model = "mace";
  m.options.flavor = "mace-torch";
  m.options.precision = Precision::Float64;
  m.options.options = {{"model_file", file}};
  System vacuum = water;  // the ranks load the vacuum file: made once here, not by each rank at once
  vacuum.box.reset();
  auto p = createPotential(m.model, m.options);
  EXPECT_DOUBLE_EQ(p->receptiveField(), 5.0);
  std::vector<std::string> exported;
  for (const System* s : std::vector<const System*>{&vacuum, &water}) {
    p->setSystem(*s);
    exported.push_back(p->describe()["package"]["model_file"]);
  }
  expectRanksEqualThePeriodicModel(water, m, kOneToFourRanks);
  // torch.save never writes the same bytes twice: these exports would never be found again.
  for (const std::string& f : exported) {
    fs::remove(f);
    fs::remove(f + ".json");
  }
  fs::remove_all(dir);
}

TEST(LammpsEngine, ExportedEtAndAniThroughTheTorchScriptFlavourOverOneToFourRanksEqualThePeriodicFile) {
  SKIP_WITHOUT_LAMMPS();
  if (!findModel("et", "torch").available()) GTEST_SKIP() << "LibTorch unavailable: " << findModel("et", "torch").availability().reason;
  const std::string dir = test::freshTempDir("lammps-export");
  const System water = buildWaterBox(40, 8);
  expectRanksEqualThePeriodicModel(water, exportedSpec(etSpec(), water, dir), kOneToFourRanks);
  const System more = buildWaterBox(64, 5);
  expectRanksEqualThePeriodicModel(more, exportedSpec(aniSpec(), more, dir), kOneToFourRanks);
  fs::remove_all(dir);
}

TEST(LammpsEngine, TorchaniOverOneAndThreeRanksEqualsItsPeriodicFile) {
  SKIP_WITHOUT_LAMMPS();
  SKIP_WITHOUT_PEER("ani2x", "torchani");
  ModelSpec m = aniSpec();
  if (m.options.options.empty()) GTEST_SKIP() << "ani2x/torchani needs the real ANI-2x weights (../shared/models/ani-2x_8x)";
  m.options.flavor = "torchani";
  // One rank and an odd grid: each rank loads TorchANI's file (~9 s a run here); ANI-2x's function
  // over 1-4 ranks is the export's test above, TorchANI's subdomains the conformance suite's too.
  expectRanksEqualThePeriodicModel(buildWaterBox(64, 5), m, {{1, {0, 0, 0}}, {3, {3, 1, 1}}});
}

TEST(LammpsEngine, RefusesAFlavourThatCannotEvaluateASubdomainWithOneLine) {
  SKIP_WITHOUT_LAMMPS();
  if (!findModel("ani2x", "torch").available()) GTEST_SKIP() << "ani2x/torch unavailable";
  ModelSpec m = aniSpec();
  m.options.flavor = "torch";
  try {
    runLammps(buildWaterBox(30, 1), m, 1);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot evaluate a subdomain"), std::string::npos) << e.what();
  }
}

TEST(LammpsEngine, RefusesATorchScriptFileWithoutTheSubdomainContractInOneLineNamingIt) {
  SKIP_WITHOUT_LAMMPS();
  std::string why;
  if (!findModel("et", "torch").available() || !pythonHasModules({"torch"}, &why)) GTEST_SKIP() << "LibTorch or Python's torch unavailable " << why;
  // A file of the OpenMM-Torch contract only: no mlffb.json, no atomic_energies.
  const std::string dir = test::freshTempDir("lammps-plain");
  const std::string file = dir + "/plain.pt";
  writeFileAtomically(dir + "/plain.py", "import torch\nclass M(torch.nn.Module):\n    def forward(self, positions, box):\n"
                                         "        return (positions * positions).sum()\ntorch.jit.save(torch.jit.script(M()), \"" + file + "\")\n");
  const auto made = test::runShell(pythonInterpreter() + " " + dir + "/plain.py");
  ASSERT_EQ(made.exitCode, 0) << made.out << made.err;
  ModelSpec m;
  m.model = "water";
  m.options.flavor = "torchscript";
  m.options.precision = Precision::Float64;
  m.options.options = {{"model_file", file}};
  try {
    runLammps(buildWaterBox(30, 1), m, 1);
    FAIL() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const char* part : {"plain.pt cannot evaluate a subdomain", "no mlffb.json", "no atomic_energies method", "mlffb-subdomain/1"})
      EXPECT_NE(what.find(part), std::string::npos) << part << " in " << what;
  }
  fs::remove_all(dir);
}

TEST(LammpsCli, StrongScalingSuiteReportsSpeedupEfficiencyAndEq3) {
  SKIP_WITHOUT_LAMMPS();
  const std::string report = test::freshTempDir("lammps-cli") + "/r.json";
  const auto r = test::runCli("run --suite strong-scaling --model ani2x --systems water --sizes 60 --ranks 1,2 --steps 10 --warmup-steps 2 --minimize-steps 5 --out " + report);
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const auto j = lammps::Json::parse(readFile(report));
  ASSERT_EQ(j["runs"].size(), 2u);
  for (const auto& run : j["runs"]) {
    ASSERT_EQ(run["status"], "ok") << run.dump();
    const auto& l = run["measurements"]["md"]["lammps"];
    EXPECT_GT(l["timing"]["ms_per_step"].get<double>(), 0);
    EXPECT_TRUE(l["timing"]["breakdown"].contains("Pair"));
    EXPECT_GT(l["eq3_speedup"].get<double>(), 0.99);
  }
  ASSERT_TRUE(j.contains("scaling")) << "the report's scaling section";
  const auto& pts = j["scaling"][0]["points"];
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_DOUBLE_EQ(pts[0]["speedup"].get<double>(), 1.0);
  EXPECT_GT(pts[1]["speedup"].get<double>(), 0);
  EXPECT_NEAR(pts[1]["efficiency"].get<double>(), pts[1]["speedup"].get<double>() / 2, 1e-12);
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json " + report);
  EXPECT_EQ(v.exitCode, 0) << v.out << v.err;
  // The figure of measured vs Eq. 3 and its table.
  const std::string figs = test::freshTempDir("lammps-figs");
  const auto f = test::runCli("report " + report + " --out " + figs);
  ASSERT_EQ(f.exitCode, 0) << f.out << f.err;
  EXPECT_TRUE(fs::exists(figs + "/scaling.png"));
  EXPECT_NE(readFile(figs + "/scaling.md").find("| strong ani2x | water-60 |"), std::string::npos) << readFile(figs + "/scaling.md");
  fs::remove_all(figs);
  fs::remove_all(fs::path(report).parent_path());
}

TEST(LammpsCli, WeakScalingGrowsTheSystemWithTheRanksAndSinglePointsRunThroughTheEngine) {
  SKIP_WITHOUT_LAMMPS();
  const std::string dir = test::freshTempDir("lammps-weak");
  const auto r = test::runCli("run --suite weak-scaling --model ani2x --systems water --sizes 40 --ranks 1,2 --mode single-point --engine lammps --repeat 2 --warmup 0 --out " +
                              dir + "/w.json");
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const auto j = lammps::Json::parse(readFile(dir + "/w.json"));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["system"]["name"], "water-40");
  EXPECT_EQ(j["runs"][1]["system"]["name"], "water-80");
  for (const auto& run : j["runs"]) {
    ASSERT_EQ(run["status"], "ok") << run.dump();
    EXPECT_EQ(run["measurements"]["stages"]["total"]["samples"], 2);
    EXPECT_LT(run["measurements"]["energy_kj_mol"].get<double>(), 0);
  }
  // Twice the water, twice the energy (to the interactions across the larger box).
  EXPECT_NEAR(j["runs"][1]["measurements"]["energy_kj_mol"].get<double>() / j["runs"][0]["measurements"]["energy_kj_mol"].get<double>(), 2.0, 0.01);
  ASSERT_EQ(j["scaling"][0]["kind"], "weak");
  EXPECT_EQ(j["scaling"][0]["points"].size(), 2u);
  fs::remove_all(dir);
}
