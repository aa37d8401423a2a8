// Registers the `memory` collector (MemoryCollector.hpp/.cpp).
#include "profilers/CollectorRegistry.hpp"
#include "profilers/MemoryCollector.hpp"

namespace mlffb::profilers {
namespace {
const Registrar<CollectorEntry> kMemoryEntry{[] {
  CollectorEntry e;
  e.name = "memory";
  e.description = "peak resident memory of the measured section (VmHWM reset per run) and the model's device-memory peaks; always on";
  e.defaultOn = true;
  e.create = [](const OptionValues&) { return std::make_unique<MemoryCollector>(); };
  return e;
}()};
}  // namespace

}  // namespace mlffb::profilers
