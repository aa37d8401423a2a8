// Registers ANI-2x's CUDA kernel set (AniCudaKernelSet.cu) for DeviceKind::Cuda, with its
// options from the run: cuda_graph and chunk_atoms.
#include "core/Registry.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/cuda/AniCudaSupport.hpp"

namespace mlffb::ani {
namespace {

const Registrar<AniKernelSetEntry> kCudaKernels{[] {
  AniKernelSetEntry e;
  e.name = "cuda";
  e.description = "device cell list, fused AEV + analytic backward, cuBLAS GEMMs per element with stacked members "
                  "(float32, float64, tf32, bf16), chunked rows, optional CUDA graphs";
  e.device = DeviceKind::Cuda;
  e.create = [](const AniModelData& data, const PotentialOptions& o) -> std::unique_ptr<AniKernelSet> {
    cuda::CudaKernelOptions k;
    k.cudaGraph = optionBool(o.options, "cuda_graph", false);
    k.chunkAtoms = optionInt(o.options, "chunk_atoms", k.chunkAtoms);
    return cuda::makeAniCudaKernelSet(data, o.precision, o.device, k);
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb::ani
