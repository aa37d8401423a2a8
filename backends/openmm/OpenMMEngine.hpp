#pragma once
// The OpenMM engine (in process, OpenMM's C++ API as Debian's libopenmm-dev 7.7 ships it):
//   cff   the classical topology (pdb2gmx with the force field and water model asked for, the same
//         solvation as the gromacs engine: gmx solvate when the system has no solvent) as an OpenMM
//         System (OpenMMSystem.hpp), PME with GROMACS's Ewald settings, 1.0 nm cut-offs;
//   mlff  the solute alone, in vacuum, evaluated by the run's Potential through MlffForce;
//   cml   OpenMM-ML's mechanical embedding: the classical System of the solvated system without
//         its solute–solute terms, plus MlffForce on the solute.
// LangevinMiddleIntegrator (the request's temperature, friction and time step; VerletIntegrator
// for NVE), OpenMM's L-BFGS
// minimiser, the platform asked for (reference, cpu, opencl, cuda) or the fastest one that works.
// Each production step is one sample inside the measured section; energies are read every trace
// interval (an extra evaluation outside the step's range).
#include <memory>
#include <string>
#include <vector>

#include "backends/Engine.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "workloads/classical/ClassicalTopology.hpp"

namespace OpenMM {
class System;
}

namespace mlffb {

struct OpenMMSettings {
  classical::TopologySettings topology;  // how cff/cml topologies are made (shared with gromacs)
  std::string platform;                  // reference | cpu | opencl | cuda; empty: the fastest that works
  int threads = 0;                       // CPU platform threads; 0: OpenMM's default (every core)
  static OpenMMSettings from(const OptionValues& options);
};

/// OpenMM's platform name for an option value ("cpu" → "CPU"); throws for an unknown one.
std::string openmmPlatformName(const std::string& option);
/// The platforms loadable in this process (plugins loaded once), fastest first; load failures as
/// OpenMM reports them.
struct OpenMMPlatformList {
  std::vector<std::string> names;
  std::vector<std::string> withMlffKernel;  // platforms the MLFF force runs on
  std::vector<std::string> loadFailures;
};
const OpenMMPlatformList& openmmPlatforms();
/// Why configuration `c` cannot run with these options here (empty when it can).
std::string openmmUnavailableFor(Configuration c, const OptionValues& options);

/// A configuration as OpenMM objects, built the way the engine runs it (exposed for tests).
struct OpenMMSetup {
  std::unique_ptr<OpenMM::System> openmm;
  std::vector<int> mlParticles;          // particles the MLFF covers (none for cff)
  nlohmann::ordered_json description;    // forces, terms, PME, embedding counts
  OpenMMSetup();
  ~OpenMMSetup();
  OpenMMSetup(OpenMMSetup&&) noexcept;
};
/// cff/cml: `topology` and `simulated` (GROMACS order) are the generated topology and its
/// coordinates; mlff: `simulated` is the solute and `topology` is unused. For mlff and cml the
/// Potential is bound to the ML atoms (setSystem) and an MlffForce added in kMlffGroup.
OpenMMSetup buildOpenMMSetup(Configuration c, const System& simulated, const classical::ClassicalTopology* topology,
                             Potential* potential);

class OpenMMEngine : public Engine {
 public:
  explicit OpenMMEngine(OpenMMSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "openmm"; }
  EngineResult run(const EngineRequest& request) override;

 private:
  OpenMMSettings settings_;
};

}  // namespace mlffb
