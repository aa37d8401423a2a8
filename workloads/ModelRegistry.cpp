#include "workloads/ModelRegistry.hpp"

#include <stdexcept>

#include "workloads/ani2x/AniNative.hpp"
#ifdef MLFFB_HAVE_TORCH
#include "workloads/ani2x/AniTorch.hpp"
#include "workloads/torchmd_et/EtTorch.hpp"
#include "workloads/torchscript/TorchScriptPotential.hpp"
#endif

namespace mlffb {

Precision parsePrecision(const std::string& s) {
  if (s == "float32") return Precision::Float32;
  if (s == "float64") return Precision::Float64;
  throw std::invalid_argument("unknown precision '" + s + "' (float32, float64)");
}
std::string toString(Precision p) { return p == Precision::Float32 ? "float32" : "float64"; }

const std::vector<ModelEntry>& modelRegistry() {
  static const std::vector<ModelEntry> entries{
      {"ani2x", "native", "ANI-2x: C++ cell list, analytic AEV and backward, stacked-member BLAS GEMMs, OpenMP", true, "",
       [](const PotentialOptions& o) { return std::unique_ptr<Potential>(makeAniNative(o)); }},
#ifdef MLFFB_HAVE_TORCH
      {"ani2x", "torch", "ANI-2x: LibTorch operator by operator (TorchANI structure), forces by autograd", true, "",
       [](const PotentialOptions& o) { return std::unique_ptr<Potential>(makeAniTorch(o)); }},
      {"et", "torch", "TorchMD-Net Equivariant Transformer: LibTorch operator by operator, forces by autograd", true, "",
       [](const PotentialOptions& o) { return std::unique_ptr<Potential>(makeEtTorch(o)); }},
      {"*", "torchscript", "any TorchScript model with the OpenMM-Torch contract (--model-file FILE.pt)", true, "", nullptr},
#else
      {"ani2x", "torch", "ANI-2x: LibTorch operator by operator", false,
       "built without LibTorch (install libtorch-dev and rebuild)", nullptr},
      {"et", "torch", "TorchMD-Net Equivariant Transformer (LibTorch)", false,
       "built without LibTorch (install libtorch-dev and rebuild)", nullptr},
      {"*", "torchscript", "any TorchScript model with the OpenMM-Torch contract", false,
       "built without LibTorch (install libtorch-dev and rebuild)", nullptr},
#endif
  };
  return entries;
}

const ModelEntry& findModel(const std::string& model, const std::string& flavor) {
  std::string known;
  for (const auto& e : modelRegistry()) {
    if ((e.model == model || e.model == "*") && e.flavor == flavor) {
      if (!e.available) throw std::invalid_argument("model " + model + " flavour " + flavor + " is unavailable: " + e.reason);
      return e;
    }
    known += (known.empty() ? "" : ", ") + e.model + "/" + e.flavor;
  }
  throw std::invalid_argument("unknown model/flavour '" + model + "/" + flavor + "' (known: " + known + ")");
}

std::unique_ptr<Potential> createPotential(const std::string& model, const PotentialOptions& options) {
  const ModelEntry& e = findModel(model, options.flavor);
#ifdef MLFFB_HAVE_TORCH
  if (e.flavor == "torchscript") return std::unique_ptr<Potential>(makeTorchScriptPotential(model, options));
#endif
  return e.create(options);
}

}  // namespace mlffb
