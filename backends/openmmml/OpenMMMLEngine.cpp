// The openmm-ml engine (see OpenMMMLEngine.hpp): job file in, the Python worker's result file out.
#include "backends/openmmml/OpenMMMLEngine.hpp"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "backends/MdRecorder.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "core/PythonEnv.hpp"
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/ani2x/AniWorkload.hpp"

namespace fs = std::filesystem;

namespace mlffb {
namespace {
using Json = nlohmann::ordered_json;

/// The modules the worker imports (openmm-torch is installed beside them, but openmm-ml 1.8's ANI
/// does not use it: it adds an OpenMM PythonForce that calls TorchANI).
const std::vector<std::string> kOpenmmMlModules{"openmm", "openmmml", "torchani"};
constexpr const char* kOpenmmMlScript = "peers/openmm_ml_engine.py";
constexpr double kOpenmmMlCutoffNm = 1.0;  // the classical cut-off of every engine's cml/cff (PME)

int threadsFromEnvironment() {
  if (const char* e = std::getenv("OMP_NUM_THREADS"); e && std::atoi(e) > 0) return std::atoi(e);
  const unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

/// OpenMM's name of a platform option ("cpu" → "CPU"); the point's device decides when none is given.
std::string openmmMlPlatform(const std::string& option, const Device& device) {
  if (option.empty()) return device.isCuda() ? "CUDA" : "CPU";
  for (const char* name : {"Reference", "CPU", "OpenCL", "CUDA", "HIP"}) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == option) return name;
  }
  throw std::invalid_argument("--platform: unknown OpenMM platform '" + option + "' (reference, cpu, opencl, cuda)");
}

/// The NeuroChem folder TorchANI is to read: --weights, else the real weights where they are found.
std::string aniWeightsFolder(const ModelSpec& m) {
  std::string w = optionText(m.options.options, "weights");
  if (w == "random")
    throw std::invalid_argument("openmm-ml engine: openmm-ml's ANI-2x is TorchANI's, on real weights: --weights random cannot be given to it");
  if (w.empty()) w = ani::defaultAniWeights();
  if (w.empty()) throw std::invalid_argument("openmm-ml engine: no ANI-2x NeuroChem weights found (give --weights DIR)");
  return fs::absolute(w).lexically_normal().string();
}

Json openmmMlJob(const EngineRequest& rq, const OpenMMMLSettings& s, const std::string& dir) {
  const System& sys = *rq.system;
  Json j;
  j["mode"] = rq.mode == Mode::SinglePoint ? "single-point" : "md";
  j["configuration"] = toString(rq.configuration);
  j["pdb"] = (fs::path(dir) / "system.pdb").string();
  j["result"] = (fs::path(dir) / "result.json").string();
  Json x = Json::array(), solute = Json::array();
  for (size_t i = 0; i < sys.size(); ++i) {
    x.push_back({sys.positions[i].x, sys.positions[i].y, sys.positions[i].z});
    if (!sys.atoms[i].solvent) solute.push_back(i);
  }
  j["positions_angstrom"] = x;
  j["box_nm"] = nullptr;
  if (sys.box) {
    j["box_nm"] = Json::array();
    for (const Vec3& v : {sys.box->a, sys.box->b, sys.box->c})
      j["box_nm"].push_back({v.x * units::kNmPerAngstrom, v.y * units::kNmPerAngstrom, v.z * units::kNmPerAngstrom});
  }
  j["solute_atoms"] = solute;
  j["solvate"] = rq.configuration == Configuration::Cml && sys.solventCount() == 0;
  // Modeller's padding is the box edge minus the solute's diameter; GROMACS's editconf -d (the other
  // engines' --gmx-padding) is half of that: twice it gives the box those engines solvate in.
  j["padding_nm"] = 2.0 * s.paddingNm;
  j["cutoff_nm"] = kOpenmmMlCutoffNm;
  j["weights_dir"] = aniWeightsFolder(rq.model);
  const std::string member = optionText(rq.model.options.options, "member");
  j["member"] = member.empty() ? Json(nullptr) : Json(std::stoi(member));
  j["platform"] = openmmMlPlatform(s.platform, rq.model.options.device);
  j["torch_device"] = j["platform"] == "CUDA" || rq.model.options.device.isCuda() ? "cuda" : "cpu";
  j["threads"] = s.threads > 0 ? s.threads : threadsFromEnvironment();
  Json md = mdProtocolJson(rq.md);
  md["trace_every"] = rq.md.traceEvery;
  md["seed"] = rq.md.seed;
  j["md"] = md;
  j["warmup"] = rq.warmup;
  j["repeat"] = rq.repeat;
  return j;
}

/// The script's own error line ("openmm-ml engine: …"), else the log's last line with words in it.
std::string scriptErrorLine(const std::string& log) {
  std::istringstream in(log);
  std::string line, last, own;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.rfind("openmm-ml engine:", 0) == 0) own = line;
    last = line;
  }
  return own.empty() ? "openmm-ml engine: " + last : own;
}

void readScriptMinimization(const Json& m, const MdOptions& md, MinimizationSummary& out) {
  out.steps = m.at("iterations_limit");
  out.toleranceKJPerMolA = md.minimizeToleranceKJPerMolA;
  out.initialEnergy = m.at("initial_energy_kj_mol");
  out.finalEnergy = m.at("final_energy_kj_mol");
  out.finalMaxForce = m.at("final_max_force");
  out.converged = md.minimizeSteps == 0 || out.finalMaxForce <= md.minimizeToleranceKJPerMolA;
}

/// The trace through the MD recorder (blow-up check, trace file, production samples).
void recordScriptTrace(const Json& t, const MdOptions& md, EngineResult& out) {
  MdRecorder recorder(md);
  const auto& steps = t.at("step");
  for (size_t k = 0; k < steps.size(); ++k)
    recorder.record({steps[k].get<long>(), t.at("potential_kj_mol")[k].get<double>(), t.at("kinetic_kj_mol")[k].get<double>(),
                     t.at("temperature_k")[k].get<double>(), {}, {}});
  const long last = static_cast<long>(md.warmupSteps) + md.steps;
  if (steps.empty() || steps.back().get<long>() != last)
    throw std::runtime_error("openmm-ml engine: the script stopped before step " + std::to_string(last));
  recorder.finish(out);
}
}  // namespace

OpenMMMLSettings OpenMMMLSettings::from(const OptionValues& o) {
  OpenMMMLSettings s;
  s.platform = optionText(o, "platform", "");
  if (s.platform == "auto") s.platform.clear();
  s.threads = optionInt(o, "threads", 0);
  const classical::TopologySettings t = classical::TopologySettings::from(o);
  s.paddingNm = t.paddingNm;
  s.keepWork = t.keepWork;
  s.workRoot = t.workRoot;
  return s;
}

std::string openmmMlUnavailableReason() {
  std::string why;
  if (pythonHasModules(kOpenmmMlModules, &why)) return "";
  return "openmm-ml needs the project's Python environment with OpenMM, openmm-ml and TorchANI: " + why;
}

Json OpenMMMLEngine::runScript(const EngineRequest& rq, const std::string& dir) const {
  const Json job = openmmMlJob(rq, settings_, dir);
  writeFileAtomically(job["pdb"].get<std::string>(), formatPdb(*rq.system));
  writeFileAtomically((fs::path(dir) / "job.json").string(), job.dump(1) + "\n");
  std::string why;
  const std::string python = pythonInterpreter(&why);
  if (python.empty()) throw std::runtime_error("openmm-ml engine: " + why);
  SubprocessOptions so;
  so.workDir = dir;
  so.logPath = "script.log";
  so.timeoutSeconds = settings_.timeoutSeconds;
  const std::string threads = std::to_string(job["threads"].get<int>());
  so.env = {{"OMP_NUM_THREADS", threads}, {"OPENMM_CPU_THREADS", threads}, {"TORCHANI_NO_WARN_EXTENSIONS", "1"},
            {"PYTHONDONTWRITEBYTECODE", "1"}, {"PYTHONUNBUFFERED", "1"}};
  const SubprocessResult r = runProgram({python, projectScript(kOpenmmMlScript), "job.json"}, so);
  const fs::path result = job["result"].get<std::string>();
  if (!r.ok() || !fs::exists(result)) {
    std::string line = scriptErrorLine(readTextFile(r.logPath, 64 * 1024));
    if (r.timedOut) line = "openmm-ml engine: stopped after " + std::to_string(static_cast<int>(settings_.timeoutSeconds)) + " s";
    else if (r.signal) line += " (signal " + std::to_string(r.signal) + ")";
    throw std::runtime_error(line + " (log: " + r.logPath + ")");
  }
  return Json::parse(readTextFile(result.string()));
}

EngineResult OpenMMMLEngine::run(const EngineRequest& rq) {
  if (!rq.system) throw std::invalid_argument("openmm-ml engine: the request has no system");
  if (rq.mode == Mode::Md) MdRecorder::checkProtocol(rq.md);  // the protocol first, as every engine
  if (rq.model.model != "ani2x")
    throw std::invalid_argument("openmm-ml engine: runs ANI-2x only (openmm-ml's MLPotential('ani2x')), not " + rq.model.model);
  if (rq.configuration != Configuration::Mlff && rq.configuration != Configuration::Cml)
    throw std::invalid_argument("openmm-ml engine runs configurations mlff and cml (got " + toString(rq.configuration) + ")");
  if (rq.configuration == Configuration::Mlff && rq.system->solventCount() > 0)
    throw std::invalid_argument("openmm-ml engine: configuration mlff evaluates the whole system with the MLFF; this one has solvent (use cml)");
  if (const std::string why = openmmMlUnavailableReason(); !why.empty()) throw std::runtime_error(why);

  ScratchDir work = classical::makeWorkDir(settings_.workRoot, "openmm-ml", settings_.keepWork);
  Json result;
  try {
    if (rq.mode == Mode::SinglePoint) {
      result = runScript(rq, work.path());
    } else {
      profilers::Range measured("md_production");
      result = runScript(rq, work.path());
    }
  } catch (const std::exception& e) {
    work.keep();  // the log says what went wrong
    throw std::runtime_error(std::string(e.what()) + " (work folder kept: " + work.path() + ")");
  }
  EngineResult out;
  Json info = result.at("openmm_ml");
  out.atoms = info.at("atoms").get<size_t>();
  if (rq.mode == Mode::SinglePoint) {
    const Json& sp = result.at("single_point");
    out.singlePointEnergy = sp.at("energy_kj_mol").get<double>();
    out.evaluationMs = sp.at("evaluation_ms").get<std::vector<double>>();
  } else {
    readScriptMinimization(result.at("minimization"), rq.md, out.minimization);
    recordScriptTrace(result.at("trace"), rq.md, out);
    out.reportedMsPerStep = result.at("timing").at("ms_per_step").get<double>();
    info["timing"] = result.at("timing");
    info["model_share"] = result.at("model_share");
    out.neighborList = rq.configuration == Configuration::Mlff ? "TorchANI's own (every evaluation)"
                                                               : "OpenMM's (nonbonded); TorchANI's own for the ML atoms";
    out.extra["integrator"] = rq.md.integrator == Integrator::Langevin
                                  ? "LangevinMiddleIntegrator, friction " + std::to_string(rq.md.frictionPerPs) + "/ps"
                                  : "VerletIntegrator (NVE)";
  }
  info["pipeline"] = rq.configuration == Configuration::Mlff
                         ? "MLPotential('ani2x').createSystem(topology)"
                         : "amber14-all + amber14/tip3p (PME, 1.0 nm, rigid water), MLPotential('ani2x').createMixedSystem(topology, system, "
                           "solute atoms): mechanical embedding";
  info["solvation"] = rq.configuration == Configuration::Mlff ? "none"
                      : rq.system->solventCount() > 0         ? "mlff-bench's (input system)"
                                                              : "OpenMM Modeller.addSolvent(tip3p, padding 2 × " + std::to_string(settings_.paddingNm) +
                                                                  " nm: the box editconf -d makes)";
  info["work_dir"] = settings_.keepWork ? work.path() : "(removed)";
  out.extra["openmm_ml"] = info;
  return out;
}

}  // namespace mlffb
