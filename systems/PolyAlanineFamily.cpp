// The `polyala` system family: folded poly-alanine slices of N residues, each the N-terminal
// prefix of one chain of at least 1000 residues (PolyAlanineBuilder).
#include <algorithm>

#include "systems/PolyAlanineBuilder.hpp"
#include "systems/SystemFamily.hpp"

namespace mlffb {
namespace {

SystemFamilyEntry polyalaFamily() {
  SystemFamilyEntry e;
  e.name = "polyala";
  e.description = "poly-alanine slices";
  e.sizeUnit = "residues";
  e.sizeField = "residues";
  e.maxSize = 10000;
  e.build = [](const FamilyPoint& p) {
    PolyAlanineOptions o;
    o.seed = p.seed;
    o.chainResidues = std::max(1000, p.size);
    return PolyAlanineBuilder(o).build(p.size);
  };
  return e;
}

const Registrar<SystemFamilyEntry> kPolyalaFamily{polyalaFamily()};

}  // namespace
}  // namespace mlffb
