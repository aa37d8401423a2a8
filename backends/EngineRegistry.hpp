#pragma once
// Engines by name: `mlff-bench list` prints them, `run --mode md --engine` creates them.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/Engine.hpp"

namespace mlffb {

struct EngineEntry {
  std::string name;
  std::string description;
  bool available;
  std::string reason;
  std::function<std::unique_ptr<Engine>()> create;
};

const std::vector<EngineEntry>& engineRegistry();
/// Throws std::invalid_argument listing the engines, or saying why one is unavailable.
std::unique_ptr<Engine> createEngine(const std::string& name);

}  // namespace mlffb
