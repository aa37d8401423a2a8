// Registry entry of `mace/mace-torch`: mace-torch 0.3's own MACE with MACE-OFF23's published
// architectures (random weights from --seed: MACE-OFF23's trained weights are ASL-licensed downloads
// that the package does not ship) or a user's MACE .model file (--model-file), compiled to
// TorchScript by mace's own route and run in-process through LibTorch (MacePotential.hpp).
// Unavailable, with the reason, without LibTorch or without torch and mace in the project's Python
// environment.
#include "core/PythonEnv.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/mace/MacePotential.hpp"
#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelFileOption.hpp"

namespace mlffb {
namespace {

Availability maceAvailability() {
  if (Availability a = torchAvailability(); !a.available) return a;
  std::string why;
  if (!pythonHasModules({"torch", "e3nn", "mace"}, &why)) return Availability::no(why);
  return Availability::yes();
}

std::vector<OptionSpec> maceOptions() {
  return {OptionSpec::choice("mace-preset", "mace_preset",
                             "MACE-OFF23 architecture (random weights from --seed): small 96x0e, medium 128x0e+128x1o, "
                             "large 192x0e+192x1o+192x2e",
                             {"small", "medium", "large"}, "medium"),
          modelFileOption(),
          OptionSpec::text("mace-head", "mace_head", "mace/mace-torch: the head of a multi-head MACE model", "the last")};
}

const Registrar<ModelEntry> kMaceTorch{[] {
  ModelEntry e;
  e.name = "mace/mace-torch";
  e.model = "mace";
  e.flavor = "mace-torch";
  e.peer = "MACE";
  e.description =
      "MACE: mace-torch 0.3's ScaleShiftMACE with MACE-OFF23's architectures (random weights from --seed) or a user's "
      ".model file, compiled by e3nn.util.jit.compile and run in-process through LibTorch; forces by autograd";
  e.availability = maceAvailability;
  e.capabilities = torchCapabilities;  // CPU, and CUDA with a CUDA LibTorch; float32 and float64
  e.options = maceOptions();
  // The file carries the subdomain contract (atomic_energies, mlffb.json): LAMMPS ranks evaluate it.
  e.subdomain = true;
  e.details = [] {
    return std::vector<std::pair<std::string, std::string>>{
        {"weights", "random unless --model-file: MACE-OFF23's trained weights are ASL-licensed downloads from "
                    "github.com/ACEsuit/mace-off, not shipped by mace-torch"},
        {"receptive field", "2 message-passing steps × 5 Å (MACE-OFF23; a --model-file: its own)"}};
  };
  e.create = [](const std::string&, [[maybe_unused]] const PotentialOptions& o) -> std::unique_ptr<Potential> {
    MLFFB_WITH_TORCH_OR_THROW(return makeMacePotential(o));
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb
