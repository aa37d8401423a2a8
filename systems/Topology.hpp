#pragma once
// Bond graph helpers: bonds inferred from distances, and the atoms within k bonds of each atom.
#include <vector>

#include "systems/System.hpp"

namespace mlffb {

/// Covalent radius (Å) used for bond inference.
double covalentRadius(int element);

/// Bonds between atoms closer than r_i + r_j + 0.4 Å (no H–H bonds), i < j, sorted; across the
/// periodic boundary unless the cell is thinner than 5 Å.
std::vector<std::pair<int, int>> inferBonds(const System& system);

/// For each atom, the sorted list of other atoms at most `maxBonds` bonds away.
std::vector<std::vector<int>> atomsWithinBonds(size_t atomCount,
                                               const std::vector<std::pair<int, int>>& bonds,
                                               int maxBonds);

struct ClashReport {
  double minHeavyHeavy = 1e30;  // closest non-bonded heavy–heavy distance, Å
  double minAny = 1e30;         // closest non-bonded pair of any atoms, Å
  int heavyI = -1, heavyJ = -1, anyI = -1, anyJ = -1;
};

/// Closest pairs among the atoms selected by `include` that are more than `maxBonds` bonds apart.
ClashReport findClashes(const System& system, int maxBonds, bool soluteOnly);

}  // namespace mlffb
