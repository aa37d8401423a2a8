#include "backends/openmm/OpenMMEngine.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>

#include <openmm/CMMotionRemover.h>
#include <openmm/Context.h>
#include <openmm/LangevinMiddleIntegrator.h>
#include <openmm/LocalEnergyMinimizer.h>
#include <openmm/OpenMMException.h>
#include <openmm/Platform.h>
#include <openmm/State.h>
#include <openmm/System.h>
#include <openmm/VerletIntegrator.h>
#include <openmm/kernels.h>

#include "backends/gmx/GmxTool.hpp"
#include "backends/MdRecorder.hpp"
#include "backends/openmm/MlffForce.hpp"
#include "backends/openmm/OpenMMSystem.hpp"
#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/Element.hpp"

namespace fs = std::filesystem;

namespace mlffb {
namespace {
using openmm::kMlffGroup;
using openmm::toNm;

std::vector<OpenMM::Vec3> toNm(const std::vector<Vec3>& x) {
  std::vector<OpenMM::Vec3> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = toNm(x[i]);
  return out;
}

/// The context's positions (Å) or velocities (Å/fs), as `type` says.
std::vector<Vec3> stateVectors(const OpenMM::Context& ctx, int type) {
  const OpenMM::State st = ctx.getState(type);
  const std::vector<OpenMM::Vec3>& v = type == OpenMM::State::Positions ? st.getPositions() : st.getVelocities();
  const double scale = type == OpenMM::State::Positions ? units::kAngstromPerNm : units::kAngstromPerNm * units::kPsPerFs;
  std::vector<Vec3> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = Vec3{v[i][0], v[i][1], v[i][2]} * scale;
  return out;
}

double maxForceKJPerMolA(const std::vector<OpenMM::Vec3>& f) {
  double m = 0;
  for (const auto& v : f) m = std::max(m, std::sqrt(v.dot(v)));
  return m * units::kNmPerAngstrom;
}

/// The atoms of `s` flagged in `keep`, in order (positions and box kept).
System subsystem(const System& s, const std::vector<int>& keep) {
  System out;
  out.name = s.name + " (ML atoms)";
  out.box = s.box;
  out.provenance = s.provenance;
  for (int i : keep) out.addAtom(s.atoms[static_cast<size_t>(i)], s.positions[static_cast<size_t>(i)]);
  return out;
}

/// A Context on `platform` (or the fastest that works), with the properties asked for; the
/// platforms that were tried and failed are recorded in `fallbacks`.
std::unique_ptr<OpenMM::Context> makeContext(const OpenMM::System& system, OpenMM::Integrator& integrator, const OpenMMSettings& s,
                                             bool needsMlff, std::vector<std::string>& fallbacks) {
  const OpenMMPlatformList& list = openmmPlatforms();
  std::vector<std::string> candidates;
  if (!s.platform.empty()) {
    candidates = {openmmPlatformName(s.platform)};
  } else {
    for (const auto& n : list.names)
      if (!needsMlff || std::find(list.withMlffKernel.begin(), list.withMlffKernel.end(), n) != list.withMlffKernel.end())
        candidates.push_back(n);
  }
  for (const auto& name : candidates) {
    OpenMM::Platform& p = OpenMM::Platform::getPlatformByName(name);
    std::map<std::string, std::string> props;
    if (name == "CPU" && s.threads > 0) props["Threads"] = std::to_string(s.threads);
    try {
      return std::make_unique<OpenMM::Context>(system, integrator, p, props);
    } catch (const OpenMM::OpenMMException& e) {
      if (!s.platform.empty()) throw std::runtime_error("OpenMM platform " + name + ": " + e.what());
      fallbacks.push_back(name + ": " + e.what());
    }
  }
  std::string why;
  for (const auto& f : fallbacks) why += (why.empty() ? "" : "; ") + f;
  throw std::runtime_error("no OpenMM platform could create a context" + (why.empty() ? std::string() : " (" + why + ")"));
}
}  // namespace

std::string openmmPlatformName(const std::string& option) {
  std::string o = option;
  std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (o == "reference") return "Reference";
  if (o == "cpu") return "CPU";
  if (o == "opencl") return "OpenCL";
  if (o == "cuda") return "CUDA";
  if (o == "hip") return "HIP";
  throw std::invalid_argument("--platform: unknown OpenMM platform '" + option + "' (reference, cpu, opencl, cuda)");
}

const OpenMMPlatformList& openmmPlatforms() {
  static const OpenMMPlatformList list = [] {
    OpenMMPlatformList l;
    OpenMM::Platform::loadPluginsFromDirectory(OpenMM::Platform::getDefaultPluginsDirectory());
    l.loadFailures = OpenMM::Platform::getPluginLoadFailures();
    l.withMlffKernel = openmm::registerMlffKernels();
    std::vector<std::pair<double, std::string>> bySpeed;
    for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); ++i) {
      OpenMM::Platform& p = OpenMM::Platform::getPlatform(i);
      bySpeed.emplace_back(-p.getSpeed(), p.getName());
    }
    std::sort(bySpeed.begin(), bySpeed.end());
    for (const auto& [speed, name] : bySpeed) l.names.push_back(name);
    return l;
  }();
  return list;
}

std::string openmmUnavailableFor(Configuration c, const OptionValues& o) {
  const OpenMMSettings s = OpenMMSettings::from(o);
  const OpenMMPlatformList& list = openmmPlatforms();
  auto has = [](const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  std::string loaded;
  for (const auto& n : list.names) loaded += (loaded.empty() ? "" : ", ") + n;
  if (!s.platform.empty()) {
    const std::string name = openmmPlatformName(s.platform);
    if (!has(list.names, name))
      return "OpenMM " + std::string(OpenMM::Platform::getOpenMMVersion()) + " here has no " + name + " platform (it has: " + loaded + ")";
    if (c != Configuration::Cff && !has(list.withMlffKernel, name))
      return "the MLFF force has kernels for the Reference and CPU platforms only, not " + name;
  }
  if (c != Configuration::Mlff) {
    if (std::string why = classical::GmxTool::unavailableReason(s.topology.gmx); !why.empty())
      return "the classical topology is made with GROMACS's pdb2gmx: " + why;
  }
  return "";
}

OpenMMSettings OpenMMSettings::from(const OptionValues& o) {
  OpenMMSettings s;
  s.topology = classical::TopologySettings::from(o);
  s.platform = optionText(o, "platform", "");
  if (s.platform == "auto") s.platform.clear();
  s.threads = optionInt(o, "threads", 0);
  return s;
}

OpenMMSetup::OpenMMSetup() = default;
OpenMMSetup::~OpenMMSetup() = default;
OpenMMSetup::OpenMMSetup(OpenMMSetup&&) noexcept = default;

OpenMMSetup buildOpenMMSetup(Configuration c, const System& simulated, const classical::ClassicalTopology* top, Potential* potential) {
  OpenMMSetup out;
  nlohmann::ordered_json d;
  if (c == Configuration::Mlff) {
    out.openmm = std::make_unique<OpenMM::System>();
    for (const auto& a : simulated.atoms) out.openmm->addParticle(elementInfo(a.element).mass);
    if (simulated.box) out.openmm->setDefaultPeriodicBoxVectors(toNm(simulated.box->a), toNm(simulated.box->b), toNm(simulated.box->c));
    for (size_t i = 0; i < simulated.size(); ++i) out.mlParticles.push_back(static_cast<int>(i));
    d["classical"] = "none (the solute alone, MLFF only)";
  } else {
    if (!top) throw std::invalid_argument("openmm engine: configuration " + toString(c) + " needs the classical topology");
    if (top->size() != simulated.size())
      throw std::invalid_argument("openmm engine: the topology has " + std::to_string(top->size()) + " atoms, the system " + std::to_string(simulated.size()));
    std::vector<bool> ml;
    if (c == Configuration::Cml) {
      ml.resize(simulated.size());
      for (size_t i = 0; i < simulated.size(); ++i) {
        ml[i] = !simulated.atoms[i].solvent;
        if (ml[i]) out.mlParticles.push_back(static_cast<int>(i));
      }
      if (out.mlParticles.empty()) throw std::invalid_argument("openmm engine: configuration cml needs a solute, and " + simulated.name + " is all solvent");
    }
    openmm::ClassicalSystem cs = openmm::buildClassicalSystem(*top, simulated.box, {}, ml);
    out.openmm = std::move(cs.system);
    nlohmann::ordered_json nb;
    nb["method"] = "PME";
    nb["cutoff_nm"] = 1.0;
    nb["ewald_alpha_per_nm"] = cs.ewaldAlphaPerNm;
    nb["pme_grid"] = {cs.pmeGrid[0], cs.pmeGrid[1], cs.pmeGrid[2]};
    nb["pme_settings"] = "GROMACS's: ewald-rtol 1e-5, fourier-spacing 0.12 nm (OpenMM interpolates with order-5 splines)";
    nb["lj"] = "plain cut-off, no dispersion correction";
    d["nonbonded"] = nb;
    d["constraints"] = out.openmm->getNumConstraints();
    if (c == Configuration::Cml)
      d["mechanical_embedding"] = {{"ml_atoms", out.mlParticles.size()},
                                   {"bonds_removed", cs.removed.bondsRemoved},
                                   {"angles_removed", cs.removed.anglesRemoved},
                                   {"torsions_removed", cs.removed.torsionsRemoved},
                                   {"ml_pairs_zeroed", cs.removed.pairsZeroed},
                                   {"as", "OpenMM-ML createMixedSystem: ML–ML classical terms removed, ML–MM classical"}};
  }
  if (c != Configuration::Cff) {
    if (!potential) throw std::invalid_argument("openmm engine: configuration " + toString(c) + " needs the model (a live potential)");
    potential->setSystem(c == Configuration::Mlff ? simulated : subsystem(simulated, out.mlParticles));
    auto* f = new openmm::MlffForce(*potential, out.mlParticles, simulated.box.has_value());
    f->setForceGroup(kMlffGroup);
    out.openmm->addForce(f);
    d["mlff_force"] = {{"particles", out.mlParticles.size()},
                       {"periodic", simulated.box.has_value()},
                       {"kernel", openmm::CalcMlffForceKernel::Name()},
                       {"model", potential->model() + "/" + potential->flavor()}};
  }
  nlohmann::ordered_json forces = nlohmann::ordered_json::array();
  for (int i = 0; i < out.openmm->getNumForces(); ++i) {
    const OpenMM::Force& f = out.openmm->getForce(i);
    forces.push_back(openmm::forceGroupName(f.getForceGroup()));
  }
  d["forces"] = forces;
  out.description = d;
  return out;
}

EngineResult OpenMMEngine::run(const EngineRequest& rq) {
  if (!rq.system) throw std::invalid_argument("openmm engine: the request has no system");
  const MdOptions& md = rq.md;
  MdRecorder::checkProtocol(md);
  if (rq.configuration == Configuration::Mlff && rq.system->solventCount() > 0)
    throw std::invalid_argument("openmm engine: configuration mlff evaluates the whole system with the MLFF; this one has solvent (use cml)");
  if (const std::string why = openmmUnavailableFor(rq.configuration, rq.options); !why.empty()) throw std::invalid_argument("openmm engine: " + why);

  EngineResult out;
  nlohmann::ordered_json info;
  // The topology's work folder goes when the run ends, failed or not, unless it is to be kept.
  ScratchDir work;
  std::string dir;
  classical::GeneratedTopology topo;
  const bool classicalPart = rq.configuration != Configuration::Mlff;
  if (classicalPart) {
    const classical::GmxTool& gmx = classical::GmxTool::cached(settings_.topology.gmx);
    work = classical::makeWorkDir(settings_.topology.workRoot, "openmm", settings_.topology.keepWork);
    dir = work.path();
    try {
      profilers::Range r("topology");
      topo = classical::generateTopology(gmx, *rq.system, dir, settings_.topology.request(true));
    } catch (const std::exception& e) {
      work.keep();  // the gmx logs say what went wrong
      throw std::runtime_error(std::string(e.what()) + " (work folder kept: " + dir + ")");
    }
    info["topology"] = {{"force_field", settings_.topology.forceField},
                        {"water_model", settings_.topology.waterModel},
                        {"solvation", rq.system->solventCount() > 0 ? "mlff-bench's (input system)" : "gmx solvate (spc216 box)"},
                        {"commands", topo.steps},
                        {"work_dir", settings_.topology.keepWork ? dir : "(removed)"}};
  }
  const System& simulated = classicalPart ? topo.system : *rq.system;
  OpenMMSetup setup = buildOpenMMSetup(rq.configuration, simulated, classicalPart ? &topo.topology : nullptr, rq.potential);
  setup.openmm->addForce(new OpenMM::CMMotionRemover(1));
  const size_t n = simulated.size();
  out.atoms = n;

  // Langevin: OpenMM's LangevinMiddleIntegrator; NVE: its VerletIntegrator (leapfrog, whose kinetic
  // energy OpenMM reports at the positions' time, so the total energy is conserved to O(dt²)).
  std::unique_ptr<OpenMM::Integrator> integrator;
  if (md.integrator == Integrator::Langevin) {
    auto lm = std::make_unique<OpenMM::LangevinMiddleIntegrator>(md.temperatureK, md.frictionPerPs, md.timestepFs * units::kPsPerFs);
    lm->setRandomNumberSeed(static_cast<int>(md.seed % 2147483647ULL));
    integrator = std::move(lm);
  } else {
    integrator = std::make_unique<OpenMM::VerletIntegrator>(md.timestepFs * units::kPsPerFs);
  }
  std::vector<std::string> fallbacks;
  std::unique_ptr<OpenMM::Context> ctx = makeContext(*setup.openmm, *integrator, settings_, rq.configuration != Configuration::Cff, fallbacks);
  ctx->setPositions(toNm(simulated.positions));

  // Minimisation: OpenMM's L-BFGS, tolerance on the RMS force component (kJ/mol/nm).
  {
    const OpenMM::State s0 = ctx->getState(OpenMM::State::Energy);
    out.minimization.initialEnergy = s0.getPotentialEnergy();
    out.minimization.toleranceKJPerMolA = md.minimizeToleranceKJPerMolA;
    if (md.minimizeSteps > 0) {
      profilers::Range r("minimize");
      OpenMM::LocalEnergyMinimizer::minimize(*ctx, md.minimizeToleranceKJPerMolA * units::kAngstromPerNm, md.minimizeSteps);
    }
    const OpenMM::State s1 = ctx->getState(OpenMM::State::Energy | OpenMM::State::Forces);
    out.minimization.steps = md.minimizeSteps;
    out.minimization.finalEnergy = s1.getPotentialEnergy();
    out.minimization.finalMaxForce = maxForceKJPerMolA(s1.getForces());
    out.minimization.converged = out.minimization.finalMaxForce <= md.minimizeToleranceKJPerMolA;
  }
  ctx->setVelocitiesToTemperature(md.temperatureK, static_cast<int>(md.seed % 2147483647ULL));

  const double dof = std::max(1.0, 3.0 * static_cast<double>(n) - setup.openmm->getNumConstraints() - 3.0);
  MdRecorder recorder(md, &simulated);
  {
    std::optional<profilers::MeasuredSection> measured;
    recorder.stopWhen(rq.enough);
    for (long step = 1;; ++step) {
      if (step == md.warmupSteps + 1) measured.emplace();
      {
        profilers::Range r("md_step");
        integrator->step(1);
      }
      profilers::sampleEnd();
      const bool last = recorder.endsAt(step);
      if (!recorder.wantsState(step) && !last) continue;
      const OpenMM::State st = ctx->getState(OpenMM::State::Energy);
      const double kin = st.getKineticEnergy();
      recorder.record({step, st.getPotentialEnergy(), kin, 2.0 * kin / (dof * units::kBoltzmannKJPerMolK),
                       [&] { return stateVectors(*ctx, OpenMM::State::Positions); }, [&] { return stateVectors(*ctx, OpenMM::State::Velocities); }});
      if (last) break;
    }
  }
  recorder.finish(out);

  const OpenMM::Platform& platform = ctx->getPlatform();
  nlohmann::ordered_json props = nlohmann::ordered_json::object();
  for (const auto& name : platform.getPropertyNames()) props[name] = platform.getPropertyValue(*ctx, name);
  info["version"] = OpenMM::Platform::getOpenMMVersion();
  info["platform"] = platform.getName();
  info["platform_properties"] = props;
  if (rq.configuration != Configuration::Mlff)
    // OpenMM's optimised CPU PME is a separate plugin (libOpenMMPME, FFTW); without it the CPU
    // platform computes the reciprocal sum with the Reference platform's PME code.
    info["optimized_cpu_pme"] = platform.getName() == "CPU" ? platform.supportsKernels({OpenMM::CalcPmeReciprocalForceKernel::Name()}) : false;
  if (!fallbacks.empty()) info["platforms_that_failed"] = fallbacks;
  info["platforms_loaded"] = openmmPlatforms().names;
  if (!openmmPlatforms().loadFailures.empty()) info["plugin_load_failures"] = openmmPlatforms().loadFailures;
  info["system"] = setup.description;
  info["atoms"] = n;
  info["solvent_atoms"] = simulated.solventCount();
  if (simulated.box) {
    const Vec3 l = simulated.box->lengths();
    info["box_nm"] = {l.x * units::kNmPerAngstrom, l.y * units::kNmPerAngstrom, l.z * units::kNmPerAngstrom};
  }
  info["minimizer"] = "OpenMM LocalEnergyMinimizer (L-BFGS), RMS-force tolerance " + std::to_string(md.minimizeToleranceKJPerMolA * 10) +
                      " kJ/mol/nm, at most " + std::to_string(md.minimizeSteps) +
                      " iterations (OpenMM does not report how many it took: minimization.steps is the limit)";
  info["energies_read"] = "every " + std::to_string(md.traceEvery) + " steps, one extra evaluation outside md_step";
  out.extra["openmm"] = info;
  out.extra["integrator"] = md.integrator == Integrator::Langevin
                                ? "LangevinMiddleIntegrator, friction " + std::to_string(md.frictionPerPs) + "/ps"
                                : "VerletIntegrator (NVE)";
  out.neighborList = rq.configuration == Configuration::Mlff ? "the potential's own (every step)" : "OpenMM's (nonbonded); the potential's own for the MLFF";
  return out;
}

}  // namespace mlffb
