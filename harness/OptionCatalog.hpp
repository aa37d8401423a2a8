#pragma once
// Every option that a registry entry declares — models, engines, collectors — gathered once, so
// the command line (`run`, `eval`), `mlff-bench list` and the planner's checks are generated
// from the entries. An option declared by several entries (the same flag) appears once with all
// of its owners.
#include <string>
#include <vector>

#include "core/Options.hpp"

namespace mlffb {

struct CatalogOption {
  OptionSpec spec;
  std::string kind;                 // "model", "engine" or "collector"
  std::vector<std::string> owners;  // entry names, e.g. "et/torch"
  std::string ownerList() const;    // "ani2x/native, ani2x/torch"
};

/// All declared options, sorted by flag. Throws std::logic_error when two entries declare one
/// flag with different keys or types.
const std::vector<CatalogOption>& optionCatalog();
/// The catalog entry for a settings key, or nullptr.
const CatalogOption* findOption(const std::string& key);

}  // namespace mlffb
