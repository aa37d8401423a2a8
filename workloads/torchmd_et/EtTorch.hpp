#pragma once
// TorchMD-Net Equivariant Transformer, torch flavour: LibTorch operator by operator as
// torchmd_et.py does it (index_select gathers, index_add scatters, per-layer attention), forces by
// autograd. Neighbours from a CPU cell list (both directions, self loops, max_num_neighbors check).
#include <memory>
#include <vector>

#include "workloads/Potential.hpp"

namespace mlffb {

std::unique_ptr<Potential> makeEtTorch(const PotentialOptions& options);

/// Access to the internal features of the last evaluation, for equivariance tests.
class EtFeatureAccess {
 public:
  virtual ~EtFeatureAccess() = default;
  /// N × 3 × H vector features after the last attention layer, float64.
  virtual std::vector<double> lastVectorFeatures() const = 0;
};

}  // namespace mlffb
