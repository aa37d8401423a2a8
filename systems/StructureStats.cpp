#include "systems/StructureStats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

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
  if (!s.box || s.box->minWidth() >= 2 * cutoff) {
    CellList cells(s.positions, s.box, cutoff);
    return 2.0 * static_cast<double>(cells.countPairs()) / static_cast<double>(s.size());
  }
  // A cell thinner than twice the cutoff (thin crystal cells): an atom meets several images of
  // another. Count in a supercell wide enough, where every pair of the crystal appears once per copy.
  const Box& b = *s.box;
  const Vec3 w = b.widths();
  int n[3];
  double copiesNeeded = 1;
  for (int d = 0; d < 3; ++d) {
    const double k = std::ceil(2 * cutoff / w[d]);
    copiesNeeded *= k;
    n[d] = static_cast<int>(std::clamp(k, 1.0, 1e6));
  }
  if (copiesNeeded * static_cast<double>(s.size()) > 2e7)
    throw std::invalid_argument("periodic cell " + b.describe() + " is too small to count neighbours within " + std::to_string(cutoff).substr(0, 4) +
                                " Å");
  std::vector<Vec3> copies;
  copies.reserve(s.size() * n[0] * n[1] * n[2]);
  for (int i = 0; i < n[0]; ++i)
    for (int j = 0; j < n[1]; ++j)
      for (int k = 0; k < n[2]; ++k)
        for (const auto& p : s.positions) copies.push_back(p + b.a * i + b.b * j + b.c * k);
  const Box super{b.a * n[0], b.b * n[1], b.c * n[2]};
  CellList cells(copies, super, cutoff);
  return 2.0 * static_cast<double>(cells.countPairs()) / static_cast<double>(copies.size());
}

StructureStats computeStats(const System& s) {
  StructureStats st;
  st.radiusOfGyration = radiusOfGyration(s);
  st.soluteExtent = extent(s);
  st.meanNeighborsRadial = meanNeighbors(s, 5.1);
  st.meanNeighborsAngular = meanNeighbors(s, 3.5);
  return st;
}

std::optional<ClosePair> closestPairWithin(const System& s, double distance) {
  if (s.size() < 2 || !(distance > 0)) return std::nullopt;
  const bool periodic = s.box && s.box->minWidth() >= 2 * distance;
  std::optional<ClosePair> best;
  CellList(s.positions, periodic ? s.box : std::nullopt, distance).forEachPair([&](int i, int j, const Vec3&, double r2) {
    const double r = std::sqrt(r2);
    if (!best || r < best->distance) best = ClosePair{i, j, r};
  });
  return best;
}

void requireSeparated(const System& s, double minDistance, const std::string& where) {
  const auto p = closestPairWithin(s, minDistance);
  if (!p) return;
  char d[32];
  std::snprintf(d, sizeof d, "%.3f", p->distance);
  throw std::invalid_argument(where + ": " + s.atomLabel(p->i) + " and " + s.atomLabel(p->j) + " are " + d +
                              " Å apart, closer than --min-distance " + std::to_string(minDistance).substr(0, 4) +
                              " Å; fix the structure or lower --min-distance");
}

}  // namespace mlffb
