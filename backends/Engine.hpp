#pragma once
// An MD engine takes a typed request — the system, the model to evaluate, the configuration and
// the MD protocol — and returns a typed result: the minimisation, the per-step energies and
// temperatures of production, and what it measured itself. In-process engines (native, OpenMM)
// evaluate the live Potential the request carries and mark the measured section and each step
// for the collectors; out-of-process engines (GROMACS, LAMMPS under mpirun) export the model and
// report their own timings. Either way the run is summarised once, by mdSummary().
#include <algorithm>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/Axes.hpp"
#include "core/Options.hpp"
#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

enum class Integrator { Langevin, Nve };
Integrator parseIntegrator(const std::string& s);
std::string toString(Integrator i);

struct MdOptions {
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
  double blowUpTemperatureK = 5000.0;  // instantaneous temperature that stops the run (see blowUpLimitK)

  /// How many times the target temperature a run may reach before it counts as blown up: a
  /// thermostatted system's instantaneous temperature strays by √(2/3N) of the target (under
  /// 50% for 3 atoms), a blow-up heats by orders of magnitude.
  static constexpr double kBlowUpOverTarget = 10.0;
  /// The temperature that stops the run: blowUpTemperatureK, or kBlowUpOverTarget × the target when
  /// that is higher (a target near or above the fixed threshold would stop a healthy run at once).
  double blowUpLimitK() const { return std::max(blowUpTemperatureK, kBlowUpOverTarget * temperatureK); }
};

/// The model of a run as data, for engines that build it themselves (export, another process).
struct ModelSpec {
  std::string model;
  PotentialOptions options;
};

struct EngineRequest {
  const System* system = nullptr;
  ModelSpec model;
  Configuration configuration = Configuration::Mlff;
  MdOptions md;
  OptionValues options;             // the engine's own options, by key
  Potential* potential = nullptr;   // the live model, for in-process engines
  int ranks = 1;                    // MPI ranks, for engines that decompose the domain (lammps)
  /// Single point through the engine (engines that declare it): `warmup` + `repeat`
  /// evaluations of energy and forces, no minimisation or dynamics.
  Mode mode = Mode::Md;
  int repeat = 1, warmup = 0;
  /// In-process engines: asked after each production step with the production steps so far;
  /// true ends production there (the measurement's stopping criteria). Empty: md.steps run.
  std::function<bool(long)> enough;
};

struct MinimizationSummary {
  int steps = 0;
  bool converged = false;
  double toleranceKJPerMolA = 0;
  double finalMaxForce = 0;       // kJ/mol/Å
  double initialEnergy = 0;       // kJ/mol
  double finalEnergy = 0;
};

struct EngineResult {
  /// Atoms the engine simulated (with the solvent it added, if any); 0: the request's system.
  size_t atoms = 0;
  MinimizationSummary minimization;
  /// Per production step (after warm-up): time, potential and kinetic energy, temperature.
  std::vector<double> timePs, potentialKJPerMol, kineticKJPerMol, temperatureK;
  /// The engine's own ms/step (engines that time themselves, out of process); in-process
  /// engines leave it empty and are timed by the collectors' per-step samples.
  std::optional<double> reportedMsPerStep;
  /// Production steps run (in-process engines, whose criteria may end production early); 0: md.steps.
  long productionSteps = 0;
  /// Single points through the engine: the energy and the wall time of each timed evaluation.
  std::optional<double> singlePointEnergy;
  std::vector<double> evaluationMs;
  int neighborRebuilds = 0;
  std::string neighborList;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();  // engine-specific sections
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
  /// Minimises, then runs warm-up and production steps (throws MdBlowUp naming step and atom).
  virtual EngineResult run(const EngineRequest& request) = 0;
};

/// The report's "md" section for any engine's run: ms/step (median, p10, p90) from the per-step
/// wall-clock samples `stepMs` (in-process engines) or the engine's own figure, ns/day, energy
/// drift per atom per ps (least-squares slope of the total energy), mean temperature, neighbour
/// rebuilds and the minimisation.
nlohmann::ordered_json mdSummary(const EngineRequest& request, const EngineResult& result, const std::vector<double>& stepMs);

/// The MD protocol as JSON (a plan's points, the lammps engine's job file): steps, warmup_steps,
/// dt_fs, integrator, temperature_k, friction_per_ps, minimize_steps, minimize_tolerance, skin;
/// each caller adds the fields it carries besides (trace_every, seed, …).
nlohmann::ordered_json mdProtocolJson(const MdOptions& md);
/// Reads those fields back into `md` (the others keep their values).
void readMdProtocol(const nlohmann::ordered_json& j, MdOptions& md);

}  // namespace mlffb
