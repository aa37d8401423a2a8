// TorchMD-Net ET (torch flavour) against the independent float64 loop reference; invariance,
// equivariance of the vector features, finite differences, the neighbour cap, and the
// TorchScript contract.
#include <gtest/gtest.h>
#include <torch/script.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "../PhysicsTestUtil.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/torchmd_et/EtModel.hpp"
#include "workloads/torchmd_et/EtReference.hpp"
#include "workloads/torchmd_et/EtTorch.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
using test::freshSeed;
using test::randomRotation;
using test::Rotation;

/// Small but complete configuration so the float64 loop reference stays fast.
std::map<std::string, std::string> smallConfig() {
  return {{"preset", "ani1"}, {"hidden_channels", "32"}, {"num_layers", "2"}, {"num_rbf", "16"}, {"num_heads", "4"}};
}

System molecule(int n, std::uint64_t seed, double density = 0.06) {
  return test::randomCluster(n, seed, {1, 1, 1, 6, 6, 7, 8, 16}, density, 1.0);
}

std::vector<int> numbers(const System& s) {
  std::vector<int> z;
  for (const auto& a : s.atoms) z.push_back(a.element);
  return z;
}

std::unique_ptr<Potential> etTorch(const std::map<std::string, std::string>& cfg, std::uint64_t seed, Precision p) {
  PotentialOptions o;
  o.flavor = "torch";
  o.precision = p;
  o.seed = seed;
  o.options = cfg;
  return createPotential("et", o);
}

}  // namespace

TEST(Et, TorchMatchesTheLoopReferenceFloat64) {
  for (auto [n, cfg] : {std::pair{12, smallConfig()}, std::pair{40, smallConfig()},
                        std::pair{18, std::map<std::string, std::string>{{"preset", "ani1"}}}}) {
    const std::uint64_t seed = freshSeed();
    SCOPED_TRACE("atoms " + std::to_string(n) + " seed " + std::to_string(seed));
    const System s = molecule(n, seed);
    auto pot = etTorch(cfg, seed, Precision::Float64);
    pot->setSystem(s);
    const EnergyForces r = pot->compute(s.positions, std::nullopt, false);
    const et::EtWeights w = et::randomEtWeights(et::EtConfig::fromSettings(cfg), seed);
    const auto ref = et::etReferenceForward(w, numbers(s), s.positions, std::nullopt);
    EXPECT_NEAR(r.energy, ref.energy, 1e-9 * std::abs(ref.energy));
    // float32 flavour close to it too.
    auto p32 = etTorch(cfg, seed, Precision::Float32);
    p32->setSystem(s);
    EXPECT_NEAR(p32->compute(s.positions, std::nullopt, false).energy, ref.energy, 1e-4 * std::abs(ref.energy) + 1e-4);
  }
}

TEST(Et, ForcesEqualFiniteDifferencesOfTheReference) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const System s = molecule(15, seed);
  auto pot = etTorch(smallConfig(), seed, Precision::Float64);
  pot->setSystem(s);
  const EnergyForces r = pot->compute(s.positions, std::nullopt, true);
  const et::EtWeights w = et::randomEtWeights(et::EtConfig::fromSettings(smallConfig()), seed);
  const auto z = numbers(s);
  auto energyAt = [&](int i, int k, double dx) {
    auto x = s.positions;
    x[i][k] += dx;
    return et::etReferenceForward(w, z, x, std::nullopt).energy;
  };
  const double h = 1e-4;
  Rng rng(seed);
  for (int t = 0; t < 8; ++t) {
    const int i = rng.uniformInt(0, 14), k = rng.uniformInt(0, 2);
    const double fd = -(-energyAt(i, k, 2 * h) + 8 * energyAt(i, k, h) - 8 * energyAt(i, k, -h) + energyAt(i, k, -2 * h)) / (12 * h);
    EXPECT_NEAR(r.forces[i][k], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "atom " << i << " axis " << k;
  }
}

TEST(Et, InvariantEnergyEquivariantVectorFeaturesAndForces) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const System s = molecule(25, seed);
  auto pot = etTorch(smallConfig(), seed, Precision::Float64);
  auto* features = dynamic_cast<EtFeatureAccess*>(pot.get());
  ASSERT_NE(features, nullptr);
  pot->setSystem(s);
  const EnergyForces r0 = pot->compute(s.positions, std::nullopt, true);
  const std::vector<double> vec0 = features->lastVectorFeatures();
  Rng rng(seed ^ 0xabcdefULL);
  const Rotation R = randomRotation(rng);
  const Vec3 shift{rng.uniform(-20, 20), rng.uniform(-20, 20), rng.uniform(-20, 20)};
  std::vector<Vec3> moved;
  for (const auto& p : s.positions) moved.push_back(R(p) + shift);
  const EnergyForces r1 = pot->compute(moved, std::nullopt, true);
  const std::vector<double> vec1 = features->lastVectorFeatures();
  EXPECT_NEAR(r1.energy, r0.energy, 1e-10 * std::max(1.0, std::abs(r0.energy)));
  for (size_t i = 0; i < s.size(); ++i) EXPECT_LT(norm(r1.forces[i] - R(r0.forces[i])), 1e-8 * (1 + norm(r0.forces[i])));
  // vec[i][axis][channel] rotates as a vector in its axis index.
  const int H = 32;
  double worst = 0, scale = 0;
  for (size_t i = 0; i < s.size(); ++i)
    for (int c = 0; c < H; ++c) {
      const Vec3 v0{vec0[(i * 3 + 0) * H + c], vec0[(i * 3 + 1) * H + c], vec0[(i * 3 + 2) * H + c]};
      const Vec3 v1{vec1[(i * 3 + 0) * H + c], vec1[(i * 3 + 1) * H + c], vec1[(i * 3 + 2) * H + c]};
      worst = std::max(worst, norm(v1 - R(v0)));
      scale = std::max(scale, norm(v0));
    }
  EXPECT_GT(scale, 1e-3);  // the features are not trivially zero
  EXPECT_LT(worst, 1e-9 * scale);
  // Permutation.
  const auto [ps, perm] = test::permuted(s, seed);
  pot->setSystem(ps);
  const EnergyForces r2 = pot->compute(ps.positions, std::nullopt, true);
  EXPECT_NEAR(r2.energy, r0.energy, 1e-10 * std::max(1.0, std::abs(r0.energy)));
  for (size_t k = 0; k < perm.size(); ++k) EXPECT_LT(norm(r2.forces[k] - r0.forces[perm[k]]), 1e-8 * (1 + norm(r0.forces[perm[k]])));
}

TEST(Et, NeighbourCapIsAnErrorWithTheCount) {
  const System dense = molecule(60, 5, 0.12);
  auto pot = etTorch({{"preset", "md17"}, {"hidden_channels", "16"}, {"num_layers", "1"}, {"num_heads", "2"}, {"max_neighbors", "8"}}, 1,
                     Precision::Float32);
  pot->setSystem(dense);
  try {
    pot->compute(dense.positions, std::nullopt, false);
    FAIL() << "cap not enforced";
  } catch (const std::invalid_argument& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("neighbours within"), std::string::npos) << w;
    EXPECT_NE(w.find("max_num_neighbors = 8"), std::string::npos) << w;
  }
  EXPECT_THROW(et::EtConfig::fromSettings({{"preset", "nope"}}), std::invalid_argument);
  EXPECT_THROW(et::EtConfig::fromSettings({{"hidden_channels", "30"}, {"num_heads", "8"}}), std::invalid_argument);
}

TEST(TorchScript, ContractModelsRunAndOthersAreRejected) {
  const fs::path dir = fs::temp_directory_path() / ("mlffb-ts-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto save = [&](const std::string& name, const std::string& src) {
    torch::jit::Module m("M");
    m.define(src);
    const std::string p = (dir / name).string();
    m.save(p);
    return p;
  };
  const std::string good = save("good.pt", "def forward(self, positions: Tensor) -> Tensor:\n  return 10.0 * torch.sum(positions * positions)\n");
  const std::string tuple = save("tuple.pt",
                                 "def forward(self, positions: Tensor) -> Tuple[Tensor, Tensor]:\n"
                                 "  return (10.0 * torch.sum(positions * positions), -20.0 * positions)\n");
  const std::string three = save("three.pt", "def forward(self, a: Tensor, b: Tensor, c: Tensor) -> Tensor:\n  return torch.sum(a)\n");
  const std::string vector = save("vector.pt", "def forward(self, positions: Tensor) -> Tensor:\n  return positions * 2.0\n");
  System s;
  s.addAtom(Atom{6, "C", "M", 1, 'A', false}, Vec3{1, 2, 3});
  s.addAtom(Atom{8, "O", "M", 1, 'A', false}, Vec3{-1, 0, 4});
  auto make = [&](const std::string& file) {
    PotentialOptions o;
    o.flavor = "torchscript";
    o.precision = Precision::Float64;
    o.options["model_file"] = file;
    auto p = createPotential("mymodel", o);
    p->setSystem(s);
    return p;
  };
  for (const auto& f : {good, tuple}) {
    auto p = make(f);
    const EnergyForces r = p->compute(s.positions, std::nullopt, true);
    // E = 10 Σ x_nm² kJ/mol; F = −20 x_nm kJ/mol/nm = −0.2 x_Å kJ/mol/Å.
    EXPECT_NEAR(r.energy, 10.0 * (1 + 4 + 9 + 1 + 0 + 16) * 0.01, 1e-12);
    EXPECT_NEAR(r.forces[0].y, -0.2 * 2 * 0.1 * 10, 1e-12);
  }
  auto errorOf = [&](const std::string& file) {
    try {
      auto p = make(file);
      p->compute(s.positions, std::nullopt, true);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  for (const auto& [file, why] : {std::pair{three, "takes 3 inputs"}, std::pair{vector, "has 6 elements"}}) {
    const std::string e = errorOf(file);
    EXPECT_NE(e.find("does not follow the OpenMM-Torch contract"), std::string::npos) << e;
    EXPECT_NE(e.find("positions: Tensor (N,3) in nm"), std::string::npos) << e;
    EXPECT_NE(e.find(why), std::string::npos) << e;
  }
  // A periodic model gets the cell as rows a, b, c in nm (OpenMM-Torch's convention), triclinic too.
  const std::string boxModel = save("box.pt",
                                    "def forward(self, positions: Tensor, box: Tensor) -> Tensor:\n"
                                    "  return torch.sum(positions) * 0.0 + box[0, 0] + 10.0 * box[1, 0] + 100.0 * box[2, 1]\n");
  {
    auto p = make(boxModel);
    const Box cell{{20, 0, 0}, {5, 18, 0}, {-4, 3, 17}};
    EXPECT_NEAR(p->compute(s.positions, cell, true).energy, 2.0 + 10.0 * 0.5 + 100.0 * 0.3, 1e-12);
    EXPECT_NE(errorOf(boxModel).find("it takes a box, but the system is not periodic"), std::string::npos) << errorOf(boxModel);
  }
  std::ofstream(dir / "junk.pt") << "not a model";
  EXPECT_NE(errorOf((dir / "junk.pt").string()).find("not a TorchScript model"), std::string::npos);
  EXPECT_NE(errorOf((dir / "missing.pt").string()).find("model file not found"), std::string::npos);
  fs::remove_all(dir);
}
