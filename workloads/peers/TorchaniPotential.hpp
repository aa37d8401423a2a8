#pragma once
// The `ani2x/torchani` flavour: TorchANI's own ANI-2x, exported by TorchANI's TorchScript support
// (scripts/peers/export_torchani.py, on mlff-bench's NeuroChem weights through TorchANI's NeuroChem
// loader) and evaluated in-process through LibTorch by the `torchscript` flavour's code. The file
// holds no atoms: the flavour sets its `numbers` buffer for each system.
#include <memory>

#include "workloads/Potential.hpp"

namespace mlffb {

/// Options: weights (NeuroChem folder), member (−1: the ensemble), aev_strategy (pyaev | cuaev),
/// neighborlist (all_pairs | cell_list).
std::unique_ptr<Potential> makeTorchaniPotential(const PotentialOptions& options);

}  // namespace mlffb
