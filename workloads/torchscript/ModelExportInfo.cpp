// The parts of the export that need no LibTorch: contract names, which models declare an
// exporter (the registry's answer) and the GROMACS mdp lines.
#include <algorithm>
#include <stdexcept>

#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace mlffb {

ExportContract parseExportContract(const std::string& s) {
  if (s == "nnpot") return ExportContract::NNPot;
  if (s == "openmm-torch") return ExportContract::OpenMMTorch;
  throw std::invalid_argument("unknown contract '" + s + "' (nnpot, openmm-torch)");
}

std::string toString(ExportContract c) { return c == ExportContract::NNPot ? "nnpot" : "openmm-torch"; }

std::vector<std::string> exportableModels() {
  std::vector<std::string> out;
  for (const auto& e : ModelRegistry::instance().entries())
    if (e.exporter && std::find(out.begin(), out.end(), e.model) == out.end()) out.push_back(e.model);
  return out;
}

std::string exportableModelList() {
  std::string s;
  for (const auto& m : exportableModels()) s += (s.empty() ? "" : ", ") + m;
  return s.empty() ? "no model declares an export" : s;
}

const ModelEntry& exportEntryOf(const std::string& model) {
  for (const ModelEntry* e : flavorsOf(model))
    if (e->exporter) return *e;
  throw std::invalid_argument("model '" + model + "' cannot be exported (" + exportableModelList() + ")");
}

std::string nnpotMdp(const std::string& modelFile, const std::string& inputGroup) {
  return "; mlff-bench: the MLFF through GROMACS's Neural Network Potential interface\n"
         "nnpot-active        = yes\n"
         "nnpot-modelfile     = " + modelFile + "\n"
         "nnpot-input-group   = " + inputGroup + "\n"
         "nnpot-model-input1  = atom-positions\n"
         "nnpot-model-input2  = atom-numbers\n"
         "nnpot-model-input3  = box\n"
         "nnpot-model-input4  = pbc\n";
}

#ifndef MLFFB_HAVE_TORCH
ExportedModel exportTorchScript(const ExportRequest&) { throw std::invalid_argument(torchAvailability().reason); }
#endif

}  // namespace mlffb
