// mace/mace-torch against mace-torch itself, run at test time in the project's Python environment
// (scripts/peers/mace_eval.py: the package's own ASE calculator, MACECalculator, with its own
// neighbour list) on fresh structures: a poly-alanine slice in vacuum and water in orthorhombic and
// triclinic cells narrower than twice the 5 Å cutoff (so several images of one atom are
// neighbours), in float64, MACE-OFF23's small architecture with random weights. Also the file's
// subdomain contract (mlffb.json and atomic_energies summing to the vacuum energy), a user's .model
// file (--model-file) and the refusal of an element the model does not take.
// Skipped with the reason without the environment, failed instead under MLFFB_REQUIRE_PEERS=1.
#include <gtest/gtest.h>
#include <torch/autograd.h>
#include <torch/script.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "../PeerTestUtil.hpp"
#include "../PhysicsTestUtil.hpp"
#include "../TestUtil.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"

using namespace mlffb;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaceWeightsSeed = 7;  // fixed, so the cached files serve every run

PotentialOptions maceOptions(OptionValues values = {{"mace_preset", "small"}}) {
  PotentialOptions o;
  o.flavor = "mace-torch";
  o.precision = Precision::Float64;
  o.seed = kMaceWeightsSeed;
  o.options = std::move(values);
  return o;
}

/// A 4-residue poly-alanine slice (folded, charged termini), jittered.
System maceProtein(std::uint64_t seed) {
  System s = PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, seed, 1000}).build(4);
  test::jitter(s, seed);
  return s;
}

/// The protein and 24 waters (a 9.0 Å cube: narrower than 2 × 5 Å) in both cells.
std::vector<System> maceStructures(std::uint64_t seed) {
  return {maceProtein(seed), test::peerWater(24, seed, false), test::peerWater(24, seed, true)};
}

EnergyForces evaluate(Potential& p, const System& s) {
  p.setSystem(s);
  return p.compute(s.positions, s.box, true);
}

double relativeEnergyError(const EnergyForces& a, const EnergyForces& b) { return std::abs(a.energy - b.energy) / std::abs(b.energy); }

/// A file of the flavour and its mlffb.json extra file.
std::pair<torch::jit::Module, json> loadWithContract(const std::string& file) {
  torch::jit::ExtraFilesMap extra{{"mlffb.json", ""}};
  torch::jit::Module m = torch::jit::load(file, torch::kCPU, extra);
  return {m, json::parse(extra.at("mlffb.json"))};
}

}  // namespace

TEST(MacePeer, EqualsMaceTorchsOwnCalculatorInFloat64) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "e3nn", "mace");
  ASSERT_TRUE(findModel("mace", "mace-torch").available()) << findModel("mace", "mace-torch").availability().reason;
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const auto systems = maceStructures(seed);
  auto p = createPotential("mace", maceOptions());
  std::vector<EnergyForces> mine;
  for (const auto& s : systems) mine.push_back(evaluate(*p, s));
  const json ref = test::runPeerEval("peers/mace_eval.py", systems,
                                     {"--preset", "small", "--seed", std::to_string(kMaceWeightsSeed), "--threads", "2"});
  if (ref.is_null()) return;
  const char* names[] = {"protein in vacuum", "orthorhombic water", "triclinic water"};
  for (size_t i = 0; i < systems.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const EnergyForces theirs = test::evalResult(ref["results"][i]);
    std::printf("%s: %zu atoms, energy %.6f kJ/mol, relative errors: energy %.2e, forces %.2e\n", names[i], systems[i].size(),
                mine[i].energy, relativeEnergyError(mine[i], theirs), relativeForceError(mine[i].forces, theirs.forces));
    EXPECT_LT(relativeEnergyError(mine[i], theirs), 1e-9);
    EXPECT_LT(relativeForceError(mine[i].forces, theirs.forces), 1e-7);
  }
  const json d = p->describe();
  EXPECT_EQ(d["flavor"], "mace-torch");
  EXPECT_EQ(d["hyperparameters"]["preset"], "small");
  EXPECT_EQ(d["hyperparameters"]["hidden_irreps"], "96x0e");
  EXPECT_EQ(d["weights"]["random"], true);
  EXPECT_EQ(d["package"]["mace-torch"], ref["mace-torch"]);
}

TEST(MacePeer, FileCarriesTheSubdomainContractAndItsAtomicEnergiesSumToTheVacuumEnergy) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "e3nn", "mace");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const System s = maceProtein(seed);
  auto p = createPotential("mace", maceOptions());
  const EnergyForces e = evaluate(*p, s);
  EXPECT_DOUBLE_EQ(p->cutoff(), 5.0);
  EXPECT_DOUBLE_EQ(p->receptiveField(), 10.0);
  auto [m, meta] = loadWithContract(p->describe()["package"]["model_file"]);
  EXPECT_EQ(meta["contract"], "mlffb-subdomain/1");
  EXPECT_DOUBLE_EQ(meta["cutoff_nm"].get<double>(), 0.5);
  EXPECT_EQ(meta["interaction_steps"], 2);
  EXPECT_DOUBLE_EQ(meta["receptive_field_nm"].get<double>(), 1.0);
  std::vector<double> nm;
  std::vector<int64_t> z;
  for (size_t i = 0; i < s.size(); ++i) {
    for (int k = 0; k < 3; ++k) nm.push_back(s.positions[i][k] / 10.0);
    z.push_back(s.atoms[i].element);
  }
  const torch::Tensor x = torch::tensor(nm, torch::kFloat64).view({-1, 3}).requires_grad_(true);
  const torch::Tensor atomic = m.get_method("atomic_energies")({x, torch::tensor(z, torch::kLong)}).toTensor();
  ASSERT_EQ(atomic.numel(), static_cast<int64_t>(s.size()));
  EXPECT_EQ(atomic.scalar_type(), torch::kFloat64);
  EXPECT_NEAR(atomic.sum().item<double>(), e.energy, 1e-12 * std::abs(e.energy));
  // Differentiable: −∇ of the sum is the forces (kJ/mol/nm → kJ/mol/Å).
  const torch::Tensor g = torch::autograd::grad({atomic.sum()}, {x})[0];
  std::vector<Vec3> f;
  for (int64_t i = 0; i < g.size(0); ++i) f.push_back(Vec3{-g[i][0].item<double>(), -g[i][1].item<double>(), -g[i][2].item<double>()} / 10.0);
  EXPECT_LT(relativeForceError(f, e.forces), 1e-12);
}

TEST(MacePeer, ModelFileGivesThatModelsWeights) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "e3nn", "mace");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const System s = maceProtein(seed);
  // The preset's model written as a .model file by mace-torch (torch.save), then given back.
  const std::string dir = test::freshTempDir("mace-model");
  const std::string file = dir + "/small.model";
  const json written = test::runPeerEval("peers/mace_eval.py", {s},
                                         {"--preset", "small", "--seed", std::to_string(kMaceWeightsSeed), "--save-model", file});
  if (written.is_null()) return;
  auto preset = createPotential("mace", maceOptions());
  auto fromFile = createPotential("mace", maceOptions({{"model_file", file}}));
  const EnergyForces a = evaluate(*preset, s), b = evaluate(*fromFile, s);
  EXPECT_NEAR(b.energy, a.energy, 1e-12 * std::abs(a.energy));
  EXPECT_LT(relativeForceError(b.forces, a.forces), 1e-12);
  EXPECT_DOUBLE_EQ(fromFile->receptiveField(), 10.0);  // read from the file's model: 2 × 5 Å
  const json d = fromFile->describe();
  EXPECT_EQ(d["weights"]["random"], false);
  EXPECT_EQ(d["weights"]["source"], std::filesystem::canonical(file).string());
  std::filesystem::remove_all(dir);
  // torch.save does not write the same bytes twice, so this export is never found again: not kept.
  const std::string exported = d["package"]["model_file"];
  std::filesystem::remove(exported);
  std::filesystem::remove(exported + ".json");
}

TEST(MacePeer, RefusesAnElementTheModelDoesNotTakeNamingTheAtom) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "e3nn", "mace");
  System s = maceProtein(1);
  Atom na = s.atoms[0];
  na.element = 11;
  na.name = "NA";
  na.residueName = "NA";
  na.residueNumber = 99;
  s.addAtom(na, s.positions[0] + Vec3{8, 0, 0});
  auto p = createPotential("mace", maceOptions());
  try {
    p->setSystem(s);
    FAIL() << "sodium accepted";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("element Na (atom " + std::to_string(s.size())), std::string::npos) << what;
    EXPECT_NE(what.find("its elements: H C N O F P S Cl Br"), std::string::npos) << what;  // iodine: Z=53, beyond our table
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}
