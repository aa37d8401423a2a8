// Registers ANI-2x's CPU kernel set (AniCpuKernels.cpp) for DeviceKind::Cpu with what it declares
// itself: float32 and float64, no options of its own.
#include "core/Registry.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/cpu/AniCpuKernels.hpp"

namespace mlffb::ani {
namespace {

const Registrar<AniKernelSetEntry> kCpuKernels{[] {
  AniKernelSetEntry e;
  e.name = "cpu";
  e.description = "cell list, direct AEV with analytic derivatives, stacked-member BLAS GEMMs, OpenMP";
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};
    c.precisions = {Precision::Float32, Precision::Float64};
    return c;
  };
  e.create = [](const AniModelData& data, const PotentialOptions& o) { return makeAniCpuKernelSet(data, o.precision); };
  return e;
}()};

}  // namespace
}  // namespace mlffb::ani
