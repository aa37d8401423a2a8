// ANI-2x against TorchANI 2.9 itself, run at test time in the project's Python environment
// (scripts/peers/torchani_eval.py), on fresh structures: a poly-alanine protein in vacuum and water
// in orthorhombic and triclinic cells, all in float64.
//  - our native and torch flavours = TorchANI with the NeuroChem constants in float64 (≤ 1e-9
//    relative energy), and = TorchANI as it builds the model (its NeuroChem loader rounds the AEV
//    constants and self energies to float32) to that rounding's residual, measured and bounded;
//  - our ani2x/torchani flavour (TorchANI's own TorchScript file through LibTorch) = the same file
//    called from Python, and = TorchANI called directly;
//  - `mlff-bench export --model ani2x` loaded in Python = TorchANI.
// Skipped with the reason without the environment, failed instead under MLFFB_REQUIRE_PEERS=1.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "../PeerTestUtil.hpp"
#include "../PhysicsTestUtil.hpp"
#include "../TestUtil.hpp"
#include "core/PythonEnv.hpp"
#include "core/Subprocess.hpp"
#include "systems/Solvator.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"

using namespace mlffb;
using nlohmann::json;

namespace {

const std::string kAniWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

System protein(std::uint64_t seed) {
  System s = PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, seed, 1000}).build(12);
  test::jitter(s, seed);
  return s;
}

/// The three structures of every comparison, fresh per run (MLFFB_TEST_SEED reproduces one).
std::vector<std::pair<std::string, System>> structures(std::uint64_t seed) {
  // 64 waters: a 12.4 Å cube, every width of the triclinic cell above twice the 5.1 Å cutoff.
  return {{"protein", protein(seed)}, {"orthorhombic water", test::peerWater(64, seed, false)}, {"triclinic water", test::peerWater(64, seed, true)}};
}

/// TorchANI's results (torchani_eval.py) for each `what` on each structure, in float64.
std::map<std::string, std::vector<EnergyForces>> torchaniResults(const std::vector<std::pair<std::string, System>>& systems,
                                                                 const std::vector<std::string>& whats) {
  std::vector<System> structures;
  for (const auto& [name, s] : systems) structures.push_back(s);
  std::vector<std::string> args{"--weights", kAniWeights, "--threads", "2"};
  for (const auto& w : whats) args.insert(args.end(), {"--eval", w});
  const json out = test::runPeerEval("peers/torchani_eval.py", structures, args);
  std::map<std::string, std::vector<EnergyForces>> results;
  if (out.is_null()) return results;
  for (const auto& w : whats)
    for (const auto& one : out["results"][w]) results[w].push_back(test::evalResult(one));
  return results;
}

PotentialOptions float64Options(const std::string& flavor) {
  PotentialOptions o;
  o.flavor = flavor;
  o.precision = Precision::Float64;
  o.options["weights"] = kAniWeights;
  return o;
}

EnergyForces ours(Potential& p, const System& s) {
  p.setSystem(s);
  return p.compute(s.positions, s.box, true);
}

double relativeEnergyError(const EnergyForces& a, const EnergyForces& b) { return std::abs(a.energy - b.energy) / std::abs(b.energy); }

}  // namespace

TEST(TorchaniPeer, NativeAndTorchEqualTorchani29InFloat64) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchani");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const auto systems = structures(seed);
  auto ref = torchaniResults(systems, {"torchani-exact", "torchani"});
  if (ref.empty()) return;
  for (const std::string flavor : {"native", "torch"}) {
    if (!findModel("ani2x", flavor).available()) continue;
    auto p = createPotential("ani2x", float64Options(flavor));
    for (size_t i = 0; i < systems.size(); ++i) {
      SCOPED_TRACE(flavor + " on " + systems[i].first);
      const EnergyForces r = ours(*p, systems[i].second);
      // The same function: TorchANI with the files' constants in float64.
      EXPECT_LT(relativeEnergyError(r, ref["torchani-exact"][i]), 1e-9);
      EXPECT_LT(relativeForceError(r.forces, ref["torchani-exact"][i].forces), 1e-7);  // autograd vs our sums: ~1e-8
      // TorchANI as it builds ANI-2x: the constants rounded to float32 move the energy by ~3e-8
      // and the forces by ~1e-6 of themselves (measured on these structures; printed below).
      const double e32 = relativeEnergyError(r, ref["torchani"][i]), f32 = relativeForceError(r.forces, ref["torchani"][i].forces);
      std::printf("%s on %s vs TorchANI's float32 constants: energy %.2e, forces %.2e relative\n", flavor.c_str(),
                  systems[i].first.c_str(), e32, f32);
      EXPECT_LT(e32, 2e-7);
      EXPECT_LT(f32, 1e-5);
      EXPECT_GT(f32, 1e-9) << "TorchANI's constants are float32-rounded: its forces should differ measurably";
    }
  }
}

TEST(TorchaniPeer, TorchaniFlavourEqualsItsFileAndTorchaniInPython) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchani");
  ASSERT_TRUE(findModel("ani2x", "torchani").available()) << findModel("ani2x", "torchani").availability().reason;
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const auto systems = structures(seed);
  // One potential per periodicity: the vacuum file for the protein, the periodic one for water.
  auto vacuum = createPotential("ani2x", float64Options("torchani"));
  auto periodic = createPotential("ani2x", float64Options("torchani"));
  std::vector<EnergyForces> mine;
  for (const auto& [name, s] : systems) mine.push_back(ours(s.box ? *periodic : *vacuum, s));
  const std::string vacuumFile = vacuum->describe()["peer"]["model_file"], periodicFile = periodic->describe()["peer"]["model_file"];
  EXPECT_NE(vacuumFile, periodicFile);
  auto ref = torchaniResults(systems, {"torchani", "file:" + vacuumFile, "file:" + periodicFile});
  if (ref.empty()) return;
  for (size_t i = 0; i < systems.size(); ++i) {
    SCOPED_TRACE(systems[i].first);
    const EnergyForces& file = ref["file:" + (systems[i].second.box ? periodicFile : vacuumFile)][i];
    // The same file and the same LibTorch line: the same numbers to rounding.
    EXPECT_LT(relativeEnergyError(mine[i], file), 1e-13);
    EXPECT_LT(relativeForceError(mine[i].forces, file.forces), 1e-12);
    // TorchANI's own module called directly: the scripted module computes the same.
    EXPECT_LT(relativeEnergyError(mine[i], ref["torchani"][i]), 1e-12);
    EXPECT_LT(relativeForceError(mine[i].forces, ref["torchani"][i].forces), 1e-10);
  }
  const json d = vacuum->describe();
  EXPECT_EQ(d["flavor"], "torchani");
  EXPECT_EQ(d["peer"]["torchani"], "2.9.0");
  EXPECT_EQ(d["weights"]["source"], std::filesystem::canonical(kAniWeights).string());
}

TEST(TorchaniPeer, ExportedAni2xReproducesTorchaniInPython) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchani");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const std::string dir = test::freshTempDir("torchani-export");
  const std::string file = dir + "/ani2x.pt";
  const auto cli = test::runCli("export --model ani2x --precision float64 --weights " + kAniWeights + " --out " + file);
  ASSERT_EQ(cli.exitCode, 0) << cli.err;
  const auto systems = structures(seed);
  auto ref = torchaniResults(systems, {"torchani-exact", "export:" + file});
  std::filesystem::remove_all(dir);
  if (ref.empty()) return;
  for (size_t i = 0; i < systems.size(); ++i) {
    SCOPED_TRACE(systems[i].first);
    EXPECT_LT(relativeEnergyError(ref["export:" + file][i], ref["torchani-exact"][i]), 1e-9);
    EXPECT_LT(relativeForceError(ref["export:" + file][i].forces, ref["torchani-exact"][i].forces), 1e-7);
  }
}
