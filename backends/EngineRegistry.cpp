#include "backends/EngineRegistry.hpp"

#include <stdexcept>

#include "backends/native/NativeEngine.hpp"

namespace mlffb {

const std::vector<EngineEntry>& engineRegistry() {
  static const std::vector<EngineEntry> entries{
      {"native", "mlff-bench's MD engine: L-BFGS minimisation, velocity Verlet / Langevin BAOAB, Verlet lists", true, "",
       [] { return std::unique_ptr<Engine>(new NativeEngine()); }},
  };
  return entries;
}

std::unique_ptr<Engine> createEngine(const std::string& name) {
  std::string known;
  for (const auto& e : engineRegistry()) {
    if (e.name == name) {
      if (!e.available) throw std::invalid_argument("engine " + name + " is unavailable: " + e.reason);
      return e.create();
    }
    known += (known.empty() ? "" : ", ") + e.name;
  }
  throw std::invalid_argument("unknown engine '" + name + "' (known: " + known + ")");
}

}  // namespace mlffb
