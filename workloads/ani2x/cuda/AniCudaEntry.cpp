// Registers ANI-2x's CUDA kernel set (AniCudaKernelSet.cu) for DeviceKind::Cuda with what it
// declares itself: its precisions (float32, float64 and the tensor-core modes tf32 and bf16) and
// its options (--cuda-graph, --chunk-atoms), read back from the run in create(). Registered in
// every build: without the CUDA toolkit the set is unavailable with that reason (its options stay
// declared and checked, so a command line means the same in every build).
#include <stdexcept>

#include "core/Registry.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#ifdef MLFFB_ANI_CUDA_BUILT
#include "workloads/ani2x/cuda/AniCudaSupport.hpp"
#endif

namespace mlffb::ani {
namespace {

const Registrar<AniKernelSetEntry> kCudaKernels{[] {
  AniKernelSetEntry e;
  e.name = "cuda";
  e.description = "device cell list, fused AEV + analytic backward, cuBLAS GEMMs per element with stacked members "
                  "(float32, float64, tf32, bf16), chunked rows, optional CUDA graphs";
#ifndef MLFFB_ANI_CUDA_BUILT
  e.availability = [] { return Availability::no("built without the CUDA toolkit"); };
#endif
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cuda};
    c.precisions = allPrecisions();
    return c;
  };
  e.options = {OptionSpec::boolean("cuda-graph", "cuda_graph",
                                   "ANI-2x native on CUDA: capture the energy and forces stages as CUDA graphs and replay them"),
               OptionSpec::integer("chunk-atoms", "chunk_atoms",
                                   "ANI-2x native on CUDA: centres per chunk (AEV and activation storage is one chunk's)", 1, 1 << 30,
                                   "131072")};
  e.create = [](const AniModelData& data, const PotentialOptions& o) -> std::unique_ptr<AniKernelSet> {
#ifdef MLFFB_ANI_CUDA_BUILT
    cuda::CudaKernelOptions k;
    k.cudaGraph = optionBool(o.options, "cuda_graph", false);
    k.chunkAtoms = optionInt(o.options, "chunk_atoms", k.chunkAtoms);
    return cuda::makeAniCudaKernelSet(data, o.precision, o.device, k);
#else
    (void)data;
    (void)o;
    throw std::invalid_argument("ani2x native: the cuda kernel set was built without the CUDA toolkit");
#endif
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb::ani
