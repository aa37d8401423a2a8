#pragma once
// mlff-bench's own MD engine (configuration `mlff`: solute in vacuum, any Potential, in process):
// L-BFGS minimisation with a backtracking line search (monotone), velocity Verlet (NVE) or
// Langevin BAOAB, Maxwell–Boltzmann start without centre-of-mass motion, Verlet-list reuse with a
// skin, blow-up detection, optional CSV trace and XYZ trajectory. Units: Å, fs, amu, kJ/mol.
#include <vector>

#include "backends/Engine.hpp"

namespace mlffb {

struct MinimizationResult {
  int steps = 0;
  double finalMaxForce = 0;          // kJ/mol/Å
  std::vector<double> energies;      // kJ/mol, one per accepted iteration (first = start)
  bool converged = false;
};

class NativeEngine : public Engine {
 public:
  std::string name() const override { return "native"; }
  /// Configuration mlff only; the measured section is the production steps, each one a sample.
  EngineResult run(const EngineRequest& request) override;

  /// L-BFGS (memory 10) with Armijo backtracking; every accepted step lowers the energy.
  static MinimizationResult minimize(Potential& p, std::vector<Vec3>& positions, const std::optional<Box>& box,
                                     int maxSteps, double tolerance);
  /// The trajectory itself, for tests: positions/velocities are updated in place.
  struct State {
    std::vector<Vec3> positions, velocities;
    std::vector<double> masses;
  };
  static std::vector<double> massesOf(const System& s);
  static void maxwellBoltzmann(State& st, double temperatureK, std::uint64_t seed);
  static double kineticEnergy(const State& st);
  static double temperature(const State& st, double kinetic);
};

}  // namespace mlffb
