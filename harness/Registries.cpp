#include "harness/Registries.hpp"

#include "backends/EngineRegistry.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {

std::vector<ListingSection> registrySections() {
  ListingSection models{"models", {}};
  for (const auto& e : modelRegistry())
    models.entries.push_back({e.model + " --flavor " + e.flavor, e.available, e.description, e.reason});
  ListingSection collectors{"collectors",
                            {{"wallclock", true, "wall-clock time per stage range (device synchronised)", ""},
                             {"memory", true, "peak resident memory per run (VmHWM reset per run); CUDA allocator peaks", ""}}};
  ListingSection engines{"engines", {}};
  for (const auto& e : engineRegistry()) engines.entries.push_back({e.name, e.available, e.description, e.reason});
  return {models, engines, collectors};
}

}  // namespace mlffb
