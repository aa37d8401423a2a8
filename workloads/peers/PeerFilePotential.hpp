#pragma once
// A peer flavour evaluated from TorchScript files that its package made (PeerExport), one per
// precision and periodicity because the OpenMM-Torch contract's forward takes a box or not: the file
// of the bound system's periodicity is loaded when setSystem asks for it, the other one when a
// compute() does (a box given for a system bound without one, or none for a periodic one). Used by
// ani2x/torchani and mace/mace-torch; each says how to load its file for a periodicity.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/Potential.hpp"

namespace mlffb {

struct PeerFileSpec {
  std::string model, flavor;  // the registry's names
  double cutoff = 0;          // Å
  double receptiveField = 0;  // Å (0: the cutoff)
  /// The potential of the file for a periodicity (made or found in the cache, then loaded).
  std::function<std::unique_ptr<Potential>(bool periodic)> load;
  /// What describe() says before any file is loaded (after: the loaded file's potential's).
  std::function<nlohmann::ordered_json()> description;
};

std::unique_ptr<Potential> makePeerFilePotential(PeerFileSpec spec, const PotentialOptions& options);

}  // namespace mlffb
