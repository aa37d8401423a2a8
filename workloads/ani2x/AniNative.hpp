#pragma once
// ANI-2x, native flavour: O(N) cell-list neighbours, direct radial/angular AEV with analytic
// derivatives, the 8 members' first layers stacked into one GEMM per element (BLAS), analytic
// backward pass (no autograd), OpenMP across atoms. float32 by default, float64 on request.
#include "workloads/Potential.hpp"

namespace mlffb {

Potential* makeAniNative(const PotentialOptions& options);

/// The native flavour's stages one at a time, for micro-benchmarks (each uses the previous
/// stage's result: neighbours → descriptor → networks → backward).
class AniNativeStages {
 public:
  virtual ~AniNativeStages() = default;
  virtual void stageNeighbors(const std::vector<Vec3>& positions, const std::optional<Vec3>& box) = 0;
  virtual void stageDescriptor() = 0;
  virtual double stageNetworks() = 0;   // forward, returns the network energy (Hartree)
  virtual void stageBackward() = 0;     // network backward + AEV backward to forces
};

}  // namespace mlffb
