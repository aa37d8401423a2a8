#pragma once
// Independent plain float64 reference of ANI-2x for the conformance tests: every neighbour of
// every atom found by looping over all atoms and all lattice images within the cutoff (no cell
// list, no minimum image), the AEV term by term, each member's network as a matrix-vector
// product. Energies only (forces come back empty); slow, and only meant for small systems.
#include <memory>

#include "workloads/Potential.hpp"
#include "workloads/ani2x/AniModel.hpp"

namespace mlffb::ani {

std::unique_ptr<Potential> makeAniReference(AniModelData data);

}  // namespace mlffb::ani
