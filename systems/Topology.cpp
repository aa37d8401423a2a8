#include "systems/Topology.hpp"

#include <algorithm>

#include "systems/CellList.hpp"

namespace mlffb {

double covalentRadius(int z) {
  switch (z) {
    case 1: return 0.31;
    case 6: return 0.76;
    case 7: return 0.71;
    case 8: return 0.66;
    case 9: return 0.57;
    case 15: return 1.07;
    case 16: return 1.05;
    case 17: return 1.02;
    default: return 1.2;
  }
}

std::vector<std::pair<int, int>> inferBonds(const System& s) {
  std::vector<std::pair<int, int>> bonds;
  if (s.size() < 2) return bonds;
  // Across the periodic boundary when the cell is wide enough; a cell thinner than twice the
  // search radius (thin crystal cells) is searched without images.
  constexpr double kSearch = 2.5;
  const bool periodic = s.box && s.box->minWidth() >= 2 * kSearch;
  CellList cells(s.positions, periodic ? s.box : std::nullopt, kSearch);
  cells.forEachPair([&](int i, int j, const Vec3&, double r2) {
    const int zi = s.atoms[i].element, zj = s.atoms[j].element;
    if (zi == 1 && zj == 1) return;
    const double lim = covalentRadius(zi) + covalentRadius(zj) + 0.4;
    if (r2 < lim * lim) bonds.emplace_back(i, j);
  });
  std::sort(bonds.begin(), bonds.end());
  return bonds;
}

std::vector<std::vector<int>> atomsWithinBonds(size_t n, const std::vector<std::pair<int, int>>& bonds,
                                               int maxBonds) {
  std::vector<std::vector<int>> adj(n), out(n);
  for (auto [a, b] : bonds) {
    adj[a].push_back(b);
    adj[b].push_back(a);
  }
  std::vector<int> depth(n, -1), touched;
  for (size_t s = 0; s < n; ++s) {
    std::vector<int> frontier{static_cast<int>(s)};
    depth[s] = 0;
    touched.assign(1, static_cast<int>(s));
    for (int d = 1; d <= maxBonds && !frontier.empty(); ++d) {
      std::vector<int> next;
      for (int a : frontier)
        for (int b : adj[a])
          if (depth[b] < 0) {
            depth[b] = d;
            next.push_back(b);
            touched.push_back(b);
            out[s].push_back(b);
          }
      frontier.swap(next);
    }
    for (int t : touched) depth[t] = -1;
    std::sort(out[s].begin(), out[s].end());
  }
  return out;
}

ClashReport findClashes(const System& s, int maxBonds, bool soluteOnly) {
  ClashReport rep;
  const auto excl = atomsWithinBonds(s.size(), s.bonds, maxBonds);
  // Across the periodic boundary when the cell is wide enough; a cell thinner than twice the
  // search radius (thin crystal cells) is searched without images.
  constexpr double kSearch = 2.5;
  const bool periodic = s.box && s.box->minWidth() >= 2 * kSearch;
  CellList cells(s.positions, periodic ? s.box : std::nullopt, kSearch);
  cells.forEachPair([&](int i, int j, const Vec3&, double r2) {
    if (soluteOnly && (s.atoms[i].solvent || s.atoms[j].solvent)) return;
    if (std::binary_search(excl[i].begin(), excl[i].end(), j)) return;
    const double r = std::sqrt(r2);
    if (r < rep.minAny) {
      rep.minAny = r;
      rep.anyI = i;
      rep.anyJ = j;
    }
    if (s.atoms[i].element != 1 && s.atoms[j].element != 1 && r < rep.minHeavyHeavy) {
      rep.minHeavyHeavy = r;
      rep.heavyI = i;
      rep.heavyJ = j;
    }
  });
  return rep;
}

}  // namespace mlffb
