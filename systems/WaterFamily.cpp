// The `water` system family: cubic periodic boxes of N TIP3P-geometry waters (buildWaterBox),
// the scaling suites' systems.
#include "systems/Solvator.hpp"
#include "systems/SystemFamily.hpp"

namespace mlffb {
namespace {

SystemFamilyEntry waterFamily() {
  SystemFamilyEntry e;
  e.name = "water";
  e.description = "cubic periodic boxes of TIP3P-geometry water";
  e.sizeUnit = "molecules";
  e.sizeField = "molecules";
  e.build = [](const FamilyPoint& p) { return buildWaterBox(p.size, p.seed); };
  return e;
}

const Registrar<SystemFamilyEntry> kWaterFamily{waterFamily()};

}  // namespace
}  // namespace mlffb
