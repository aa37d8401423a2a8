#pragma once
// ANI-2x, torch flavour: LibTorch operator by operator with TorchANI's structure (all-pairs
// neighbour search with triu_indices/nonzero, index_add accumulation, triple enumeration with
// sort/unique_consecutive/repeat_interleave and a host sync on counts.max(), per-species network
// evaluation per member with masked_scatter), forces by autograd. The "framework" workload the
// seed paper characterises: deliberately not fused.
#include <memory>

#include "workloads/Potential.hpp"

namespace mlffb {
std::unique_ptr<Potential> makeAniTorch(const PotentialOptions& options);
}
