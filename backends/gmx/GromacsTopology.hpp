#pragma once
// The classical topology of a system made with the real tool: our structure written as a PDB
// that pdb2gmx accepts (waters as OW/HW1/HW2), `gmx pdb2gmx` with the chosen force field and
// water model, then either our own solvent or `gmx editconf` + `gmx solvate` (GROMACS's own
// solvation) when the system has none and solvation is asked for. The result is read back: the
// topology by our reader and the coordinates (in GROMACS's atom order) by our .gro reader.
#include <string>
#include <vector>

#include "core/Options.hpp"
#include "core/ScratchDir.hpp"
#include "systems/System.hpp"
#include "workloads/classical/ClassicalTopology.hpp"
#include "backends/gmx/GmxTool.hpp"

namespace mlffb::classical {

struct TopologyRequest {
  std::string forceField = "amber99sb-ildn";
  std::string waterModel = "tip3p";
  bool solvateWithGromacs = false;  // solvate a system without solvent (editconf + solvate)
  double paddingNm = 1.0;           // solute–box distance for editconf
};

struct GeneratedTopology {
  std::string topPath;   // topol.top in the work folder
  std::string groPath;   // the coordinates that go with it
  ClassicalTopology topology;
  System system;         // read back from groPath: GROMACS's atom order and box
  std::vector<std::string> steps;  // the gmx commands run, for the report
};

/// How an engine makes its classical topology with the real tool: the options the engines that
/// do so (gromacs, openmm) share, so one command line sets both the same way.
struct TopologySettings {
  std::string gmx = "gmx";
  std::string forceField = "amber99sb-ildn";
  std::string waterModel = "tip3p";
  bool gromacsSolvate = true;  // solvate a system without solvent with gmx solvate
  double paddingNm = 1.0;
  bool keepWork = false;
  std::string workRoot;        // empty: the system temp folder
  static TopologySettings from(const OptionValues& options);
  /// The request for a configuration that is solvated (`solvate`: cff, cml) or not (mlff).
  TopologyRequest request(bool solvate) const;
};
/// The option declarations of TopologySettings (gmx, forcefield, water-model, gmx-solvate,
/// gmx-padding, keep-work, work-dir).
std::vector<OptionSpec> topologyOptionSpecs();
/// --threads, shared by the engines that take a thread count (gromacs: mdrun; openmm: CPU platform).
OptionSpec engineThreadsOption();

/// A fresh work folder <root, or the temp folder>/mlffb-<engine>-<pid>-XXXXXX, removed when the
/// returned object goes (or reclaimed after its process is killed) unless kept: `keep` keeps it
/// from the start (--keep-work); an engine keeps it on failure too, and names it in the message.
ScratchDir makeWorkDir(const std::string& root, const std::string& engine, bool keep);

/// Writes `system` in the form pdb2gmx accepts (solvent waters renamed OW/HW1/HW2, no CONECT).
std::string pdbForPdb2gmx(const System& system);

/// Runs the tools in `workDir` (created if needed); throws GmxError or TopologyError.
GeneratedTopology generateTopology(const GmxTool& gmx, const System& system, const std::string& workDir,
                                   const TopologyRequest& request = {});

}  // namespace mlffb::classical
