#include "backends/lammps/LammpsEngine.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "backends/lammps/LammpsJob.hpp"
#include "backends/MdRecorder.hpp"
#include "core/Subprocess.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace fs = std::filesystem;
using lammps::Json;

std::array<int, 3> parseGrid(const std::string& text) {
  std::array<int, 3> g{0, 0, 0};
  if (text.empty()) return g;
  char x1 = 0, x2 = 0;
  std::istringstream in(text);
  if (!(in >> g[0] >> x1 >> g[1] >> x2 >> g[2]) || x1 != 'x' || x2 != 'x' || !in.eof() || g[0] < 1 || g[1] < 1 || g[2] < 1)
    throw std::invalid_argument("--lammps-grid: '" + text + "' is not a processor grid such as 2x2x1");
  return g;
}

LammpsSettings LammpsSettings::from(const OptionValues& o) {
  LammpsSettings s;
  s.mpirun = optionText(o, "mpirun", "mpirun");
  s.driver = optionText(o, "lammps_driver");
  s.threadsPerRank = optionInt(o, "threads", 1);
  s.grid = parseGrid(optionText(o, "lammps_grid"));
  s.prune = optionBool(o, "lammps_prune", true);
  s.keepWork = optionBool(o, "keep_work", false);
  s.workRoot = optionText(o, "work_dir");
  return s;
}

std::string lammpsDriverPath(const std::string& given) {
  if (!given.empty()) return findProgram(given);
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const fs::path p = self.parent_path() / "mlff-bench-lammps";
  return fs::exists(p) ? p.string() : "";
}

std::string lammpsUnavailableReason(const OptionValues& o) {
#ifndef MLFFB_HAVE_LAMMPS
  (void)o;
  return "built without LAMMPS (apt-get install liblammps-dev openmpi-bin libopenmpi-dev libfmt-dev, then rebuild)";
#else
  const std::string given = optionText(o, "lammps_driver");
  if (lammpsDriverPath(given).empty())
    return given.empty() ? "mlff-bench-lammps is not beside this mlff-bench executable (give --lammps-driver)" : "--lammps-driver " + given + ": not found";
  const std::string mpirun = optionText(o, "mpirun", "mpirun");
  if (findProgram(mpirun).empty()) return "no " + mpirun + " on PATH (apt-get install openmpi-bin, or give --mpirun)";
  return "";
#endif
}

namespace {

/// The line of the driver's output that says what went wrong: LAMMPS's "ERROR…" line, the
/// driver's own message, mpirun's line naming a rank that died of a signal, or the last line
/// with words in it (not mpirun's rules of dashes).
std::string failureLine(const std::string& log) {
  std::istringstream in(log);
  std::string line, last, error, died;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" -\t\r") == std::string::npos) continue;
    if (error.empty() && (line.rfind("ERROR", 0) == 0 || line.rfind("mlff-bench-lammps:", 0) == 0)) error = line;
    if (died.empty() && line.find("exited on signal") != std::string::npos) died = line;
    last = line;
  }
  if (!error.empty()) return error;
  if (!died.empty()) return died + (died.find("signal 9") != std::string::npos ? " (out of memory?)" : "");
  return last;
}

/// The model's options with its file and folder paths made absolute: the driver runs in its own
/// work folder (a relative --model-file would not be found there).
OptionValues withAbsolutePaths(const ModelSpec& m) {
  OptionValues v = m.options.options;
  for (const OptionSpec& spec : findModel(m.model, m.options.flavor).options) {
    auto it = v.find(spec.key);
    if (it == v.end() || it->second.empty() || (spec.type != OptionType::File && spec.type != OptionType::Directory)) continue;
    if (std::find(spec.choices.begin(), spec.choices.end(), it->second) == spec.choices.end()) it->second = fs::absolute(it->second).string();
  }
  return v;
}

double meanOf(const Json& a, const char* key) {
  double s = 0;
  for (const auto& r : a) s += r.at(key).get<double>();
  return a.empty() ? 0 : s / static_cast<double>(a.size());
}

}  // namespace

EngineResult LammpsEngine::run(const EngineRequest& rq) {
  if (rq.configuration != Configuration::Mlff)
    throw std::invalid_argument("lammps engine runs configuration mlff only (got " + toString(rq.configuration) + ")");
  if (rq.ranks < 1) throw std::invalid_argument("--ranks must be at least 1");
  if (rq.mode == Mode::Md) MdRecorder::checkProtocol(rq.md);
  if (const std::string why = lammpsUnavailableReason({{"lammps_driver", settings_.driver}, {"mpirun", settings_.mpirun}}); !why.empty())
    throw std::runtime_error("lammps engine: " + why);
  const System& sys = *rq.system;
  if (sys.box && !sys.box->isReduced()) throw std::invalid_argument(sys.name + ": the periodic cell is not in reduced form (LAMMPS needs its restricted triclinic cell)");
  if (settings_.grid[0] > 0 && settings_.grid[0] * settings_.grid[1] * settings_.grid[2] != rq.ranks)
    throw std::invalid_argument("--lammps-grid has " + std::to_string(settings_.grid[0] * settings_.grid[1] * settings_.grid[2]) +
                                " processors but --ranks is " + std::to_string(rq.ranks));

  ScratchDir work = classical::makeWorkDir(settings_.workRoot, "lammps", settings_.keepWork);
  const std::string dir = work.path();
  lammps::Job job;
  job.dataPath = "system.data";
  job.resultPath = "result.json";
  job.model = rq.model;
  for (int z : lammps::typeElements(sys)) job.typeSymbols.push_back(elementInfo(z).symbol);
  job.periodic = sys.box.has_value();
  job.mode = rq.mode == Mode::SinglePoint ? "single-point" : "md";
  job.md = rq.md;
  // The driver runs in the work folder and has no frames to write (positions live on the ranks).
  if (!job.md.tracePath.empty()) job.md.tracePath = fs::absolute(job.md.tracePath).string();
  job.md.trajectoryPath.clear();
  job.repeat = rq.repeat;
  job.warmup = rq.warmup;
  job.grid = settings_.grid;
  job.prune = settings_.prune;
  Json result;
  try {
    result = runLammpsJob(job, sys, rq.ranks, dir);
  } catch (const std::exception&) {
    work.keep();  // its message names the folder: the driver's log says what went wrong
    throw;
  }

  EngineResult out;
  out.atoms = sys.size();
  Json l = result;
  l.erase("trace");
  l.erase("positions_angstrom");
  if (result.contains("single_point"))
    for (const char* k : {"grid", "box_angstrom", "ghost_cutoff_angstrom"}) l[k] = result["single_point"].at(k);
  const Json& perRank = result.at("per_rank");
  // Eq. 3 for the grid LAMMPS chose and the model's receptive field, and the measured ghost share.
  if (l.contains("grid") && l.contains("box_angstrom")) {
    const auto grid = l["grid"].get<std::array<int, 3>>();
    const auto box = l["box_angstrom"].get<std::array<double, 3>>();
    const double tr = result["receptive_field_angstrom"].get<double>();
    l["eq3_speedup"] = lammps::eq3Speedup(box, grid, tr);
    l["eq3_efficiency"] = l["eq3_speedup"].get<double>() / rq.ranks;
  }
  l["mean_ghost_fraction"] = meanOf(perRank, "ghost_fraction");
  double peak = 0;
  for (const auto& r : perRank) peak = std::max(peak, r.at("max_rss_mib").get<double>());
  l["max_rss_mib_per_rank"] = peak;
  l["mpirun"] = settings_.mpirun;
  l["work_dir"] = settings_.keepWork ? dir : "(removed)";
  if (rq.mode == Mode::SinglePoint) {
    const Json& sp = result.at("single_point");
    out.singlePointEnergy = sp.at("energy_kj_mol").get<double>();
    out.evaluationMs = sp.at("evaluation_ms").get<std::vector<double>>();
  } else {
    const Json& m = result.at("minimization");
    out.minimization.steps = m.at("steps");
    out.minimization.toleranceKJPerMolA = rq.md.minimizeToleranceKJPerMolA;
    out.minimization.initialEnergy = m.at("initial_energy_kj_mol");
    out.minimization.finalEnergy = m.at("final_energy_kj_mol");
    out.minimization.finalMaxForce = m.at("final_max_force");
    out.minimization.converged = rq.md.minimizeSteps == 0 || out.minimization.finalMaxForce <= rq.md.minimizeToleranceKJPerMolA;
    const Json& t = result.at("trace");
    out.timePs = t.at("time_ps").get<std::vector<double>>();
    out.potentialKJPerMol = t.at("potential_kj_mol").get<std::vector<double>>();
    out.kineticKJPerMol = t.at("kinetic_kj_mol").get<std::vector<double>>();
    out.temperatureK = t.at("temperature_k").get<std::vector<double>>();
    out.reportedMsPerStep = result.at("timing").at("ms_per_step").get<double>();
    out.neighborList = "LAMMPS bins and ghosts (every 1, check yes, skin " + std::to_string(rq.md.skinAngstrom) + " Å); model's own cell list per rank";
    out.neighborRebuilds = static_cast<int>(perRank.at(0).at("rebinds").get<double>());
    out.extra["integrator"] = rq.md.integrator == Integrator::Langevin ? "fix nve + fix langevin" : "fix nve";
  }
  out.extra["lammps"] = l;
  return out;
}

Json LammpsEngine::runLammpsJob(lammps::Job job, const System& sys, int ranks, const std::string& dir) const {
  job.model.options.options = withAbsolutePaths(job.model);
  writeFileAtomically((fs::path(dir) / job.dataPath).string(), lammps::dataFile(sys));
  writeFileAtomically((fs::path(dir) / "job.json").string(), job.toJson().dump(1) + "\n");
  std::vector<std::string> argv{settings_.mpirun, "-np", std::to_string(ranks)};
  if (ranks > static_cast<int>(std::thread::hardware_concurrency())) argv.push_back("--oversubscribe");
  if (::geteuid() == 0) argv.push_back("--allow-run-as-root");
  argv.insert(argv.end(), {"--bind-to", "none", "-x", "OMP_NUM_THREADS", lammpsDriverPath(settings_.driver), "job.json"});
  SubprocessOptions so;
  so.workDir = dir;
  so.logPath = "driver.log";
  so.env["OMP_NUM_THREADS"] = std::to_string(settings_.threadsPerRank);
  so.env["OPENBLAS_NUM_THREADS"] = "1";
  so.env["TMPDIR"] = dir;  // Open MPI's session folder: inside the work folder, which goes even when mpirun is killed
  const SubprocessResult r = runProgram(argv, so);
  const fs::path resultFile = fs::path(dir) / job.resultPath;
  if (!r.ok() || !fs::exists(resultFile)) {
    std::string line = failureLine(readTextFile(r.logPath, 64 * 1024));
    const std::string msg = "lammps engine: mpirun -np " + std::to_string(ranks) + " mlff-bench-lammps failed (" +
                            (r.signal ? "signal " + std::to_string(r.signal) : "exit " + std::to_string(r.exitCode)) + "): " + line +
                            " (work folder kept: " + dir + ")";
    if (MdRecorder::namesBlowUp(line)) throw MdBlowUp(msg);
    throw std::runtime_error(msg);
  }
  return Json::parse(readFile(resultFile.string()));
}

}  // namespace mlffb
