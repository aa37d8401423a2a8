#pragma once
// The classical topology's bonded terms and 1-4 pairs evaluated from positions, in float64, the
// way GROMACS defines them (IUPAC dihedral angle, GROMACS's 1/(4πε0)): energies per term as
// GROMACS names them in md.log, and forces. The check of the topology reader against gmx mdrun
// -rerun, and the classical part of engines without their own (native) use it.
#include <optional>
#include <vector>

#include "systems/Box.hpp"
#include "systems/Vec3.hpp"
#include "workloads/classical/ClassicalTopology.hpp"

namespace mlffb::classical {

/// 1/(4πε0) in kJ mol⁻¹ nm e⁻² from the CODATA 2018 constants GROMACS uses.
double oneOver4PiEps0();

struct BondedEnergies {
  double bond = 0, angle = 0, ureyBradley = 0, proper = 0, ryckaertBellemans = 0, improper = 0,
         periodicImproper = 0, lj14 = 0, coulomb14 = 0;  // kJ/mol
  double total() const { return bond + angle + ureyBradley + proper + ryckaertBellemans + improper + periodicImproper + lj14 + coulomb14; }
  /// (GROMACS md.log name, value) of every term the topology has.
  std::vector<std::pair<std::string, double>> named(const ClassicalTopology& top) const;
};

/// Energies of every bonded term and 1-4 pair at `positions` (Å, topology order); forces
/// (kJ/mol/Å) added to `forces` when given. Distances use the minimum image when `box` is set.
BondedEnergies bondedEnergies(const ClassicalTopology& top, const std::vector<Vec3>& positions,
                              const std::optional<Box>& box = std::nullopt, std::vector<Vec3>* forces = nullptr);

}  // namespace mlffb::classical
