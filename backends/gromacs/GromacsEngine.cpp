#include "backends/gromacs/GromacsEngine.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GmxTool.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "core/Subprocess.hpp"
#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/AtomicFile.hpp"
#include "workloads/torch/TorchSupport.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace fs = std::filesystem;

namespace mlffb {
namespace {
using classical::GmxError;
using classical::GmxLog;
using classical::GmxTool;

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

/// PME, 1.0 nm cut-offs, Verlet lists: the nonbonded settings shared by both stages.
std::string nonbondedMdp() {
  return "cutoff-scheme   = Verlet\n"
         "pbc             = xyz\n"
         "coulombtype     = PME\n"
         "rcoulomb        = 1.0\n"
         "vdwtype         = Cut-off\n"
         "rvdw            = 1.0\n"
         "DispCorr        = no\n"
         "constraints     = none\n";
}

int defaultThreads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

GmxLog readLog(const std::string& path) {
  const std::string text = readTextFile(path);
  if (text.empty()) throw GmxError(path + ": empty or missing md.log");
  return classical::parseGmxLog(text, path);
}
}  // namespace

GromacsSettings GromacsSettings::from(const OptionValues& o) {
  GromacsSettings s;
  s.topology = classical::TopologySettings::from(o);
  s.threads = optionInt(o, "threads", 0);
  return s;
}

std::string gromacsMinimizationMdp(const MdOptions& md) {
  return "; mlff-bench: energy minimisation before production\n"
         "integrator      = steep\n"
         "nsteps          = " + std::to_string(md.minimizeSteps) + "\n"
         "emtol           = " + fmt(md.minimizeToleranceKJPerMolA * units::kAngstromPerNm) + "   ; kJ/mol/nm\n"
         "emstep          = 0.01\n"
         "nstlog          = 0\n"
         "nstenergy       = 0\n" + nonbondedMdp();
}

std::string gromacsProductionMdp(const MdOptions& md) {
  const long total = static_cast<long>(md.steps) + md.warmupSteps;
  const bool thermostat = md.integrator == Integrator::Langevin;
  std::string s = "; mlff-bench: production (warm-up steps first; mdrun resets its counters after them)\n"
                  "integrator      = md\n"
                  "dt              = " + fmt(md.timestepFs * units::kPsPerFs) + "   ; ps\n"
                  "nsteps          = " + std::to_string(total) + "\n"
                  "nstcalcenergy   = " + std::to_string(md.traceEvery) + "\n"
                  "nstenergy       = " + std::to_string(md.traceEvery) + "\n"
                  "nstlog          = " + std::to_string(md.traceEvery) + "\n"
                  "nstxout-compressed = 0\n"
                  "gen-vel         = yes\n"
                  "gen-temp        = " + fmt(md.temperatureK) + "\n"
                  "gen-seed        = " + std::to_string(md.seed % 2147483647ULL) + "\n" + nonbondedMdp();
  if (thermostat)
    s += "tcoupl          = V-rescale\ntc-grps         = System\ntau-t           = 0.1\nref-t           = " + fmt(md.temperatureK) + "\n";
  else
    s += "tcoupl          = no\n";
  return s;
}

void recordGromacsLog(const GmxLog& log, MdRecorder& recorder) {
  for (const auto& f : log.frames) {
    const auto pot = f.get("Potential"), kin = f.get("Kinetic En."), temp = f.get("Temperature");
    if (pot && kin && temp) recorder.record({f.step, *pot, *kin, *temp, {}, {}});
  }
}

EngineResult GromacsEngine::run(const EngineRequest& rq) {
  if (!rq.system) throw std::invalid_argument("gromacs engine: the request has no system");
  MdRecorder::checkProtocol(rq.md);
  const GmxTool& gmx = GmxTool::cached(settings_.topology.gmx);
  // mlff and cml: the model exported as TorchScript and evaluated by GROMACS's NNPot module on the
  // solute (mlff: the solute is the whole system, in vacuum in a box; cml: solute in TIP3P water,
  // NNP–MM coupling by mechanical embedding, as GROMACS does it).
  const bool nnpot = rq.configuration != Configuration::Cff;
  if (nnpot && !gmx.nnpot) throw std::invalid_argument(gmx.nnpotReason);
  // mlff is never solvated by the engine, so the input's solvent is all there could be.
  if (rq.configuration == Configuration::Mlff && rq.system->solventCount() > 0)
    throw std::invalid_argument("gromacs engine: configuration mlff evaluates the whole system with the MLFF; this one has solvent (use cml)");
  const MdOptions& md = rq.md;
  const int threads = settings_.threads > 0 ? settings_.threads : defaultThreads();
  ScratchDir work = classical::makeWorkDir(settings_.topology.workRoot, "gromacs", settings_.topology.keepWork);
  const std::string dir = work.path();
  EngineResult out;
  try {
    MdRecorder recorder(md);
    const classical::TopologyRequest tr = settings_.topology.request(rq.configuration != Configuration::Mlff);
    classical::GeneratedTopology topo;
    {
      profilers::Range r("topology");
      topo = classical::generateTopology(gmx, *rq.system, dir, tr);
    }
    std::string nnpotLines;
    nlohmann::ordered_json exported;
    if (nnpot) {
      ExportRequest er;
      er.model = rq.model.model;
      er.options = rq.model.options;
      er.contract = ExportContract::NNPot;
      ExportedModel m;
      {
        profilers::Range r("export");
        m = exportTorchScript(er);
      }
      const std::string modelFile = (fs::path(dir) / "model.pt").string();
      writeFileAtomically(modelFile, m.bytes);
      // GROMACS's default index groups: System, and Protein for the poly-alanine solute.
      const std::string group = rq.configuration == Configuration::Mlff ? "System" : "Protein";
      nnpotLines = nnpotMdp(modelFile, group);
      exported = m.description;
      exported["file"] = modelFile;
      exported["input_group"] = group;
      exported["embedding"] = rq.configuration == Configuration::Cml ? "mechanical (GROMACS NNPot)" : "none (MLFF only)";
    }
    writeFileAtomically((fs::path(dir) / "em.mdp").string(), gromacsMinimizationMdp(md) + nnpotLines);
    writeFileAtomically((fs::path(dir) / "md.mdp").string(), gromacsProductionMdp(md) + nnpotLines);
    const std::vector<std::string> mdrunThreads{"-ntmpi", "1", "-ntomp", std::to_string(threads)};
    std::string start = topo.groPath;
    if (md.minimizeSteps > 0) {
      profilers::Range r("minimize");
      gmx.run({"grompp", "-f", "em.mdp", "-c", topo.groPath, "-p", topo.topPath, "-o", "em.tpr", "-po", "em-out.mdp"}, dir, "grompp-em");
      std::vector<std::string> a{"mdrun", "-s", "em.tpr", "-deffnm", "em"};
      a.insert(a.end(), mdrunThreads.begin(), mdrunThreads.end());
      gmx.run(a, dir, "mdrun-em", "", 0, threads);
      const GmxLog em = readLog((fs::path(dir) / "em.log").string());
      if (em.minimization) {
        out.minimization.steps = em.minimization->steps;
        out.minimization.converged = em.minimization->converged;
        out.minimization.finalMaxForce = em.minimization->maxForce * units::kNmPerAngstrom;
        out.minimization.finalEnergy = em.minimization->potential;
      }
      out.minimization.toleranceKJPerMolA = md.minimizeToleranceKJPerMolA;
      if (!em.frames.empty())
        if (auto e = em.frames.front().get("Potential")) out.minimization.initialEnergy = *e;
      start = "em.gro";
    }
    gmx.run({"grompp", "-f", "md.mdp", "-c", start, "-p", topo.topPath, "-o", "md.tpr", "-po", "md-out.mdp"}, dir, "grompp-md");
    std::vector<std::string> a{"mdrun", "-s", "md.tpr", "-deffnm", "md"};
    a.insert(a.end(), mdrunThreads.begin(), mdrunThreads.end());
    if (md.warmupSteps > 0) {
      a.push_back("-resetstep");
      a.push_back(std::to_string(md.warmupSteps));
    }
    {
      profilers::Range measured("md_production");
      gmx.run(a, dir, "mdrun-md", "", 0, threads);
    }
    const GmxLog log = readLog((fs::path(dir) / "md.log").string());
    if (!log.nsPerDay) throw GmxError(dir + "/md.log: no Performance line (did mdrun finish?)");
    recordGromacsLog(log, recorder);
    recorder.finish(out);
    // ns/day over the steps after the counter reset → ms per step.
    out.atoms = topo.system.size();
    out.reportedMsPerStep = 86400.0e3 * md.timestepFs * 1e-6 / *log.nsPerDay;
    out.neighborList = "GROMACS Verlet buffer (automatic nstlist)";
    nlohmann::ordered_json g;
    g["version"] = gmx.version;
    g["executable"] = gmx.executable;
    g["force_field"] = settings_.topology.forceField;
    g["water_model"] = settings_.topology.waterModel;
    g["atoms"] = topo.system.size();
    g["solvent_atoms"] = topo.system.solventCount();
    g["solvation"] = rq.system->solventCount() > 0 ? "mlff-bench's (input system)" : tr.solvateWithGromacs ? "gmx solvate (spc216 box)" : "none";
    if (topo.system.box) {
      const Vec3 l = topo.system.box->lengths();
      g["box_nm"] = {l.x * units::kNmPerAngstrom, l.y * units::kNmPerAngstrom, l.z * units::kNmPerAngstrom};
    }
    g["nonbonded"] = "PME, rcoulomb = rvdw = 1.0 nm, Verlet cut-off scheme";
    g["thermostat"] = md.integrator == Integrator::Langevin ? "V-rescale, tau-t 0.1 ps" : "none (NVE)";
    g["threads"] = threads;
    g["ns_per_day"] = *log.nsPerDay;
    if (log.wallSeconds) g["wall_s"] = *log.wallSeconds;
    if (log.coreSeconds) g["core_s"] = *log.coreSeconds;
    g["counters_reset_after_step"] = md.warmupSteps;
    g["cycle_accounting_header"] = log.cycleHeader;
    nlohmann::ordered_json cycles = nlohmann::ordered_json::array();
    for (const auto& c : log.cycles)
      cycles.push_back({{"name", c.name}, {"calls", c.calls}, {"wall_s", c.wallSeconds}, {"giga_cycles", c.gigaCycles}, {"percent", c.percent}});
    g["cycle_accounting"] = cycles;
    if (log.averages) {
      nlohmann::ordered_json avg = nlohmann::ordered_json::object();
      for (const auto& [k, v] : log.averages->terms) avg[k] = v;
      g["average_energies_kj_mol"] = avg;
    }
    if (nnpot) g["nnpot"] = exported;
    g["commands"] = topo.steps;
    g["work_dir"] = settings_.topology.keepWork ? dir : "(removed)";
    out.extra["gromacs"] = g;
    // GROMACS's thermostat, not the native engine's Langevin, is what ran.
    out.extra["integrator"] = md.integrator == Integrator::Langevin ? "md + v-rescale (tau-t 0.1 ps)" : "md (nve)";
  } catch (const MdBlowUp& e) {  // still a blow-up, with where to look
    work.keep();
    throw MdBlowUp(std::string(e.what()) + " (work folder kept: " + dir + ")");
  } catch (const std::exception& e) {
    work.keep();
    throw GmxError(std::string(e.what()) + " (work folder kept: " + dir + ")");
  }
  return out;
}

}  // namespace mlffb
