#pragma once
// Geometric summaries of a system used by the manifest and reports.
#include <optional>
#include <string>

#include "systems/System.hpp"

namespace mlffb {

struct StructureStats {
  double radiusOfGyration = 0;  // Å, mass-weighted over solute atoms
  Vec3 soluteExtent;            // Å, max − min of solute coordinates per axis
  double meanNeighborsRadial = 0;   // mean neighbours per atom within 5.1 Å (all atoms)
  double meanNeighborsAngular = 0;  // mean neighbours per atom within 3.5 Å (all atoms)
};

double radiusOfGyration(const System& s, bool soluteOnly = true);
Vec3 extent(const System& s, bool soluteOnly = true);
/// Mean number of other atoms within `cutoff` Å per atom (cell list; every periodic image counts,
/// also in cells thinner than twice the cutoff).
double meanNeighbors(const System& s, double cutoff);
StructureStats computeStats(const System& s);

/// The closest pair of atoms nearer than `distance` Å (minimum image when periodic), if any.
struct ClosePair {
  int i = -1, j = -1;
  double distance = 0;
};
std::optional<ClosePair> closestPairWithin(const System& s, double distance);
/// Throws std::invalid_argument naming `where`, both atoms and their distance when two atoms are
/// closer than `minDistance` Å (coincident or overlapping atoms make every model's result
/// meaningless); 0 disables the check.
void requireSeparated(const System& s, double minDistance, const std::string& where);

}  // namespace mlffb
