// Registry entry of `ani2x/torchani`: TorchANI 2.9's own ANI-2x beside our flavours, on the same
// NeuroChem weights, evaluated in-process through LibTorch from the TorchScript file TorchANI itself
// produced (TorchaniPotential.hpp). Unavailable, with the reason, without LibTorch or without
// torch and torchani in the project's Python environment.
#include "core/PythonEnv.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniReference.hpp"
#include "workloads/ani2x/AniWorkload.hpp"
#include "workloads/torch/TorchSupport.hpp"
#ifdef MLFFB_HAVE_TORCH
#include "workloads/peers/TorchaniPotential.hpp"
#endif

namespace mlffb {
namespace {

Availability torchaniAvailability() {
  if (Availability a = torchAvailability(); !a.available) return a;
  std::string why;
  if (!pythonHasModules({"torch", "torchani"}, &why)) return Availability::no(why);
  return Availability::yes();
}

std::vector<OptionSpec> torchaniOptions() {
  OptionSpec weights = OptionSpec::directory("weights", "weights",
                                             "ANI-2x NeuroChem weights folder (default: the real ANI-2x weights when they can be found)");
  weights.input = true;
  return {weights,
          OptionSpec::integer("member", "member", "ANI-2x: evaluate one ensemble member only", 0, ani::kMembers - 1, "all 8 members"),
          OptionSpec::choice("aev-strategy", "aev_strategy",
                             "ani2x/torchani: TorchANI's AEV code, pyaev (PyTorch operators) or cuaev (its CUDA extension)",
                             {"pyaev", "cuaev"}, "pyaev"),
          OptionSpec::choice("neighborlist", "neighborlist", "ani2x/torchani: TorchANI's neighbour list",
                             {"all_pairs", "cell_list"}, "all_pairs")};
}

const Registrar<ModelEntry> kTorchani{[] {
  ModelEntry e;
  e.name = "ani2x/torchani";
  e.model = "ani2x";
  e.flavor = "torchani";
  e.peer = "TorchANI";
  e.description =
      "ANI-2x: TorchANI 2.9's own ANI2x() on the same NeuroChem weights (TorchANI's NeuroChem loader), "
      "exported by torch.jit.script and run in-process through LibTorch; forces by autograd";
  e.availability = torchaniAvailability;
  e.capabilities = torchCapabilities;  // CPU, and CUDA with a CUDA LibTorch; float32 and float64
  e.options = torchaniOptions();
  e.subdomain = true;  // the export adds TorchANI's own per-atom energies (the subdomain contract)
  // TorchANI's NeuroChem loader keeps the AEV constants and self energies in float32 (the files
  // write them in decimal): in float64 its energies lie ~3e-8 and its forces ~6e-7 (relative) from
  // ours, measured on proteins and water (tests/workloads/TorchaniPeerTest.cpp); bounds 3× that.
  e.float64Residual = {1e-7, 2e-6};
  e.reference = [](const PotentialOptions& o) {
    return ani::makeAniReference(ani::loadAniModel(optionText(o.options, "weights"), o.seed, ani::aniMemberOption(o)));
  };
  e.physicalDefaults = [] {
    const std::string w = ani::defaultAniWeights();
    return w.empty() ? OptionValues{} : OptionValues{{"weights", w}};
  };
  e.physicalDefaultsHint = "the real ANI-2x weights were not found ($MLFFB_ANI2X_WEIGHTS, or ../shared/models/ani-2x_8x): "
                           "ani2x/torchani needs them (--weights DIR)";
  e.details = [] {
    return std::vector<std::pair<std::string, std::string>>{
        {"cuAEV", "TorchANI 2.9's wheel ships cuAEV as CUDA sources only (built on demand by `ani build-extensions`); "
                  "a file made with --aev-strategy cuaev names its TorchScript classes, so the flavour loads the built "
                  "library into the process before the file"}};
  };
  e.create = [](const std::string&, [[maybe_unused]] const PotentialOptions& o) -> std::unique_ptr<Potential> {
    MLFFB_WITH_TORCH_OR_THROW(return makeTorchaniPotential(o));
  };
  return e;
}()};

}  // namespace
}  // namespace mlffb
