#pragma once
// `mlff-bench export`: a model as a TorchScript file for GROMACS NNPot or OpenMM-Torch.
#include <CLI/CLI.hpp>

namespace mlffb {
void addExportCommand(CLI::App& app);
}
