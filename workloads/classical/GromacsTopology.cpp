#include "workloads/classical/GromacsTopology.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "systems/SystemIO.hpp"
#include "workloads/classical/TopologyReader.hpp"

namespace fs = std::filesystem;

namespace mlffb::classical {

std::string pdbForPdb2gmx(const System& system) {
  System s = system;
  for (auto& a : s.atoms) {
    if (!a.solvent || !isSolventResidue(a.residueName)) continue;
    if (a.element == 8) a.name = "OW";
    else if (a.name == "H1") a.name = "HW1";
    else if (a.name == "H2") a.name = "HW2";
  }
  std::istringstream in(formatPdb(s));
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("CONECT", 0) != 0) out += line + "\n";
  return out;
}

GeneratedTopology generateTopology(const GmxTool& gmx, const System& system, const std::string& workDir, const TopologyRequest& rq) {
  fs::create_directories(workDir);
  GeneratedTopology g;
  {
    std::ofstream f(fs::path(workDir) / "input.pdb");
    f << pdbForPdb2gmx(system);
    if (!f) throw GmxError(workDir + "/input.pdb: cannot write");
  }
  auto step = [&](const std::vector<std::string>& args, const std::string& log, const std::string& input = "") {
    std::string cmd = "gmx";
    for (const auto& a : args) cmd += " " + a;
    g.steps.push_back(cmd);
    gmx.run(args, workDir, log, input);
  };
  step({"pdb2gmx", "-f", "input.pdb", "-o", "conf.gro", "-p", "topol.top", "-i", "posre.itp", "-ff", rq.forceField, "-water",
        rq.waterModel},
       "pdb2gmx");
  std::string gro = "conf.gro";
  const bool hasSolvent = system.solventCount() > 0;
  const std::string padding = std::to_string(rq.paddingNm);
  if (!hasSolvent && (rq.solvateWithGromacs || !system.box)) {
    step({"editconf", "-f", gro, "-o", "boxed.gro", "-c", "-d", padding, "-bt", "cubic"}, "editconf");
    gro = "boxed.gro";
  }
  if (!hasSolvent && rq.solvateWithGromacs) {
    step({"solvate", "-cp", gro, "-cs", "spc216.gro", "-p", "topol.top", "-o", "solvated.gro"}, "solvate");
    gro = "solvated.gro";
  }
  g.topPath = (fs::path(workDir) / "topol.top").string();
  g.groPath = (fs::path(workDir) / gro).string();
  g.topology = readTopology(g.topPath);
  g.system = readSystem(g.groPath);
  if (g.system.size() != g.topology.size())
    throw TopologyError(g.topPath + ": " + std::to_string(g.topology.size()) + " atoms in the topology but " +
                        std::to_string(g.system.size()) + " in " + g.groPath);
  return g;
}

}  // namespace mlffb::classical
