#pragma once
// Any exported TorchScript model with the OpenMM-Torch contract: forward(positions) or
// forward(positions, box), positions (N, 3) and box (3, 3) in nm, returning the energy in kJ/mol
// as a scalar tensor, or a tuple (energy, forces) with forces (N, 3) in kJ/mol/nm. The box has
// the cell vectors as rows (triclinic allowed), as OpenMM-Torch passes it. The same evaluation
// serves the peer flavours, whose files the packages themselves produced (workloads/peers).
// A file that also follows the subdomain contract (kSubdomainContract; README "Subdomain
// contract") evaluates a LAMMPS rank's owned + ghost atoms: its extra file mlffb.json declares the
// receptive field, its method atomic_energies gives per-atom energies of which the owned are summed.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/Potential.hpp"

namespace torch::jit {
struct Module;
}

namespace mlffb {

/// options.options["model_file"] names the .pt file.
std::unique_ptr<Potential> makeTorchScriptPotential(const std::string& model, const PotentialOptions& options);

/// A TorchScript file with the contract below, and what the flavour that loads it says of it.
struct TorchScriptSource {
  std::string file;
  std::string flavor = "torchscript";  // what flavor() and describe() report
  double cutoff = 0;                   // Å, when known (0: not known)
  /// Merged into describe() over its own keys (e.g. "weights", "hyperparameters", "peer").
  nlohmann::ordered_json description = nlohmann::ordered_json::object();
  /// Called by setSystem with the loaded module, e.g. to set a per-system buffer (atomic numbers).
  std::function<void(torch::jit::Module&, const System&)> bindSystem;
};
std::unique_ptr<Potential> makeTorchScriptPotential(const std::string& model, const TorchScriptSource& source,
                                                    const PotentialOptions& options);
/// The contract, as printed in errors.
inline constexpr const char* kTorchScriptContract =
    "forward(positions: Tensor (N,3) in nm[, box: Tensor (3,3) in nm]) -> energy in kJ/mol as a "
    "one-element Tensor, or (energy, forces (N,3) in kJ/mol/nm)";
/// The subdomain contract, as printed in errors.
inline constexpr const char* kSubdomainContract =
    "the subdomain contract: an extra file mlffb.json {\"contract\": \"mlffb-subdomain/1\", \"cutoff_nm\", "
    "\"interaction_steps\", \"receptive_field_nm\"} and a method atomic_energies(positions (N,3) nm, atomic_numbers (N) int64) "
    "-> (N) kJ/mol; README \"Subdomain contract\"";
/// Its version, the value of mlffb.json's "contract".
inline constexpr const char* kSubdomainContractName = "mlffb-subdomain/1";

}  // namespace mlffb
