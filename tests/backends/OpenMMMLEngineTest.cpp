// The openmm-ml engine (OpenMM + openmm-ml's MLPotential('ani2x') from the project's Python
// environment): a single point through its script equals TorchANI's own float64 energy from a direct
// Python call and our native ANI-2x in float64 on the same atoms, to the float32 residual of
// openmm-ml's path; a short MD run through the engine gives finite ns/day and the model's share,
// and through `mlff-bench run` a record the report schema accepts. Skipped with the reason without
// the environment (failed under MLFFB_REQUIRE_PEERS=1).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "backends/EngineRegistry.hpp"
#include "backends/openmmml/OpenMMMLEngine.hpp"
#include "core/PythonEnv.hpp"
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "tests/PeerTestUtil.hpp"
#include "tests/TestUtil.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace {
using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

const std::string kWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

/// openmm-ml's ANI evaluates TorchANI in float32 (positions, weights, the Hartree → kJ/mol product),
/// so its energy carries float32's relative rounding (2^-24 ≈ 6e-8) a few times over the sum of
/// atomic energies: 1e-6 of |E| is 16 float32 epsilons (polyala-3: 2.1 kJ/mol of 2.1e6; the float32
/// spacing of the energy alone is 0.25 kJ/mol there).
constexpr double kFloat32Energy = 1e-6;

System polyala(int residues) { return PolyAlanineBuilder(PolyAlanineOptions{}).build(residues); }

EngineRequest request(const System& s, Mode mode) {
  EngineRequest rq;
  rq.system = &s;
  rq.model = {"ani2x", {}};
  rq.model.options.options["weights"] = kWeights;
  rq.mode = mode;
  rq.repeat = 1;
  return rq;
}

OpenMMMLSettings oneThread() {
  OpenMMMLSettings s;
  s.threads = 1;
  s.timeoutSeconds = 300;
  return s;
}

/// TorchANI 2.9's ANI2x in float64 on `s`, called directly (mlffb_peers.torchani_ani2x): energy
/// (kJ/mol) and forces (kJ/mol/Å).
Json torchaniFloat64(const System& s, const std::string& dir) {
  Json in;
  for (size_t i = 0; i < s.size(); ++i) {
    in["numbers"].push_back(s.atoms[i].element);
    in["positions"].push_back({s.positions[i].x, s.positions[i].y, s.positions[i].z});
  }
  std::ofstream(dir + "/in.json") << in.dump();
  std::ofstream(dir + "/direct.py") << "import json, sys, torch\n"
                                       "sys.path.insert(0, '" + projectScript("peers") + "')\n"
                                       "import mlffb_peers, torchani\n"
                                       "data = mlffb_peers.cached_ani2x_data_dir('" + kWeights + "')\n"
                                       "model = mlffb_peers.torchani_ani2x('" + kWeights + "', data, dtype=torch.float64)\n"
                                       "j = json.load(open('in.json'))\n"
                                       "x = torch.tensor([j['positions']], dtype=torch.float64, requires_grad=True)\n"
                                       "e = model((torch.tensor([j['numbers']]), x)).energies * torchani.units.hartree2kjoulemol(1)\n"
                                       "e.backward()\n"
                                       "json.dump({'energy': e.item(), 'forces': (-x.grad[0]).tolist()}, open('out.json', 'w'))\n";
  SubprocessOptions o;
  o.workDir = dir;
  o.logPath = "direct.log";
  o.timeoutSeconds = 300;
  o.env["TORCHANI_NO_WARN_EXTENSIONS"] = "1";
  const SubprocessResult r = runProgram({pythonInterpreter(), "direct.py"}, o);
  EXPECT_TRUE(r.ok()) << readTextFile(r.logPath, 4096);
  return r.ok() ? Json::parse(readTextFile(dir + "/out.json")) : Json();
}

TEST(OpenMMMLEngine, SinglePointEqualsTorchAniAndNativeAni2x) {
  MLFFB_REQUIRE_PYTHON_MODULES("openmm", "openmmml", "torchani");
  const System s = polyala(3);
  ScratchDir dir = ScratchDir::create("mlffb-openmmml-test-");
  const Json got = OpenMMMLEngine(oneThread()).runScript(request(s, Mode::SinglePoint), dir.path());
  const double e = got.at("single_point").at("energy_kj_mol").get<double>();
  const Json direct = torchaniFloat64(s, dir.path());
  ASSERT_FALSE(direct.is_null());
  const double eTorchani = direct.at("energy").get<double>();
  EXPECT_NEAR(e, eTorchani, kFloat32Energy * std::abs(eTorchani));

  PotentialOptions native;
  native.flavor = "native";
  native.precision = Precision::Float64;
  native.options["weights"] = kWeights;
  auto pot = createPotential("ani2x", native);
  pot->setSystem(s);
  const EnergyForces ref = pot->compute(s.positions, s.box, true);
  EXPECT_NEAR(e, ref.energy, kFloat32Energy * std::abs(ref.energy));
  // The direct call is the same model as ours: TorchANI's NeuroChem loader rounds the AEV constants
  // to float32, which moves this energy by 2.6e-8 of itself.
  EXPECT_NEAR(eTorchani, ref.energy, 1e-7 * std::abs(ref.energy));

  // Forces: float32 gradients against float64 ones, within 1e-3 of the largest force (openmm-ml 1.8's
  // own are 10x too small: the engine's script gives them their unit, see fix_ani_force_units).
  const Json& f = got.at("single_point").at("forces_kj_mol_angstrom");
  ASSERT_EQ(f.size(), s.size());
  double largest = 0, worst = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      const double want = direct.at("forces")[i][k].get<double>();
      largest = std::max(largest, std::abs(want));
      worst = std::max(worst, std::abs(f[i][k].get<double>() - want));
    }
  EXPECT_LT(worst, 1e-3 * largest) << "largest force " << largest;
}

TEST(OpenMMMLEngine, ShortMdGivesFiniteNsPerDayAndTheModelShare) {
  MLFFB_REQUIRE_PYTHON_MODULES("openmm", "openmmml", "torchani");
  const System s = polyala(3);
  EngineRequest rq = request(s, Mode::Md);
  rq.md.steps = 20;
  rq.md.warmupSteps = 10;
  rq.md.minimizeSteps = 10;
  rq.md.traceEvery = 5;
  const EngineResult r = OpenMMMLEngine(oneThread()).run(rq);
  ASSERT_TRUE(r.reportedMsPerStep.has_value());
  const Json md = mdSummary(rq, r, {});
  EXPECT_TRUE(std::isfinite(md.at("ns_per_day").get<double>()) && md.at("ns_per_day").get<double>() > 0) << md.dump();
  EXPECT_EQ(r.potentialKJPerMol.size(), 4u);  // production trace steps 15, 20, 25, 30
  const Json& share = r.extra.at("openmm_ml").at("model_share");
  EXPECT_GT(share.at("share_of_step").get<double>(), 0.0) << share.dump();
  EXPECT_EQ(r.extra.at("openmm_ml").at("ml_force"), Json::array({"PythonForce"}));
}

TEST(OpenMMMLEngine, AFailingScriptIsOneLineNamingTheCause) {
  MLFFB_REQUIRE_PYTHON_MODULES("openmm", "openmmml", "torchani");
  const System s = polyala(2);
  EngineRequest rq = request(s, Mode::SinglePoint);
  rq.model.options.options["weights"] = "/nonexistent-ani-weights";
  OpenMMMLSettings settings = oneThread();
  settings.workRoot = test::freshTempDir("openmmml-fail");  // the failed run's folder is kept there
  try {
    OpenMMMLEngine(settings).run(rq);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("openmm-ml engine: FileNotFoundError:", 0), 0u) << what;
    EXPECT_NE(what.find("/nonexistent-ani-weights"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

TEST(OpenMMMLEngine, RunRecordPassesTheReportSchema) {
  MLFFB_REQUIRE_PYTHON_MODULES("openmm", "openmmml", "torchani");
  const ModelEntry* torchani = ModelRegistry::instance().find("ani2x/torchani");
  if (!torchani || !torchani->available()) {
    const std::string why = torchani ? torchani->availability().reason : "this build has no such flavour";
    if (test::peersRequired()) FAIL() << "MLFFB_REQUIRE_PEERS=1: ani2x/torchani is unavailable: " << why;
    GTEST_SKIP() << "the openmm-ml engine's points are ani2x/torchani's, unavailable here: " << why;
  }
  const std::string dir = test::freshTempDir("openmmml-run");
  const auto run = test::runCli("run --mode md --engine openmm-ml --model ani2x --flavor torchani --systems polyala --sizes 3 --configuration mlff "
                                "--precision float32 --device cpu --steps 20 --warmup-steps 10 --minimize-steps 10 --trace-every 5 "
                                "--threads 1 --weights " + kWeights + " --out " + dir + "/r.json");
  ASSERT_EQ(run.exitCode, 0) << run.err << run.out;
  const Json report = Json::parse(readTextFile(dir + "/r.json"));
  ASSERT_EQ(report.at("runs").size(), 1u);
  const Json& rec = report["runs"][0];
  EXPECT_EQ(rec.at("status"), "ok") << rec.dump();
  const double nsPerDay = rec.at("measurements").at("md").at("ns_per_day").get<double>();
  EXPECT_TRUE(std::isfinite(nsPerDay) && nsPerDay > 0);
  const auto v = test::runShell("/usr/bin/python3 " + std::string(MLFFB_SOURCE_DIR) + "/scripts/validate_report.py " +
                                std::string(MLFFB_SOURCE_DIR) + "/results/schema/report.schema.json " + dir + "/r.json");
  EXPECT_EQ(v.exitCode, 0) << v.out;
}

}  // namespace
}  // namespace mlffb
