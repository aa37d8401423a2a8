// `mlff-bench export`: the TorchScript files, loaded back with LibTorch and called exactly as
// GROMACS NNPot (positions float32 nm with requires_grad, atomic numbers int32, box float32 nm,
// pbc bool) and OpenMM-Torch (positions nm [, box nm]) call them, reproduce mlff-bench's own
// evaluation of the same structure: to round-off when exported in float64, to float32 precision
// in float32; vacuum, orthorhombic and triclinic cells; errors for what the model cannot take.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "../PhysicsTestUtil.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torchscript/ModelExport.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
using test::freshSeed;

torch::jit::Module load(const ExportedModel& e) {
  std::istringstream in(e.bytes);
  return torch::jit::load(in);
}

std::map<std::string, std::string> smallEt() {
  return {{"preset", "ani1"}, {"hidden_channels", "32"}, {"num_layers", "2"}, {"num_rbf", "16"}, {"num_heads", "4"}};
}

ExportedModel exportModel(const std::string& model, OptionValues options, Precision p, std::uint64_t seed,
                          ExportContract c = ExportContract::NNPot, const System* atoms = nullptr, bool periodic = false) {
  ExportRequest rq;
  rq.model = model;
  rq.options.precision = p;
  rq.options.seed = seed;
  rq.options.options = std::move(options);
  rq.contract = c;
  rq.atoms = atoms;
  rq.periodic = periodic;
  return exportTorchScript(rq);
}

/// GROMACS NNPot's call: energy (kJ/mol) and forces (kJ/mol/Å) from −∂E/∂x (x in nm).
EnergyForces callAsNnpot(torch::jit::Module& m, const System& s, torch::Dtype dtype) {
  const int64_t n = static_cast<int64_t>(s.size());
  std::vector<double> x, box(9, 0.0);
  std::vector<int32_t> z;
  for (size_t i = 0; i < s.size(); ++i) {
    for (int k = 0; k < 3; ++k) x.push_back(s.positions[i][k] * 0.1);
    z.push_back(s.atoms[i].element);
  }
  if (s.box)
    for (int k = 0; k < 3; ++k) {
      box[k] = s.box->a[k] * 0.1;
      box[3 + k] = s.box->b[k] * 0.1;
      box[6 + k] = s.box->c[k] * 0.1;
    }
  torch::Tensor pos = torch::tensor(x, torch::kFloat64).reshape({n, 3}).to(dtype).requires_grad_(true);
  torch::Tensor numbers = torch::tensor(z, torch::kInt32);
  torch::Tensor cell = torch::tensor(box, torch::kFloat64).reshape({3, 3}).to(dtype);
  torch::Tensor pbc = torch::full({3}, s.box.has_value(), torch::kBool);
  torch::Tensor energy = m.forward({pos, numbers, cell, pbc}).toTensor();
  EXPECT_EQ(energy.scalar_type(), dtype);
  EXPECT_EQ(energy.numel(), 1);
  torch::Tensor grad = torch::autograd::grad({energy}, {pos})[0].to(torch::kFloat64).contiguous();
  EnergyForces r;
  r.energy = energy.item<double>();
  for (int64_t i = 0; i < n; ++i) r.forces.push_back(Vec3{grad[i][0].item<double>(), grad[i][1].item<double>(), grad[i][2].item<double>()} * -0.1);
  return r;
}

EnergyForces evaluate(const std::string& model, const std::string& flavor, OptionValues options, std::uint64_t seed, const System& s) {
  PotentialOptions o;
  o.flavor = flavor;
  o.precision = Precision::Float64;
  o.seed = seed;
  o.options = std::move(options);
  auto pot = createPotential(model, o);
  pot->setSystem(s);
  return pot->compute(s.positions, s.box, true);
}

/// Largest force difference over the largest force.
double forceError(const EnergyForces& a, const EnergyForces& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.forces.size(); ++i) {
    diff = std::max(diff, norm(a.forces[i] - b.forces[i]));
    scale = std::max(scale, norm(b.forces[i]));
  }
  return diff / scale;
}

System cluster(int n, std::uint64_t seed, const std::vector<int>& elements, double density) {
  return test::randomCluster(n, seed, elements, density, 1.0);
}

/// The cluster made periodic: orthorhombic, or a reduced triclinic cell of the same volume.
System periodic(System s, double density, bool triclinic) {
  const double L = std::cbrt(static_cast<double>(s.size()) / density);
  s.box = triclinic ? Box{{L, 0, 0}, {0.3 * L, L, 0}, {-0.2 * L, 0.25 * L, L}} : Box::orthorhombic({L, L, L});
  return s;
}

/// The cells every comparison covers: 0 a cluster in vacuum, 1 orthorhombic, 2 triclinic (periodic
/// systems are larger, so each width exceeds twice the cutoff).
constexpr int kCells = 3;
const char* cellName(int cell) { return cell == 0 ? "vacuum" : cell == 1 ? "orthorhombic" : "triclinic"; }
System inCell(int cell, int vacuumAtoms, int periodicAtoms, std::uint64_t seed, const std::vector<int>& elements, double density) {
  const System s = cluster(cell == 0 ? vacuumAtoms : periodicAtoms, seed + cell, elements, density);
  return cell == 0 ? s : periodic(s, density, cell == 2);
}

const std::vector<int> kAniElements{1, 1, 1, 1, 6, 6, 7, 8, 16, 9, 17};
const std::vector<int> kEtElements{1, 1, 1, 6, 6, 7, 8, 16};

}  // namespace

TEST(Export, Ani2xNnpotFloat64EqualsNativeInVacuumAndPeriodicCells) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const OptionValues random{{"weights", "random"}};
  torch::jit::Module m = load(exportModel("ani2x", random, Precision::Float64, seed));
  const double density = 0.1;
  for (int cell = 0; cell < kCells; ++cell) {
    SCOPED_TRACE(cellName(cell));
    const System s = inCell(cell, 60, 300, seed, kAniElements, density);
    const EnergyForces got = callAsNnpot(m, s, torch::kFloat64);
    // The torch flavour does the same operations; the native one sums the backward in another
    // order (~1e-8 relative in float64, as the conformance tests measure).
    const EnergyForces torchRef = evaluate("ani2x", "torch", random, seed, s);
    EXPECT_NEAR(got.energy, torchRef.energy, 1e-10 * std::abs(torchRef.energy));
    EXPECT_LT(forceError(got, torchRef), 1e-10);
    const EnergyForces ref = evaluate("ani2x", "native", random, seed, s);
    EXPECT_NEAR(got.energy, ref.energy, 1e-10 * std::abs(ref.energy));
    EXPECT_LT(forceError(got, ref), 1e-7);
  }
}

TEST(Export, Ani2xNnpotFloat32ReproducesEvalToFloat32Precision) {
  // The real weights when present (as `eval` uses them), else random ones.
  OptionValues o;
  const std::string real = ani::defaultAniWeights();
  o["weights"] = real.empty() ? "random" : real;
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed) + (real.empty() ? ", random weights" : ", real weights"));
  torch::jit::Module m = load(exportModel("ani2x", o, Precision::Float32, seed));
  System s = periodic(cluster(250, seed, {1, 1, 6, 7, 8}, 0.09), 0.09, false);
  const EnergyForces ref = evaluate("ani2x", "native", o, seed, s);
  const EnergyForces got = callAsNnpot(m, s, torch::kFloat32);
  const double energyError = std::abs(got.energy - ref.energy) / std::abs(ref.energy), fError = forceError(got, ref);
  std::cout << "float32 export vs float64 native eval (250 atoms, periodic): energy " << energyError << " relative, forces "
            << fError << " of the largest force\n";
  EXPECT_LT(energyError, 1e-6);
  EXPECT_LT(fError, 1e-4);
}

TEST(Export, EtNnpotEqualsTheTorchFlavour) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const OptionValues cfg = smallEt();
  torch::jit::Module m64 = load(exportModel("et", cfg, Precision::Float64, seed));
  torch::jit::Module m32 = load(exportModel("et", cfg, Precision::Float32, seed));
  const double density = 0.06;
  for (int cell = 0; cell < kCells; ++cell) {
    SCOPED_TRACE(cellName(cell));
    const System s = inCell(cell, 30, 200, seed, kEtElements, density);
    const EnergyForces ref = evaluate("et", "torch", cfg, seed, s);
    const EnergyForces got = callAsNnpot(m64, s, torch::kFloat64);
    EXPECT_NEAR(got.energy, ref.energy, 1e-10 * std::max(1.0, std::abs(ref.energy)));
    EXPECT_LT(forceError(got, ref), 1e-9);
    const EnergyForces got32 = callAsNnpot(m32, s, torch::kFloat32);
    EXPECT_NEAR(got32.energy, ref.energy, 1e-4 * std::max(1.0, std::abs(ref.energy)));
    EXPECT_LT(forceError(got32, ref), 1e-3);
  }
}

TEST(Export, OpenmmTorchContractRunsThroughTheTorchScriptFlavour) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const fs::path dir = fs::temp_directory_path() / ("mlffb-export-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const OptionValues random{{"weights", "random"}};
  for (bool withBox : {false, true}) {
    System s = cluster(withBox ? 250 : 40, seed, kAniElements, 0.1);
    if (withBox) s = periodic(s, 0.1, true);
    const ExportedModel e = exportModel("ani2x", random, Precision::Float64, seed, ExportContract::OpenMMTorch, &s, withBox);
    EXPECT_EQ(e.description["contract"], "openmm-torch");
    const std::string file = (dir / (withBox ? "box.pt" : "vacuum.pt")).string();
    std::ofstream(file, std::ios::binary) << e.bytes;
    const EnergyForces ref = evaluate("ani2x", "native", random, seed, s);
    const EnergyForces got = evaluate("ani2x", "torchscript", {{"model_file", file}}, seed, s);
    EXPECT_NEAR(got.energy, ref.energy, 1e-10 * std::abs(ref.energy));
    EXPECT_LT(forceError(got, ref), 1e-7);
  }
  fs::remove_all(dir);
}

TEST(Export, WhatTheModelCannotTakeIsAnErrorNamingIt) {
  torch::jit::Module m = load(exportModel("ani2x", {{"weights", "random"}}, Precision::Float32, 7));
  auto errorOf = [&](const System& s) {
    try {
      callAsNnpot(m, s, torch::kFloat32);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  System s = cluster(20, 3, {1, 6, 8}, 0.05);
  EXPECT_EQ(errorOf(s), "");
  System small = s;
  small.box = Box::orthorhombic({9, 30, 30});  // 9 Å < 2 × 5.1 Å
  EXPECT_NE(errorOf(small).find("less than twice the model's cutoff"), std::string::npos) << errorOf(small);
  System iron = s;
  iron.atoms[4].element = 26;
  EXPECT_NE(errorOf(iron).find("an atom other than H, C, N, O, S, F, Cl"), std::string::npos) << errorOf(iron);
  // The openmm-torch contract passes no atomic numbers: the structure is needed at export time.
  EXPECT_THROW(exportModel("ani2x", {{"weights", "random"}}, Precision::Float32, 7, ExportContract::OpenMMTorch), std::invalid_argument);
  EXPECT_THROW(exportModel("ani2x", {{"weights", "random"}}, Precision::Float32, 7, ExportContract::OpenMMTorch, &iron), std::invalid_argument);
  EXPECT_THROW(exportModel("nosuch", {}, Precision::Float32, 7), std::invalid_argument);
  EXPECT_THROW(parseExportContract("lammps"), std::invalid_argument);
}

TEST(Export, TheNnpotMdpNamesTheInputsInGromacsOrder) {
  const std::string mdp = nnpotMdp("/w/model.pt", "Protein");
  EXPECT_NE(mdp.find("nnpot-active        = yes"), std::string::npos);
  EXPECT_NE(mdp.find("nnpot-modelfile     = /w/model.pt"), std::string::npos);
  EXPECT_NE(mdp.find("nnpot-input-group   = Protein"), std::string::npos);
  const size_t p1 = mdp.find("input1  = atom-positions"), p2 = mdp.find("input2  = atom-numbers"), p3 = mdp.find("input3  = box"),
               p4 = mdp.find("input4  = pbc");
  ASSERT_NE(p4, std::string::npos);
  EXPECT_LT(p1, p2);
  EXPECT_LT(p2, p3);
  EXPECT_LT(p3, p4);
}
