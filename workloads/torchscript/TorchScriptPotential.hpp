#pragma once
// Any exported TorchScript model with the OpenMM-Torch contract: forward(positions) or
// forward(positions, box), positions (N, 3) and box (3, 3) in nm, returning the energy in kJ/mol
// as a scalar tensor, or a tuple (energy, forces) with forces (N, 3) in kJ/mol/nm. The box has
// the cell vectors as rows (triclinic allowed), as OpenMM-Torch passes it.
#include <memory>
#include <string>

#include "workloads/Potential.hpp"

namespace mlffb {

/// options.options["model_file"] names the .pt file.
std::unique_ptr<Potential> makeTorchScriptPotential(const std::string& model, const PotentialOptions& options);
/// The contract, as printed in errors.
inline constexpr const char* kTorchScriptContract =
    "forward(positions: Tensor (N,3) in nm[, box: Tensor (3,3) in nm]) -> energy in kJ/mol as a "
    "one-element Tensor, or (energy, forces (N,3) in kJ/mol/nm)";

}  // namespace mlffb
