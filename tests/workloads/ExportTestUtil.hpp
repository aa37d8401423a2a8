#pragma once
// What the export tests share: exporting a model through the registry, loading the file back
// with LibTorch, calling it as GROMACS NNPot does, and mlff-bench's own evaluation to compare with.
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/Potential.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace mlffb::test {

/// The archive loaded back as torch::jit::load reads a file.
torch::jit::Module load(const ExportedModel& e);
ExportedModel exportModel(const std::string& model, OptionValues options, Precision p, std::uint64_t seed,
                          ExportContract c = ExportContract::NNPot, const System* atoms = nullptr, bool periodic = false);
/// GROMACS NNPot's call: energy (kJ/mol) and forces (kJ/mol/Å) from −∂E/∂x (x in nm).
EnergyForces callAsNnpot(torch::jit::Module& m, const System& s, torch::Dtype dtype);
/// The flavour's energy and forces in float64.
EnergyForces evaluate(const std::string& model, const std::string& flavor, OptionValues options, std::uint64_t seed, const System& s);
/// Largest force difference over the largest force.
double forceError(const EnergyForces& a, const EnergyForces& b);
System cluster(int n, std::uint64_t seed, const std::vector<int>& elements, double density);
/// The cluster made periodic: orthorhombic, or a reduced triclinic cell of the same volume.
System periodic(System s, double density, bool triclinic);

/// The cells every comparison covers: 0 a cluster in vacuum, 1 orthorhombic, 2 triclinic (periodic
/// systems are larger, so each width exceeds twice the cutoff).
constexpr int kCells = 3;
const char* cellName(int cell);
System inCell(int cell, int vacuumAtoms, int periodicAtoms, std::uint64_t seed, const std::vector<int>& elements, double density);

}  // namespace mlffb::test
