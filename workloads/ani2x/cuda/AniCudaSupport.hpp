#pragma once
// What the rest of the build sees of ANI-2x's CUDA kernel set (AniCudaKernelSet.cu, compiled by
// nvcc): its options, its factory and the shared CUDA support it is built on (core/cuda/).
// AniCudaEntry.cpp registers it for DeviceKind::Cuda.
#include <memory>

#include "core/cuda/CudaSupport.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"

namespace mlffb::ani::cuda {

// The project's CUDA support (core/cuda/), under the names the kernel set and its tests use.
using gpu::DeviceBuffer;
using gpu::DeviceOutOfMemory;
using gpu::MemoryAccount;

struct CudaKernelOptions {
  /// Capture the networks and backward stages as CUDA graphs once per binding and replay them.
  bool cudaGraph = false;
  /// Centres per chunk: AEV and activation storage is one chunk's; a larger system is processed
  /// chunk by chunk (its AEV recomputed in the backward).
  int chunkAtoms = 1 << 17;
  /// First capacities of the per-centre lists (radial, angular, Verlet candidates); an overflow
  /// grows them and the evaluation is retried. Tests start them tiny to force that path.
  int radialCapacity = 96, angularCapacity = 32, candidateCapacity = 160;
};

std::unique_ptr<AniKernelSet> makeAniCudaKernelSet(const AniModelData& data, Precision precision, const Device& device,
                                                   const CudaKernelOptions& options);

}  // namespace mlffb::ani::cuda
