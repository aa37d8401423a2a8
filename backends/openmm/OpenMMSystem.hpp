#pragma once
// Our classical topology (ClassicalTopology, from the GROMACS topology reader) as an OpenMM System
// built with the C++ API: masses, constraints (SETTLE waters included; OpenMM recognises rigid
// waters itself), box (triclinic too), harmonic bonds, harmonic angles (+ Urey–Bradley bonds),
// periodic torsions (propers and periodic impropers in separate forces), Ryckaert–Bellemans and
// harmonic impropers when the force field has them, and one NonbondedForce with PME whose 1-4
// exceptions carry the topology's scaled charges and LJ parameters. Each kind of term has its own
// force group, so energies can be read term by term (GROMACS's md.log names in forceGroupName).
//
// Mechanical embedding (OpenMM-ML's createMixedSystem, the seed paper's CMLsys): with `mlAtoms`
// given, every bond, angle and torsion whose atoms are all ML atoms is left out, every ML–ML pair
// becomes a nonbonded exception with charge product 0 and ε 0, and ML–MM interactions stay classical.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openmm/System.h>

#include "systems/Box.hpp"
#include "workloads/classical/ClassicalTopology.hpp"

namespace mlffb::openmm {

enum ForceGroup : int {
  kBondGroup = 0,
  kUreyBradleyGroup,
  kAngleGroup,
  kProperGroup,
  kPeriodicImproperGroup,
  kRyckaertBellemansGroup,
  kHarmonicImproperGroup,
  kNonbondedDirectGroup,  // real-space LJ + Coulomb and the 1-4 exceptions
  kReciprocalGroup,       // PME reciprocal space
  kMlffGroup,
  kForceGroupCount
};
/// Å → nm, the one unit conversion at OpenMM's edge.
OpenMM::Vec3 toNm(const Vec3& r);

/// "Bond", "Angle", "Proper Dih.", … (GROMACS's md.log names where there is one).
const char* forceGroupName(int group);
/// The groups of classical terms (everything but the MLFF) as an OpenMM group mask.
int classicalGroupMask();

/// GROMACS's PME settings, applied to OpenMM's PME so both engines compute the same sum:
/// Ewald splitting β from erfc(β·r_c) = ewaldRtol, grid of at most `fourierSpacingNm` per point
/// (sizes with factors 2, 3, 5, 7 only).
struct NonbondedSettings {
  double cutoffNm = 1.0;
  double ewaldRtol = 1e-5;
  double fourierSpacingNm = 0.12;
};
/// β (1/nm) with erfc(β·rc) = rtol, by bisection as GROMACS's calc_ewaldcoeff_q.
double ewaldCoefficient(double cutoffNm, double rtol);
/// The smallest FFT-friendly size (factors 2, 3, 5, 7) ≥ n.
int fftFriendlySize(int n);

struct EmbeddingCounts {
  int bondsRemoved = 0, anglesRemoved = 0, torsionsRemoved = 0, pairsZeroed = 0;
};

struct ClassicalSystem {
  std::unique_ptr<OpenMM::System> system;
  EmbeddingCounts removed;  // mechanical embedding only
  double ewaldAlphaPerNm = 0;
  int pmeGrid[3] = {0, 0, 0};
};

/// Throws std::invalid_argument for what OpenMM's NonbondedForce cannot express (a combination
/// rule other than Lorentz–Berthelot, a 1-4 pair that is not excluded) and for a box that is
/// missing or thinner than twice the cut-off. `mlAtoms` (one flag per atom, or empty) selects
/// the mechanical embedding.
ClassicalSystem buildClassicalSystem(const classical::ClassicalTopology& top, const std::optional<Box>& box,
                                     const NonbondedSettings& settings = {}, const std::vector<bool>& mlAtoms = {});

}  // namespace mlffb::openmm
