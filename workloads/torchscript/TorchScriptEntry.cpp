// Registry entry of the TorchScript flavour: any exported model with the OpenMM-Torch contract,
// under any model name (`--model NAME --flavor torchscript --model-file FILE.pt`); on distributed
// engines a file with the subdomain contract (TorchScriptPotential.hpp).
#include "workloads/ModelRegistry.hpp"
#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelFileOption.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"

namespace mlffb {
namespace {

const Registrar<ModelEntry> kTorchScript{[] {
  ModelEntry e;
  e.name = "*/torchscript";
  e.model = "*";
  e.flavor = "torchscript";
  e.description = "any TorchScript model with the OpenMM-Torch contract (--model-file FILE.pt)";
  e.availability = torchAvailability;
  e.capabilities = torchCapabilities;
  e.subdomain = true;  // for a file with the subdomain contract; a file without it is refused when bound to a subdomain
  e.options = {modelFileOption()};
  e.create = [] ([[maybe_unused]] const std::string& model, [[maybe_unused]] const PotentialOptions& o) -> std::unique_ptr<Potential> {
    MLFFB_WITH_TORCH_OR_THROW(return makeTorchScriptPotential(model, o));
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb
