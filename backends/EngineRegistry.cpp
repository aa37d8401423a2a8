#include "backends/EngineRegistry.hpp"

#include <stdexcept>

namespace mlffb {

const EngineEntry& findEngine(const std::string& name) {
  if (const EngineEntry* e = EngineRegistry::instance().find(name)) return *e;
  throw std::invalid_argument("unknown engine '" + name + "' (known: " + EngineRegistry::instance().names() + ")");
}

std::unique_ptr<Engine> createEngine(const std::string& name, const OptionValues& options) {
  const EngineEntry& e = findEngine(name);
  // Engines that judge their options themselves were checked by the planner with the point's.
  if (!e.unavailableFor) {
    const Availability a = e.availability();
    if (!a.available) throw std::invalid_argument("engine " + name + " is unavailable: " + a.reason);
  }
  return e.create(options);
}

}  // namespace mlffb
