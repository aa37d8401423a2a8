#pragma once
// The openmm-ml engine: the pipeline the characterisation study ran — OpenMM (PyPI) with openmm-ml's
// MLPotential('ani2x'), i.e. TorchANI's ANI2x on mlff-bench's NeuroChem weights — on our system and
// our MD protocol, out of process. Per run a work folder gets the system as PDB (the topology;
// positions and box go exactly in the job file) and a job file, and the project's Python runs
// scripts/peers/openmm_ml_engine.py on it (core/Subprocess: dies with this process, a log, a time
// limit); its result file becomes the EngineResult:
//   mlff  the system alone, createSystem(topology);
//   cml   the solute in TIP3P water (the input's own, else OpenMM's Modeller.addSolvent with
//         --gmx-padding), amber14 + TIP3P with PME at 1.0 nm, createMixedSystem with the solute atoms
//         (the input's non-solvent atoms: mechanical embedding, as the openmm engine's cml).
// MD: OpenMM's L-BFGS (the request's tolerance and iteration limit), velocities at the temperature,
// LangevinMiddleIntegrator (VerletIntegrator for NVE), warm-up, production timed in chunks between
// the trace steps' energy reads (fed to the MD recorder, which checks them for a blow-up); then the
// ML force group alone and all groups evaluated over the configurations saved at the production trace
// steps: the model's share of the step. Single points: warm-up + repeat evaluations of energy and forces.
#include <string>

#include "backends/Engine.hpp"

namespace mlffb {

struct OpenMMMLSettings {
  std::string platform;        // OpenMM platform option (cpu, cuda, …); empty: CUDA for a CUDA point, else CPU
  int threads = 0;             // CPU platform and torch threads; 0: $OMP_NUM_THREADS, else every core
  double paddingNm = 1.0;      // water around a solute the engine solvates (cml)
  bool keepWork = false;
  std::string workRoot;        // empty: the temp folder
  double timeoutSeconds = 0;   // the script's wall-clock limit; 0: none (the point's --timeout still applies)
  static OpenMMMLSettings from(const OptionValues& options);
};

/// Why the openmm-ml engine cannot run here (the Python environment or a package missing), or empty.
std::string openmmMlUnavailableReason();

class OpenMMMLEngine : public Engine {
 public:
  explicit OpenMMMLEngine(OpenMMMLSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "openmm-ml"; }
  EngineResult run(const EngineRequest& request) override;
  /// One run of the script in `dir` (exposed for tests: the result file as it is, forces of a
  /// single point included); throws with the script's error line (MdBlowUp never: the recorder
  /// judges the trace in run()).
  nlohmann::ordered_json runScript(const EngineRequest& request, const std::string& dir) const;

 private:
  OpenMMMLSettings settings_;
};

}  // namespace mlffb
