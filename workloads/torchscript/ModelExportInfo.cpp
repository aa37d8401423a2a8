// The parts of the export that need no LibTorch: contract names and the GROMACS mdp lines.
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

std::vector<std::string> exportableModels() { return {"ani2x", "et"}; }

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
