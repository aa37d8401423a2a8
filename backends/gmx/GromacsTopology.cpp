#include "backends/gmx/GromacsTopology.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "systems/AtomicFile.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/classical/TopologyReader.hpp"

namespace fs = std::filesystem;

namespace mlffb::classical {

TopologySettings TopologySettings::from(const OptionValues& o) {
  TopologySettings s;
  s.gmx = optionText(o, "gmx", s.gmx);
  s.forceField = optionText(o, "forcefield", s.forceField);
  s.waterModel = optionText(o, "water_model", s.waterModel);
  s.gromacsSolvate = optionBool(o, "gmx_solvate", s.gromacsSolvate);
  s.paddingNm = optionDouble(o, "gmx_padding", s.paddingNm);
  s.keepWork = optionBool(o, "keep_work", s.keepWork);
  s.workRoot = optionText(o, "work_dir", "");
  return s;
}

TopologyRequest TopologySettings::request(bool solvate) const {
  TopologyRequest r;
  r.forceField = forceField;
  r.waterModel = waterModel;
  r.solvateWithGromacs = solvate && gromacsSolvate;
  r.paddingNm = paddingNm;
  return r;
}

std::vector<OptionSpec> topologyOptionSpecs() {
  return {
      OptionSpec::text("gmx", "gmx", "GROMACS executable: the gromacs engine, and pdb2gmx/solvate for the openmm engine's topologies", "gmx"),
      OptionSpec::text("forcefield", "forcefield", "pdb2gmx force field (gromacs, openmm engines)", "amber99sb-ildn"),
      OptionSpec::text("water-model", "water_model", "pdb2gmx water model (gromacs, openmm engines)", "tip3p"),
      OptionSpec::boolean("gmx-solvate", "gmx_solvate", "solvate a system without solvent with gmx solvate for cff/cml (gromacs, openmm engines)", "true"),
      OptionSpec::positive("gmx-padding", "gmx_padding", "solute-box distance for gmx editconf, nm (gromacs, openmm engines)", 10, "1.0"),
      OptionSpec::boolean("keep-work", "keep_work", "keep the engine's work folder (gromacs, openmm engines)"),
      OptionSpec::directory("work-dir", "work_dir", "where the engine's work folders go (gromacs, openmm engines; default: the temp folder)"),
  };
}

OptionSpec engineThreadsOption() {
  return OptionSpec::integer("threads", "threads", "threads of the engine (gromacs: mdrun OpenMP threads; openmm: CPU platform threads; lammps: OpenMP threads per rank)", 1, 4096,
                             "all cores");
}

ScratchDir makeWorkDir(const std::string& root, const std::string& engine, bool keep) {
  ScratchDir d = ScratchDir::create("mlffb-" + engine + "-" + std::to_string(::getpid()) + "-", root);
  if (keep) d.keep();
  return d;
}

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
  try {
    writeFileAtomically((fs::path(workDir) / "input.pdb").string(), pdbForPdb2gmx(system));
  } catch (const std::runtime_error& e) {
    throw GmxError(e.what());
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
