#pragma once
// The GROMACS engine: drives the `gmx` on PATH (or --gmx) in a work folder per run — topology
// by pdb2gmx (amber99sb-ildn + TIP3P unless chosen otherwise), GROMACS's own solvation for a
// system without solvent, steepest-descent minimisation, then production with PME, 1.0 nm
// cut-offs and V-rescale (the seed paper's protocol) — and reads md.log: minimisation summary,
// energies every trace interval (fed to the MD recorder, which checks them for a blow-up), the
// Performance line (ns/day) and the cycle and time accounting table. A failing gmx step is an error quoting gmx's own lines; its folder is kept.
// Configuration cff runs with any GROMACS; mlff and cml need NNPot (GROMACS 2025+ with Torch).
#include <string>

#include "backends/Engine.hpp"
#include "backends/MdRecorder.hpp"
#include "backends/gmx/GmxLog.hpp"
#include "backends/gmx/GromacsTopology.hpp"

namespace mlffb {

struct GromacsSettings {
  classical::TopologySettings topology;  // gmx, force field, water, solvation, work folder
  int threads = 0;                       // 0: every core
  static GromacsSettings from(const OptionValues& options);
};

/// The production and minimisation .mdp texts for a request (exposed for tests).
std::string gromacsMinimizationMdp(const MdOptions& md);
std::string gromacsProductionMdp(const MdOptions& md);
/// md.log's energy frames through `recorder` (exposed for tests): each frame that has the
/// potential, the kinetic energy and the temperature is one recorded step, warm-up included.
void recordGromacsLog(const classical::GmxLog& log, MdRecorder& recorder);

class GromacsEngine : public Engine {
 public:
  explicit GromacsEngine(GromacsSettings s) : settings_(std::move(s)) {}
  std::string name() const override { return "gromacs"; }
  EngineResult run(const EngineRequest& request) override;

 private:
  GromacsSettings settings_;
};

}  // namespace mlffb
