#pragma once
// Independent plain C++ float64 reference of the Equivariant Transformer: loops over atoms and
// edges, no LibTorch. Used by the tests to check the LibTorch flavour.
#include <memory>
#include <optional>
#include <vector>

#include "workloads/Potential.hpp"
#include "workloads/torchmd_et/EtModel.hpp"

namespace mlffb::et {

struct EtReferenceResult {
  double energy = 0;                 // Σ atomic outputs
  std::vector<double> lastVec;       // N × 3 × H: vector features after the last attention layer
  std::vector<double> lastScalars;   // N × H: scalar features after the output LayerNorm
};

EtReferenceResult etReferenceForward(const EtWeights& w, const std::vector<int>& atomicNumbers,
                                     const std::vector<Vec3>& positions, const std::optional<Box>& box);

/// The reference as a Potential (energies only, forces come back empty), for the conformance tests.
std::unique_ptr<Potential> makeEtReference(EtWeights weights);

}  // namespace mlffb::et
