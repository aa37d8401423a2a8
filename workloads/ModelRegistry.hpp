#pragma once
// Models × flavours by name: `mlff-bench list` prints them, `eval`/`run` create them.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "workloads/Potential.hpp"

namespace mlffb {

struct ModelEntry {
  std::string model;    // "ani2x"
  std::string flavor;   // "native", "torch"
  std::string description;
  bool available;
  std::string reason;   // when unavailable
  std::function<std::unique_ptr<Potential>(const PotentialOptions&)> create;
};

const std::vector<ModelEntry>& modelRegistry();
/// The entry for model/flavor; throws std::invalid_argument listing what exists, or saying why
/// the flavour is unavailable in this build.
const ModelEntry& findModel(const std::string& model, const std::string& flavor);
std::unique_ptr<Potential> createPotential(const std::string& model, const PotentialOptions& options);

}  // namespace mlffb
