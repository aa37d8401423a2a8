#pragma once
// The `mace/mace-torch` flavour: mace-torch's own MACE (MACE-OFF23's small, medium or large
// architecture with random weights from the run's seed, or the user's .model file), compiled to
// TorchScript by mace's own route (e3nn.util.jit.compile) in scripts/peers/export_mace.py and
// evaluated in-process through LibTorch by the `torchscript` flavour's code. The file holds no
// atoms: the flavour sets its `numbers` buffer for each system. It also carries the subdomain
// contract (atomic_energies and the mlffb.json extra file) for distributed engines.
#include <memory>

#include "workloads/Potential.hpp"

namespace mlffb {

/// MACE-OFF23's radial cutoff (Å) and message-passing steps: its receptive field is their product.
inline constexpr double kMaceOffCutoff = 5.0;
inline constexpr int kMaceOffInteractions = 2;

/// Options: mace_preset (small | medium | large), model_file (a MACE .model; its weights and
/// architecture instead of a preset's random ones), mace_head (a multi-head model's head).
std::unique_ptr<Potential> makeMacePotential(const PotentialOptions& options);

}  // namespace mlffb
