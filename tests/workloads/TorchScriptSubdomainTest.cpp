// The torchscript flavour's subdomain path (TorchScriptPotential.hpp, kSubdomainContract) on a small
// hand-made scripted module, without LAMMPS: the energy is the owned atoms' share of its per-atom
// energies, every force (ghosts included) the finite-difference gradient of that share; a file
// without mlffb.json or without atomic_energies is refused in one line naming the file.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <tuple>
#include <unistd.h>

#include "workloads/torchscript/TorchScriptPotential.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {

// e_i = ½ z_i Σ_{j≠i} z_j exp(−10 r_ij²), r in nm: every atom's energy reaches its neighbours.
const char* kPairForward = R"TS(
def forward(self, positions: Tensor) -> Tensor:
    return self.pair_energies(positions, self.numbers).sum()
)TS";
const char* kPairAtomic = R"TS(
def atomic_energies(self, positions: Tensor, atomic_numbers: Tensor) -> Tensor:
    return self.pair_energies(positions, atomic_numbers)
)TS";
const char* kPairEnergies = R"TS(
def pair_energies(self, positions: Tensor, atomic_numbers: Tensor) -> Tensor:
    z = atomic_numbers.to(positions.dtype)
    d = positions.unsqueeze(0) - positions.unsqueeze(1)
    w = torch.exp(-10.0 * (d * d).sum(-1)) * (1.0 - torch.eye(positions.size(0), dtype=positions.dtype))
    return 0.5 * z * (w * z.unsqueeze(0)).sum(1)
)TS";

System subdomainSixAtoms() {
  System s;
  const int z[6] = {8, 1, 1, 6, 1, 7};
  const Vec3 x[6] = {{0, 0, 0}, {0.9, 0.3, 0}, {-0.4, 0.8, 0.2}, {2.1, 0.4, -0.3}, {2.6, 1.2, 0.5}, {1.2, -1.5, 0.9}};
  for (int i = 0; i < 6; ++i) {
    Atom a;
    a.element = z[i];
    s.atoms.push_back(a);
    s.positions.push_back(x[i]);
  }
  return s;
}

/// The module saved as `file`, with mlffb.json when `json` is not empty.
std::string savePairModel(bool withAtomic, const std::string& json, const std::string& name) {
  torch::jit::Module m("PairModel");
  m.register_buffer("numbers", torch::tensor({8, 1, 1, 6, 1, 7}, torch::kLong));
  m.define(kPairEnergies);
  if (withAtomic) m.define(kPairAtomic);
  m.define(kPairForward);
  const std::string file = (fs::temp_directory_path() / ("mlffb-subdomain-" + std::to_string(::getpid()) + "-" + name)).string();
  torch::jit::ExtraFilesMap extra;
  if (!json.empty()) extra["mlffb.json"] = json;
  m.save(file, extra);
  return file;
}

std::unique_ptr<Potential> loadPairModel(const std::string& file) {
  PotentialOptions o;
  o.precision = Precision::Float64;
  o.options["model_file"] = file;
  return makeTorchScriptPotential("pairs", o);
}

const char* kPairContractJson = R"({"contract": "mlffb-subdomain/1", "cutoff_nm": 0.3, "interaction_steps": 2, "receptive_field_nm": 0.6})";

/// The owned atoms' energies by hand, float64.
double pairOwnedEnergy(const System& s, const std::vector<Vec3>& x, size_t owned) {
  double e = 0;
  for (size_t i = 0; i < owned; ++i)
    for (size_t j = 0; j < s.size(); ++j) {
      if (i == j) continue;
      const Vec3 d = (x[i] - x[j]) * 0.1;  // nm
      e += 0.5 * s.atoms[i].element * s.atoms[j].element * std::exp(-10.0 * dot(d, d));
    }
  return e;
}

}  // namespace

TEST(TorchScriptSubdomain, OwnedEnergiesAndTheirGradientOnEveryAtomThenTheWholeSystemAgain) {
  const std::string file = savePairModel(true, kPairContractJson, "ok.pt");
  auto p = loadPairModel(file);
  EXPECT_TRUE(p->supportsSubdomain());
  EXPECT_DOUBLE_EQ(p->receptiveField(), 6.0);
  EXPECT_DOUBLE_EQ(p->cutoff(), 3.0);
  EXPECT_EQ(p->describe()["subdomain"]["contract"], "mlffb-subdomain/1");
  const System s = subdomainSixAtoms();
  const size_t owned = 3;
  p->setSubdomain(s, owned);
  const EnergyForces ef = p->compute(s.positions, std::nullopt, true);
  EXPECT_NEAR(ef.energy, pairOwnedEnergy(s, s.positions, owned), 1e-12 * std::abs(ef.energy));
  ASSERT_EQ(ef.forces.size(), s.size());
  const double h = 1e-5;  // Å
  for (size_t i = 0; i < s.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      std::vector<Vec3> plus = s.positions, minus = s.positions;
      plus[i][k] += h;
      minus[i][k] -= h;
      const double fd = -(p->compute(plus, std::nullopt, false).energy - p->compute(minus, std::nullopt, false).energy) / (2 * h);
      EXPECT_NEAR(ef.forces[i][k], fd, 1e-6 * (1 + std::abs(fd))) << "atom " << i << (i >= owned ? " (ghost)" : " (owned)") << ", axis " << k;
    }
  EXPECT_GT(std::abs(ef.forces[5].x) + std::abs(ef.forces[5].y), 0) << "a ghost's force";
  p->setSystem(s);  // the whole system again: every atom's energy
  EXPECT_NEAR(p->compute(s.positions, std::nullopt, false).energy, pairOwnedEnergy(s, s.positions, s.size()), 1e-12 * std::abs(ef.energy));
  fs::remove(file);
}

TEST(TorchScriptSubdomain, AFileWithoutTheContractIsRefusedInOneLineNamingTheFileAndWhatItLacks) {
  const System s = subdomainSixAtoms();
  for (const auto& [withAtomic, json, lack] : std::vector<std::tuple<bool, std::string, std::string>>{
           {false, "", "it has no mlffb.json; it has no atomic_energies method"},
           {true, "", "it has no mlffb.json"},
           {false, kPairContractJson, "it has no atomic_energies method"},
           {true, R"({"contract": "mlffb-subdomain/1", "cutoff_nm": 0.3})", "no positive \"interaction_steps\""}}) {
    const std::string file = savePairModel(withAtomic, json, "refused.pt");
    auto p = loadPairModel(file);
    EXPECT_FALSE(p->supportsSubdomain()) << lack;
    EXPECT_EQ(p->describe()["subdomain"]["supported"], false);
    try {
      p->setSubdomain(s, 3);
      ADD_FAILURE() << "expected a refusal: " << lack;
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_EQ(what.rfind(file + " cannot evaluate a subdomain", 0), 0u) << what;
      EXPECT_NE(what.find(lack), std::string::npos) << what;
      EXPECT_NE(what.find("atomic_energies(positions (N,3) nm"), std::string::npos) << what;
    }
    // It still evaluates whole systems.
    p->setSystem(s);
    EXPECT_NEAR(p->compute(s.positions, std::nullopt, false).energy, pairOwnedEnergy(s, s.positions, s.size()), 1e-9);
    fs::remove(file);
  }
}
