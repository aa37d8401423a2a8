#pragma once
// What the rest of the build sees of ANI-2x's CPU kernel set (AniCpuKernels.cpp): its factory.
// AniCpuEntry.cpp registers it for DeviceKind::Cpu.
#include <memory>

#include "workloads/ani2x/AniKernelSet.hpp"

namespace mlffb::ani {

/// The CPU kernel set in float32 or float64 (other precisions are refused, naming them).
std::unique_ptr<AniKernelSet> makeAniCpuKernelSet(const AniModelData& data, Precision precision);

}  // namespace mlffb::ani
