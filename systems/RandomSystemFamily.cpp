// The `random` system family: N atoms at random coordinates with a chosen mean neighbour count
// within 5.1 Å (RandomSystemBuilder), the one family that takes the neighbour axis.
#include <cmath>

#include "systems/RandomSystemBuilder.hpp"
#include "systems/SystemFamily.hpp"

namespace mlffb {
namespace {

SystemFamilyEntry randomFamily() {
  SystemFamilyEntry e;
  e.name = "random";
  e.description = "random-coordinate systems of H, C, N, O with a chosen mean neighbour count";
  e.sizeUnit = "atoms";
  e.sizeField = "requested_atoms";
  e.defaultNeighbors = {kWaterNeighbors};
  e.id = [](const FamilyPoint& p) {
    return "random-" + std::to_string(p.size) + "-n" + std::to_string(static_cast<int>(std::lround(p.neighbors)));
  };
  e.build = [](const FamilyPoint& p) {
    RandomSystemOptions o;
    o.atoms = p.size;
    o.neighbors = p.neighbors;
    o.seed = p.seed;
    return buildRandomSystem(o);
  };
  return e;
}

const Registrar<SystemFamilyEntry> kRandomFamily{randomFamily()};

}  // namespace
}  // namespace mlffb
