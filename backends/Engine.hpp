#pragma once
// An MD engine: sets up a System with a configuration and a Potential, minimises, runs N steps
// and reports step timings. Errors inside a run (blow-ups) are exceptions naming step and atom.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

enum class Integrator { Langevin, Nve };
Integrator parseIntegrator(const std::string& s);
std::string toString(Integrator i);

struct MdOptions {
  std::string configuration = "mlff";
  int steps = 1000;
  int warmupSteps = 100;
  double timestepFs = 0.5;
  Integrator integrator = Integrator::Langevin;
  double temperatureK = 300.0;
  double frictionPerPs = 1.0;
  int minimizeSteps = 500;
  double minimizeToleranceKJPerMolA = 10.0;  // max |F| to stop minimising
  double skinAngstrom = 1.0;                 // Verlet skin for potentials that accept lists
  std::uint64_t seed = 42;
  std::string tracePath;       // CSV of step, time, energies, temperature
  std::string trajectoryPath;  // XYZ frames
  int traceEvery = 100;
  double blowUpTemperatureK = 5000.0;  // instantaneous temperature that stops the run
};

/// A run that became unstable: non-finite values or a temperature spike.
class MdBlowUp : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  /// Minimises, then runs warm-up and production steps; returns the measurements:
  /// ms_per_step {median,p10,p90}, ns_per_day, minimization {steps, final_max_force, energies},
  /// neighbor_rebuilds, energy_drift_kj_mol_ps_atom (NVE), mean_temperature_k, ...
  virtual nlohmann::ordered_json run(const System& system, Potential& potential, const MdOptions& options) = 0;
};

}  // namespace mlffb
