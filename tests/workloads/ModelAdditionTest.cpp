// Adding a LibTorch model with its export touches its own files only: the test-only Lennard-Jones
// model (LennardJonesTestModel.cpp, registered through the model registry and named nowhere else)
// exports through exportTorchScript under both contracts, loads back with torch::jit::load and
// reproduces its torch flavour; the planner offers it to the GROMACS engine (which runs exports)
// and skips, with the reason, a model whose entry declares no exporter.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "../PhysicsTestUtil.hpp"
#include "ExportTestUtil.hpp"
#include "harness/Plan.hpp"
#include "workloads/torchscript/ModelExport.hpp"

using namespace mlffb;
using namespace mlffb::test;

namespace {
const OptionValues kOptions{{"lj_epsilon", "0.7"}, {"lj_sigma", "2.9"}};
const std::vector<int> kElements{1, 6, 7, 8};
constexpr double kDensity = 0.02;  // atoms per Å³: periodic widths above twice the 6 Å cutoff at 200 atoms

/// The energy (kJ/mol) of an openmm-torch export: forward(positions nm[, box nm]).
double callAsOpenmmTorch(torch::jit::Module& m, const System& s) {
  std::vector<double> x;
  for (const Vec3& p : s.positions)
    for (int k = 0; k < 3; ++k) x.push_back(p[k] * 0.1);
  const torch::Tensor positions = torch::tensor(x, torch::kFloat64).reshape({static_cast<int64_t>(s.size()), 3});
  if (!s.box) return m.forward({positions}).toTensor().item<double>();
  const Box& b = *s.box;
  const torch::Tensor box = torch::tensor(std::vector<double>{b.a.x, b.a.y, b.a.z, b.b.x, b.b.y, b.b.z, b.c.x, b.c.y, b.c.z}, torch::kFloat64);
  return m.forward({positions, box.reshape({3, 3}) * 0.1}).toTensor().item<double>();
}

/// The skip reason of the planned point of `model` on engine gromacs, configuration mlff.
std::string gromacsSkipReason(const std::string& model) {
  RunRequest r;
  r.suite = "polyala-md";
  r.sizes = {4};
  r.models = {model};
  r.engines = {"gromacs"};
  r.configurations = {"mlff"};
  const std::vector<Point> points = expandPlan(r);
  EXPECT_EQ(points.size(), 1u);
  return points.empty() ? "" : points[0].skipReason;
}
}  // namespace

TEST(ModelAddition, TheRegistryAloneMakesTheModelExportable) {
  const auto models = exportableModels();
  EXPECT_NE(std::find(models.begin(), models.end(), "test-lj"), models.end());
  EXPECT_EQ(std::find(models.begin(), models.end(), "test-lj-noexport"), models.end());
  EXPECT_EQ(exportEntryOf("test-lj").name, "test-lj/torch");
  EXPECT_THROW(exportEntryOf("test-lj-noexport"), std::invalid_argument);
  EXPECT_THROW(exportModel("test-lj-noexport", {}, Precision::Float64, 1), std::invalid_argument);
}

TEST(ModelAddition, BothContractsReproduceTheTorchFlavour) {
  const std::uint64_t seed = freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const ExportedModel nnpot = exportModel("test-lj", kOptions, Precision::Float64, seed);
  EXPECT_EQ(nnpot.description["model"], "test-lj");
  EXPECT_EQ(nnpot.description["cutoff_angstrom"], 6.0);
  torch::jit::Module gromacs = load(nnpot);
  for (int cell = 0; cell < kCells; ++cell) {
    SCOPED_TRACE(cellName(cell));
    const System s = inCell(cell, 40, 200, seed, kElements, kDensity);
    const EnergyForces ref = evaluate("test-lj", "torch", kOptions, seed, s);
    const double tolerance = 1e-10 * std::max(1.0, std::abs(ref.energy));
    const EnergyForces viaNnpot = callAsNnpot(gromacs, s, torch::kFloat64);
    EXPECT_NEAR(viaNnpot.energy, ref.energy, tolerance);
    EXPECT_LT(forceError(viaNnpot, ref), 1e-10);
    torch::jit::Module openmm = load(exportModel("test-lj", kOptions, Precision::Float64, seed, ExportContract::OpenMMTorch, &s, s.box.has_value()));
    EXPECT_NEAR(callAsOpenmmTorch(openmm, s), ref.energy, tolerance);
  }
}

TEST(ModelAddition, ThePlannerOffersTheExportToGromacsAndSkipsAModelWithout) {
  const std::string with = gromacsSkipReason("test-lj");
  EXPECT_EQ(with.find("declares no export"), std::string::npos) << with;
  const std::string without = gromacsSkipReason("test-lj-noexport");
  EXPECT_NE(without.find("test-lj-noexport/torch declares no export"), std::string::npos) << without;
  EXPECT_NE(without.find("models that do: ani2x, et, test-lj"), std::string::npos) << without;
  std::cout << "gromacs/mlff, test-lj: " << (with.empty() ? "runs" : "skipped: " + with) << "\ngromacs/mlff, test-lj-noexport: skipped: " << without << "\n";
}
