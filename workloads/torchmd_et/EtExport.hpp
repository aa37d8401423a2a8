#pragma once
// The Equivariant Transformer's export as TorchScript: the exporter the et/torch registry entry
// declares (see ModelEntry::exporter). Compiled with LibTorch only.
#include <nlohmann/json.hpp>

#include "workloads/ModelRegistry.hpp"

namespace mlffb::et {

/// Registers the ET's buffers on `module` and defines its energy method (as EtTorch: edges j → i
/// both ways plus self loops first, neighbour embedding, the attention layers, the gated
/// equivariant head; energy as the sum); returns weights, hyper-parameters and cutoff.
nlohmann::ordered_json exportEt(torch::jit::Module& module, const ExportRequest& request);

}  // namespace mlffb::et
