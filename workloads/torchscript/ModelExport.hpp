#pragma once
// `mlff-bench export`: a model written as a self-contained TorchScript file that other engines
// load with LibTorch — GROMACS's Neural Network Potential interface (NNPot, GROMACS 2025+) and
// OpenMM-Torch's TorchForce. The file holds the weights as buffers and the whole computation
// (neighbour pairs with periodic images, descriptor, networks) in TorchScript, so it needs nothing
// of mlff-bench at run time. Contracts (../shared/reference/engines.md):
//   nnpot:        forward(positions (N,3) nm, atomic numbers int (N), box (3,3) nm, pbc bool (3))
//                 → energy kJ/mol; forces = −∂E/∂positions (GROMACS computes them by autograd).
//   openmm-torch: forward(positions (N,3) nm) or forward(positions, box (3,3) nm) when periodic
//                 → energy kJ/mol; the atomic numbers of the structure exported for are inside.
// Energies come back in the dtype of the positions given (float32 for both engines); the model
// computes in the precision it was exported with (float32 or float64 buffers; a consumer's
// module.to(float64) makes it compute in float64).
// What is generic lives here (the contracts' forwards, units, neighbour pairs, the description,
// the archive); each model's part — its buffers and energy method — is the exporter its registry
// entry declares, beside the model (workloads/<model>/…Export.cpp).
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/ModelRegistry.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

enum class ExportContract { NNPot, OpenMMTorch };
/// "nnpot" or "openmm-torch"; throws std::invalid_argument naming the known ones.
ExportContract parseExportContract(const std::string& s);
std::string toString(ExportContract c);

struct ExportRequest {
  std::string model;               // a model whose entry declares an exporter (ani2x, et)
  PotentialOptions options;        // precision (float32/float64), seed, the model's options (weights, member, preset …)
  ExportContract contract = ExportContract::NNPot;
  const System* atoms = nullptr;   // openmm-torch: the structure whose atomic numbers go inside
  bool periodic = false;           // openmm-torch: forward takes the box
};

struct ExportedModel {
  std::string bytes;                   // the TorchScript archive (what torch::jit::load reads)
  nlohmann::ordered_json description;  // model, contract, inputs, units, weights provenance
};

/// Builds the TorchScript module for the request; throws std::invalid_argument naming what is
/// wrong (a model without an exporter, openmm-torch without atoms, an atom the model cannot take,
/// no LibTorch).
ExportedModel exportTorchScript(const ExportRequest& request);

/// The models whose registry entries declare an exporter, in registration order.
std::vector<std::string> exportableModels();
/// The same as one line: "ani2x, et".
std::string exportableModelList();
/// The entry whose exporter exports `model` (its options are the export's); throws
/// std::invalid_argument naming the exportable models when there is none.
const ModelEntry& exportEntryOf(const std::string& model);

/// The mdp lines that make GROMACS (2025+) evaluate an nnpot export on `inputGroup`.
std::string nnpotMdp(const std::string& modelFile, const std::string& inputGroup);

}  // namespace mlffb
