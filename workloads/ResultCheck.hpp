#pragma once
// A result is never reported as ok unless it is finite: a non-finite energy or force is an error
// that names the atoms involved. How far one result is from another, as the conformance tests and
// the reduced-precision runs measure it.
#include <stdexcept>
#include <string>

#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

class NonFiniteResult : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws NonFiniteResult ("non-finite energy (nan kJ/mol); non-finite forces on 2 atoms: atom 1
/// (C MOL 1), …") unless the energy and every force are finite.
void requireFinite(const EnergyForces& result, const System& system);

/// sqrt(Σ|f_i − r_i|² / Σ|r_i|²): the relative error of a whole force field against a reference.
double relativeForceError(const std::vector<Vec3>& forces, const std::vector<Vec3>& reference);

}  // namespace mlffb
