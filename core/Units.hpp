#pragma once
// Units and physical constants in one place. Inside mlff-bench: Å, fs, amu, kJ/mol, kJ/mol/Å;
// conversions happen only at the edges (GROMACS/OpenMM nm, ANI Hartree).
namespace mlffb::units {

inline constexpr double kAngstromPerNm = 10.0;
inline constexpr double kNmPerAngstrom = 0.1;
inline constexpr double kPsPerFs = 1e-3;
inline constexpr double kFsPerPs = 1e3;
inline constexpr double kKJPerKcal = 4.184;
/// CODATA 2018, as TorchANI's hartree2kjoulemol.
inline constexpr double kKJPerMolPerHartree = 2625.4996387552483;
inline constexpr double kKcalPerMolPerHartree = 627.5094738898778;
/// Boltzmann constant in kJ/mol/K.
inline constexpr double kBoltzmannKJPerMolK = 0.008314462618;
/// Acceleration (Å/fs²) = force (kJ/mol/Å) / mass (amu) × this.
inline constexpr double kForceToAccel = 1e-4;
/// Kinetic energy (kJ/mol) = ½ m (amu) v² (Å²/fs²) × this.
inline constexpr double kKineticToKJPerMol = 1e4;
/// ns/day from fs per step and ms per step.
inline constexpr double nsPerDay(double timestepFs, double msPerStep) {
  return msPerStep > 0 ? timestepFs * 1e-6 * 86400e3 / msPerStep : 0.0;
}

}  // namespace mlffb::units
