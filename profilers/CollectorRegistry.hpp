#pragma once
// Collectors by name (`run --profile a,b`), registered beside their code. Each declares whether
// it is on by default, whether it perturbs timing (then the harness runs it in a pass of its own
// so the timing pass stays clean), its availability with the reason, and its options.
#include <functional>
#include <memory>

#include "core/Registry.hpp"
#include "profilers/Collector.hpp"

namespace mlffb::profilers {

struct CollectorEntry : EntryInfo {
  bool defaultOn = false;
  bool perturbsTiming = false;
  std::function<std::unique_ptr<Collector>(const OptionValues&)> create;
};

using CollectorRegistry = Registry<CollectorEntry>;

}  // namespace mlffb::profilers
