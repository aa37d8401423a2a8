#pragma once
// ANI-2x, native flavour: the stage driver (neighbours → AEV → networks → backward, each a
// profiler range, with species binding, unit conversion and analytic FLOP counts written once)
// over the kernel set of the device it runs on (cpu/: cell list, direct AEV with analytic
// derivatives, stacked-member BLAS GEMMs, OpenMP). float32 by default, float64 on request.
#include <memory>

#include "workloads/Potential.hpp"

namespace mlffb {

namespace ani {
class AniKernelSet;
struct AniModelData;
}  // namespace ani

std::unique_ptr<Potential> makeAniNative(const PotentialOptions& options);
/// The stage driver over a kernel set made elsewhere (the tests drive it over a recording one).
std::unique_ptr<Potential> makeAniNative(ani::AniModelData data, const PotentialOptions& options, std::unique_ptr<ani::AniKernelSet> kernels);

/// The native flavour's stages one at a time, for micro-benchmarks (each uses the previous
/// stage's result: neighbours → descriptor → networks → backward).
class AniNativeStages {
 public:
  virtual ~AniNativeStages() = default;
  virtual void stageNeighbors(const std::vector<Vec3>& positions, const std::optional<Box>& box) = 0;
  virtual void stageDescriptor() = 0;
  virtual double stageNetworks() = 0;   // forward, returns the network energy (Hartree)
  virtual void stageBackward() = 0;     // network backward + AEV backward to forces
};

}  // namespace mlffb
