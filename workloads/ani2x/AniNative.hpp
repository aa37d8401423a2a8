#pragma once
// ANI-2x, native flavour: O(N) cell-list neighbours, direct radial/angular AEV with analytic
// derivatives, the 8 members' first layers stacked into one GEMM per element (BLAS), analytic
// backward pass (no autograd), OpenMP across atoms. float32 by default, float64 on request.
#include "workloads/Potential.hpp"

namespace mlffb {
Potential* makeAniNative(const PotentialOptions& options);
}
