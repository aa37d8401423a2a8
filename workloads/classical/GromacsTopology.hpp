#pragma once
// The classical topology of a system made with the real tool: our structure written as a PDB
// that pdb2gmx accepts (waters as OW/HW1/HW2), `gmx pdb2gmx` with the chosen force field and
// water model, then either our own solvent or `gmx editconf` + `gmx solvate` (GROMACS's own
// solvation) when the system has none and solvation is asked for. The result is read back: the
// topology by our reader and the coordinates (in GROMACS's atom order) by our .gro reader.
#include <string>

#include "systems/System.hpp"
#include "workloads/classical/ClassicalTopology.hpp"
#include "workloads/classical/GmxTool.hpp"

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

/// Writes `system` in the form pdb2gmx accepts (solvent waters renamed OW/HW1/HW2, no CONECT).
std::string pdbForPdb2gmx(const System& system);

/// Runs the tools in `workDir` (created if needed); throws GmxError or TopologyError.
GeneratedTopology generateTopology(const GmxTool& gmx, const System& system, const std::string& workDir,
                                   const TopologyRequest& request = {});

}  // namespace mlffb::classical
