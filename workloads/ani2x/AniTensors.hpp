#pragma once
// ANI-2x's model data as LibTorch tensors in a run's dtype and device: the AEV shifts, self
// energies, the species tables and the ensemble's layers. One conversion that the torch flavour
// (AniTorch.cpp) and the TorchScript export (AniExport.cpp) both use.
#include <torch/torch.h>

#include <vector>

#include "workloads/ani2x/AniModel.hpp"
#include "workloads/torch/TorchRuntime.hpp"

namespace mlffb::ani {

/// The atomic numbers the species table covers: 0 .. kLargestAtomicNumber.
inline constexpr int kLargestAtomicNumber = 118;

struct AniTensors {
  struct Layer {
    torch::Tensor w, b;  // (out, in), (out)
    bool celu;
  };
  torch::Tensor ShfR, ShfA, ShfZ;  // (16), (8, 1), (1, 4): shaped to broadcast over pairs/triples
  torch::Tensor selfEnergy;        // (7) Hartree
  torch::Tensor triuIndex;         // (7, 7) long: pairIndex(a, b)
  torch::Tensor speciesOfZ;        // (119) long: speciesOf(z), −1 for the elements ANI-2x lacks
  std::vector<Layer> nets[kMembers][kSpecies];

  /// The float64 masters of `data` converted by `rt` (its dtype; its device, index tables too).
  static AniTensors from(const AniModelData& data, const TorchRuntime& rt);
};

}  // namespace mlffb::ani
