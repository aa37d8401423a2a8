#include "systems/StructureStats.hpp"

#include <algorithm>
#include <cmath>

#include "systems/CellList.hpp"
#include "systems/Element.hpp"

namespace mlffb {

double radiusOfGyration(const System& s, bool soluteOnly) {
  double m = 0;
  Vec3 c;
  for (size_t i = 0; i < s.size(); ++i) {
    if (soluteOnly && s.atoms[i].solvent) continue;
    const double mi = elementInfo(s.atoms[i].element).mass;
    c += s.positions[i] * mi;
    m += mi;
  }
  if (m == 0) return 0;
  c = c / m;
  double acc = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (soluteOnly && s.atoms[i].solvent) continue;
    acc += elementInfo(s.atoms[i].element).mass * norm2(s.positions[i] - c);
  }
  return std::sqrt(acc / m);
}

Vec3 extent(const System& s, bool soluteOnly) {
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  bool any = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (soluteOnly && s.atoms[i].solvent) continue;
    any = true;
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], s.positions[i][d]);
      hi[d] = std::max(hi[d], s.positions[i][d]);
    }
  }
  return any ? hi - lo : Vec3{};
}

double meanNeighbors(const System& s, double cutoff) {
  if (s.size() == 0) return 0;
  CellList cells(s.positions, s.box, cutoff);
  return 2.0 * static_cast<double>(cells.countPairs()) / static_cast<double>(s.size());
}

StructureStats computeStats(const System& s) {
  StructureStats st;
  st.radiusOfGyration = radiusOfGyration(s);
  st.soluteExtent = extent(s);
  st.meanNeighborsRadial = meanNeighbors(s, 5.1);
  st.meanNeighborsAngular = meanNeighbors(s, 3.5);
  return st;
}

}  // namespace mlffb
