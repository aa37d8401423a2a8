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
#include "ExportTestUtil.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torchscript/ModelExport.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
using test::freshSeed;

std::map<std::string, std::string> smallEt() {
  return {{"preset", "ani1"}, {"hidden_channels", "32"}, {"num_layers", "2"}, {"num_rbf", "16"}, {"num_heads", "4"}};
}

using test::callAsNnpot;
using test::cellName;
using test::inCell;
using test::kCells;
using test::cluster;
using test::evaluate;
using test::exportModel;
using test::forceError;
using test::load;
using test::periodic;

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
