#pragma once
// ANI-2x's export as TorchScript: the exporter the ani2x/torch registry entry declares (see
// ModelEntry::exporter). Compiled with LibTorch only.
#include <nlohmann/json.hpp>

#include "workloads/ModelRegistry.hpp"

namespace mlffb::ani {

/// Registers ANI-2x's buffers on `module` and defines its energy method (TorchANI's AEV as the
/// torch flavour computes it, the 8 members of each element network stacked into one batched GEMM
/// per layer, self energies; Hartree → kJ/mol); returns weights and cutoff for the description.
nlohmann::ordered_json exportAni(torch::jit::Module& module, const ExportRequest& request);

}  // namespace mlffb::ani
