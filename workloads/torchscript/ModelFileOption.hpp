#pragma once
// The --model-file option, declared by every entry that reads a model file (the torchscript flavour:
// a TorchScript file; mace/mace-torch: a MACE .model): one flag, one key, one help text.
#include "core/Options.hpp"

namespace mlffb {

inline OptionSpec modelFileOption() {
  return OptionSpec::file("model-file", "model_file",
                          "a model file: for --flavor torchscript a TorchScript file (OpenMM-Torch contract); "
                          "for mace/mace-torch a MACE .model (its weights and architecture instead of a preset's random ones)");
}

}  // namespace mlffb
