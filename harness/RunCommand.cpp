#include "harness/RunCommand.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

#include "core/Units.hpp"
#include "harness/Json.hpp"
#include "harness/OptionCatalog.hpp"
#include "harness/Plan.hpp"
#include "harness/Report.hpp"
#include "harness/Runner.hpp"
#include "harness/Suites.hpp"
#include "harness/SystemRecord.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

std::vector<std::string>& commandLine() {
  static std::vector<std::string> args;
  return args;
}

/// The options registry entries declare (of the given kinds), each under a help group naming
/// its owners; values land in `values` by key and are checked by the planner.
void addCatalogOptions(CLI::App* c, OptionValues& values, const std::vector<std::string>& kinds) {
  for (const auto& o : optionCatalog()) {
    if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) continue;
    std::string help = o.spec.help;
    if (!o.spec.defaultText.empty()) help += " [default: " + o.spec.defaultText + "]";
    help += " (" + o.spec.allowed() + ")";
    const std::string key = o.spec.key;
    c->add_option_function<std::string>("--" + o.spec.flag, [&values, key](const std::string& v) { values[key] = v; }, help)
        ->group("Options of " + o.ownerList());
  }
}

std::string shellQuote(const std::string& s) {
  if (s.find_first_of(" '\"\\$`") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

void printPlan(const std::vector<Point>& points, const Json& suite) {
  std::cout << "suite " << suite["name"].get<std::string>() << ": " << points.size() << " points";
  if (suite.value("skipped_at_plan_time", 0) > 0) std::cout << " (" << suite["skipped_at_plan_time"].get<int>() << " skipped here)";
  std::cout << "\n";
  for (auto& [axis, values] : suite["axes"].items()) {
    std::cout << "  " << std::left << std::setw(15) << axis;
    for (const auto& v : values) std::cout << v.get<std::string>() << " ";
    std::cout << "\n";
  }
  for (const auto& p : points) {
    std::cout << p.id();
    if (!p.skipReason.empty()) std::cout << "  skipped: " << p.skipReason;
    std::cout << "\n";
  }
}

}  // namespace

void setCommandLine(int argc, char** argv) { commandLine().assign(argv + 1, argv + argc); }

void addRunCommand(CLI::App& app) {
  auto o = std::make_shared<RunRequest>();
  auto out = std::make_shared<std::string>();
  auto plan = std::make_shared<bool>(false);
  auto resume = std::make_shared<bool>(false);
  auto timeout = std::make_shared<double>(3600);
  auto integrator = std::make_shared<std::string>("langevin");
  auto pbc = std::make_shared<std::string>("auto");
  auto* r = app.add_subcommand("run", "Run a suite (every point in its own worker process) or structure files");
  r->add_option("--suite", o->suite, "Suite: " + SuiteRegistry::instance().names() + " (default polyala)");
  r->add_option("--in", o->files, "Structure files to run instead of a suite")->delimiter(',');
  r->add_option("--sizes", o->sizes, "Sizes: residues (polyala) or atoms (neighbors), comma-separated")->delimiter(',');
  r->add_option("--neighbors", o->neighbors, "Mean neighbours within 5.1 Å (neighbors suite), comma-separated")->delimiter(',');
  r->add_option("--model", o->models, "Models, comma-separated (ani2x, et)")->delimiter(',');
  r->add_option("--flavor", o->flavors, "Flavours, comma-separated (default: every flavour of each model)")->delimiter(',');
  r->add_option("--engine", o->engines, "MD engines, comma-separated (see `mlff-bench list`)")->delimiter(',');
  r->add_option("--configuration", o->configurations, "mlff, cff, cml (comma-separated)")->delimiter(',');
  r->add_option("--mode", o->modes, "single-point and/or md (comma-separated)")->delimiter(',');
  r->add_option("--device", o->devices, "Devices, comma-separated: cpu, cuda, cuda:N (default: cpu, plus cuda when present)")->delimiter(',');
  r->add_option("--precision", o->precisions, "float32 and/or float64")->delimiter(',');
  r->add_option("--repeat", o->repeat, "Timed repeats per single point (median reported)");
  r->add_option("--warmup", o->warmup, "Untimed warm-up evaluations per single point");
  r->add_flag("--quick", o->quick, "Small subset (3 sizes, 3 repeats, 100 MD steps)");
  r->add_option("--seed", o->settings.seed, "Seed for the systems and random weights");
  r->add_option("--pbc", *pbc, "auto (periodic when the structure has a cell), on, off (vacuum)");
  r->add_option("--frame", o->frame, "MODEL of a multi-model PDB (1-based)");
  r->add_option("--profile", o->settings.profile, "Collectors besides wallclock and memory, comma-separated (see `mlff-bench list`)")
      ->delimiter(',');
  addCatalogOptions(r, o->settings.options, {"model", "engine", "collector"});
  r->add_option_function<int>("--steps", [o](int v) { o->settings.md.steps = v; o->mdStepsSet = true; }, "MD production steps");
  r->add_option_function<int>("--warmup-steps", [o](int v) { o->settings.md.warmupSteps = v; o->mdWarmupSet = true; },
                              "MD steps before timing starts");
  r->add_option("--dt", o->settings.md.timestepFs, "MD time step, fs");
  r->add_option("--integrator", *integrator, "langevin (BAOAB) or nve (velocity Verlet)");
  r->add_option("--temperature", o->settings.md.temperatureK, "Initial/thermostat temperature, K");
  r->add_option("--friction", o->settings.md.frictionPerPs, "Langevin friction, 1/ps");
  r->add_option("--minimize-steps", o->settings.md.minimizeSteps, "Maximum minimisation iterations before MD (0: none)");
  r->add_option("--minimize-tolerance", o->settings.md.minimizeToleranceKJPerMolA, "Minimisation stops below this max force, kJ/mol/Å");
  r->add_option("--skin", o->settings.md.skinAngstrom, "Verlet-list skin, Å (0: rebuild every step)");
  r->add_option("--trace-dir", o->settings.traceDir, "Write an energy/temperature CSV and an XYZ trajectory per MD run here");
  r->add_option("--trace-every", o->settings.md.traceEvery, "Steps between trace rows and trajectory frames");
  r->add_option("--out", *out, "Report file (default results/local/<suite>-<UTC time>.json)");
  r->add_flag("--plan", *plan, "Print the plan (every point, and why a point cannot run here) and exit");
  r->add_flag("--resume", *resume, "Continue the suite recorded in --out, skipping finished points");
  r->add_option("--timeout", *timeout, "Seconds a point may run before its worker is killed")->check(CLI::PositiveNumber);
  r->callback([=] {
    if (o->settings.md.steps < 1) throw std::invalid_argument("--steps must be at least 1");
    if (o->settings.md.warmupSteps < 0) throw std::invalid_argument("--warmup-steps must not be negative");
    if (!(o->settings.md.timestepFs > 0)) throw std::invalid_argument("--dt must be positive");
    if (o->warmup < -1) throw std::invalid_argument("--warmup must not be negative");
    o->settings.md.integrator = parseIntegrator(*integrator);
    o->pbc = parsePbcMode(*pbc);
    if (!o->settings.traceDir.empty()) ensureWritableDirectory(o->settings.traceDir);
    const std::vector<Point> points = expandPlan(*o);
    const Json suite = suiteJson(*o, points);
    if (*plan) {
      printPlan(points, suite);
      return;
    }
    if (*resume && out->empty()) throw std::invalid_argument("--resume needs --out naming the report to continue");
    RunnerOptions ro;
    ro.reportPath = out->empty() ? "results/local/" + suite["name"].get<std::string>() + "-" + utcTime("%Y%m%d-%H%M%S") + ".json" : *out;
    ro.resume = *resume;
    ro.timeoutSeconds = *timeout;
    std::string cmd = "mlff-bench";
    for (const auto& a : commandLine()) cmd += " " + shellQuote(a);
    if (!*resume) cmd += " --resume";
    if (out->empty()) cmd += " --out " + shellQuote(ro.reportPath);
    ro.resumeCommand = cmd;
    const int rc = runSuite(points, suite, ro);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });

  auto pointFile = std::make_shared<std::string>(), resultFile = std::make_shared<std::string>();
  auto* w = app.add_subcommand("worker", "");  // internal: one point in its own process
  w->group("");
  w->add_option("POINT", *pointFile)->required();
  w->add_option("RESULT", *resultFile)->required();
  w->callback([=] {
    const int rc = workerMain(*pointFile, *resultFile);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

void addEvalCommand(CLI::App& app) {
  auto options = std::make_shared<OptionValues>();
  auto model = std::make_shared<std::string>("ani2x");
  auto flavor = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>("cpu");
  auto precision = std::make_shared<std::string>("float32");
  auto seed = std::make_shared<std::uint64_t>(42);
  auto pbc = std::make_shared<std::string>("auto");
  auto frame = std::make_shared<int>(1);
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* e = app.add_subcommand("eval", "One energy + forces evaluation of a structure file");
  e->add_option("--model", *model, "Model (ani2x, et, or any name with --flavor torchscript)");
  e->add_option("--flavor", *flavor, "Flavour (default: the model's first: native for ani2x, torch for et)");
  e->add_option("--device", *device, "Device (cpu, cuda, cuda:N)");
  e->add_option("--precision", *precision, "float32 or float64");
  e->add_option("--seed", *seed, "Seed for random weights");
  e->add_option("--pbc", *pbc, "auto (periodic when the file has a cell), on, off (vacuum: the file's cell is ignored)");
  e->add_option("--frame", *frame, "MODEL of a multi-model PDB (1-based)");
  addCatalogOptions(e, *options, {"model"});
  e->add_option("--in", *in, "Structure file (.pdb, .gro, .xyz)")->required();
  e->add_option("--out", *out, "Write the JSON here instead of standard output");
  e->callback([=] {
    const PbcMode pbcMode = parsePbcMode(*pbc);
    PotentialOptions po;
    po.device = Device::parse(*device);
    po.precision = parsePrecision(*precision);
    po.seed = *seed;
    po.options = *options;
    System s = readSystem(*in, ReadOptions{*frame});
    applyPbc(s, pbcMode, *in);
    if (!out->empty()) {
      const fs::path p(*out);
      ensureWritableDirectory(p.has_parent_path() ? p.parent_path().string() : ".");
    }
    po.flavor = *flavor;
    if (po.flavor.empty()) {
      const auto flavors = flavorsOf(*model);
      if (flavors.empty()) findModel(*model, "native");  // throws listing the models
      po.flavor = flavors.front()->flavor;
    }
    const ModelEntry& entry = findModel(*model, po.flavor);
    for (const auto& [key, value] : po.options) {
      const CatalogOption* c = findOption(key);
      bool declared = false;
      for (const auto& spec : entry.options) declared = declared || spec.key == key;
      if (!declared) throw std::invalid_argument("--" + c->spec.flag + " is an option of " + c->ownerList() + ", not of " + entry.name);
      if (const std::string why = c->spec.check(value); !why.empty()) throw std::invalid_argument(why);
    }
    if (const std::string why = deviceUnavailableReason(po.device); !why.empty()) throw std::invalid_argument(why);
    auto pot = createPotential(*model, po);
    pot->setSystem(s);
    const EnergyForces r = pot->compute(s.positions, s.box, true);
    Json j;
    j["schema_version"] = kReportSchemaVersion;
    j["input"] = *in;
    j["model"] = pot->describe();
    j["device"] = pot->device().str();
    j["precision"] = toString(po.precision);
    j["atoms"] = s.size();
    j["periodic"] = s.box.has_value();
    Json elements = Json::array();
    for (const auto& a : s.atoms) elements.push_back(elementInfo(a.element).symbol);
    j["elements"] = elements;
    j["energy"] = {{"kj_mol", r.energy}, {"hartree", r.energy / units::kKJPerMolPerHartree}};
    Json forces = Json::array();
    for (const auto& f : r.forces) forces.push_back({f.x, f.y, f.z});
    j["forces_kj_mol_per_angstrom"] = forces;
    const std::string text = j.dump(2) + "\n";
    if (out->empty())
      std::cout << text;
    else
      writeFileAtomically(*out, text);
    printReadNotes(s);  // after success: a failure stays one line
  });
}

}  // namespace mlffb
