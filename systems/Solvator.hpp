#pragma once
// TIP3P solvation in an orthorhombic box around a solute.
#include <cstdint>

#include "systems/System.hpp"

namespace mlffb {

struct SolvationOptions {
  double paddingAngstrom = 10.0;  // box = solute extent + 2 × padding
  double density = 0.997;         // g/cm³ of the water
  double clearance = 2.3;         // Å: no water atom this close to a solute heavy atom
  double hydrogenClearance = 1.6; // Å: nor this close to a solute hydrogen
  std::uint64_t seed = 42;
};

/// Water placed as in a pre-shuffled lattice: the box is filled with sites on a lattice slightly
/// denser than the target, a seeded random subset is kept so that the water density is the
/// target, each water gets a random orientation, and waters overlapping the solute are removed.
/// The solute is translated so that its bounding box is centred in the box [0, L]^3.
class Solvator {
 public:
  explicit Solvator(SolvationOptions options) : opt_(options) {}
  System solvate(const System& solute) const;

  static constexpr double kOH = 0.9572;      // Å, TIP3P
  static constexpr double kHOH = 104.52;     // degrees, TIP3P
  static constexpr double kWaterMass = 18.015;  // amu (H 1.008, O 15.999)

 private:
  SolvationOptions opt_;
};

/// A cubic periodic box of `molecules` TIP3P-geometry waters at `density` g/cm³, placed as the
/// Solvator places them (lattice, seeded subset, random orientations): the scaling suites'
/// water systems of any size.
System buildWaterBox(int molecules, std::uint64_t seed, double density = 0.997);

/// Water density (g/cm³) in the part of the box farther than `distance` Å from every solute atom,
/// measured on a grid of points: water mass of molecules whose oxygen lies there over that volume.
double bulkWaterDensity(const System& s, double distance);

}  // namespace mlffb
