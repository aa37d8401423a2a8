#include "harness/RunCommand.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <set>

#include "core/Units.hpp"
#include "core/Errors.hpp"
#include "core/Subprocess.hpp"
#include "harness/CheckedOptions.hpp"
#include "harness/CommandSupport.hpp"
#include "harness/Json.hpp"
#include "harness/OptionCatalog.hpp"
#include "harness/Plan.hpp"
#include "harness/Report.hpp"
#include "harness/Runner.hpp"
#include "harness/Suites.hpp"
#include "harness/SystemRecord.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/CellList.hpp"
#include "systems/Element.hpp"
#include "systems/SystemIO.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemFamily.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

/// One evaluation; a cell too thin for the model's cutoff is named with the file and the way out.
EnergyForces evaluateNaming(Potential& pot, const System& s, const std::string& file) {
  try {
    return pot.compute(s.positions, s.box, true);
  } catch (const CellTooSmall& e) {
    throw std::invalid_argument(file + ": " + e.what() + "; evaluate it without its cell with --pbc off");
  }
}

/// For a plan: one note per model entry whose physical defaults could not be found.
void notePhysicalDefaults(const std::vector<Point>& points, const OptionValues& given) {
  std::set<std::string> noted;
  for (const auto& p : points) {
    const ModelEntry& e = findModel(p.model, p.flavor);
    OptionValues v = given;
    if (!noted.count(e.name) && !applyPhysicalDefaults(e, v)) {
      std::cerr << "mlff-bench: note: " << e.name << ": " << e.physicalDefaultsHint << "\n";
      noted.insert(e.name);
    }
  }
}

std::vector<std::string>& commandLine() {
  static std::vector<std::string> args;
  return args;
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
  auto budget = std::make_shared<double>(60);
  auto extend = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  auto integrator = std::make_shared<std::string>("langevin");
  auto pbc = std::make_shared<std::string>("auto");
  auto* r = app.add_subcommand("run", "Run a suite (every point in its own worker process) or structure files");
  r->add_option("--suite", o->suite, "Suite: " + SuiteRegistry::instance().names() + " (default polyala)");
  r->add_option("--in", o->files, "Structure files to run instead of a suite")->delimiter(',');
  r->add_option("--systems", o->systems,
                "System families instead of the suite's, comma-separated: " + familiesHelp())
      ->delimiter(',');
  addCheckedList(r, OptionSpec::integer("sizes", "sizes", "Sizes, comma-separated: " + sizeUnitsHelp() + "; per rank for weak-scaling", 1, 10'000'000), o->sizes);
  addCheckedList(r, OptionSpec::integer("ranks", "ranks", "MPI ranks of a distributed engine (lammps), comma-separated", 1, 4096), o->ranks);
  addChecked(r, OptionSpec::integer("search-limit", "search_limit", "max-atoms: the largest size a search probes (default: the suite's)", 1,
                                    2'000'000'000, "64000000 atoms"),
             o->searchLimit);
  addChecked(r, OptionSpec::positive("search-time", "search_time",
                                     "max-atoms: each series' time budget in seconds: no probe starts after it and none runs past it "
                                     "(a probe it stops is recorded as a timeout); the report says the search is incomplete",
                                     1e7, "none"),
             o->searchTime);
  addCheckedList(r, OptionSpec::positive("neighbors", "neighbors", "Mean neighbours within 5.1 Å (neighbors suite), comma-separated", 1000), o->neighbors);
  r->add_option("--model", o->models, "Models, comma-separated (ani2x, et)")->delimiter(',');
  r->add_option("--flavor", o->flavors, "Flavours, comma-separated (default: every flavour of each model)")->delimiter(',');
  r->add_option("--engine", o->engines, "MD engines, comma-separated (see `mlff-bench list`); with --mode single-point, engines that evaluate single points (lammps)")->delimiter(',');
  r->add_option("--configuration", o->configurations, "mlff, cff, cml (comma-separated)")->delimiter(',');
  r->add_option("--mode", o->modes, "single-point and/or md (comma-separated)")->delimiter(',');
  r->add_option("--device", o->devices, "Devices, comma-separated: cpu, cuda, cuda:N (default: cpu, plus cuda when present)")->delimiter(',');
  r->add_option("--precision", o->precisions, "float32 and/or float64")->delimiter(',');
  addChecked(r, OptionSpec::integer("repeat", "repeat", "Timed repeats per single point, exactly (instead of the stopping criteria)", 1, 100000), o->repeat);
  addChecked(r, OptionSpec::integer("warmup", "warmup", "Untimed warm-up evaluations per single point", 0, 100000), o->warmup);
  r->add_flag("--quick", o->quick, "Small subset (3 sizes, 3 repeats, 100 MD steps)");
  // Stopping criteria (nvbench's): a point samples until all of them hold, or until --max-time.
  addChecked(r, OptionSpec::integer("min-samples", "min_samples", "Stopping criteria: at least this many samples (evaluations; MD: windows of 10 steps)", 2, 1000000, "5"),
             o->criteria.minSamples);
  addChecked(r, OptionSpec::positive("min-time", "min_time", "Stopping criteria: at least this much measured time, s", 1e6, "0.5 (MD: 2)"), o->criteria.minTimeS);
  addChecked(r, OptionSpec::positive("max-noise", "max_noise", "Stopping criteria: until the 95 % interval of the median is within ± this fraction of it", 10, "0.02"),
             o->criteria.maxNoise);
  addChecked(r, OptionSpec::positive("max-time", "max_time", "Stopping criteria: never measure longer than this, s (the criteria then say not met)", 1e7, "20 (MD: 30)"),
             o->criteria.maxTimeS);
  addChecked(r, seedSpec(), o->settings.seed);
  r->add_option("--pbc", *pbc, "auto (periodic when the structure has a cell), on, off (vacuum)");
  addChecked(r, frameSpec(), o->frame);
  addChecked(r, minDistanceSpec(), o->minDistance);
  r->add_option("--profile", o->settings.profile, "Collectors besides wallclock and memory, comma-separated (see `mlff-bench list`)")
      ->delimiter(',');
  addCatalogOptions(r, o->settings.options, {"model", "engine", "collector"});
  MdOptions& md = o->settings.md;
  addChecked<int>(r, OptionSpec::integer("steps", "steps", "MD production steps, exactly (instead of the stopping criteria)", 1, 1e9, "the criteria's"), [o](int v) {
    o->settings.md.steps = v;
    o->mdStepsSet = true;
  });
  addChecked<int>(r, OptionSpec::integer("warmup-steps", "warmup_steps", "MD steps before timing starts", 0, 1e9, "100"), [o](int v) {
    o->settings.md.warmupSteps = v;
    o->mdWarmupSet = true;
  });
  addChecked(r, OptionSpec::positive("dt", "dt", "MD time step, fs", 10, "0.5"), md.timestepFs);
  r->add_option("--integrator", *integrator, "langevin (BAOAB) or nve (velocity Verlet)");
  addChecked(r, OptionSpec::positive("temperature", "temperature", "Initial/thermostat temperature, K", 1e5, "300"), md.temperatureK);
  addChecked(r, OptionSpec::real("friction", "friction", "Langevin friction, 1/ps", 0, 1e4, "1"), md.frictionPerPs);
  addChecked<int>(r, OptionSpec::integer("minimize-steps", "minimize_steps", "Maximum minimisation iterations before MD (0: none)", 0, 1e7, "500 (scaling suites: 50)"),
                  [o](int v) {
                    o->settings.md.minimizeSteps = v;
                    o->minimizeSet = true;
                  });
  addChecked(r, OptionSpec::positive("minimize-tolerance", "minimize_tolerance", "Minimisation stops below this max force, kJ/mol/Å", 1e6, "10"),
             md.minimizeToleranceKJPerMolA);
  addChecked(r, OptionSpec::real("skin", "skin", "Verlet-list skin, Å (0: rebuild every step)", 0, 10, "1"), md.skinAngstrom);
  r->add_option("--trace-dir", o->settings.traceDir, "Write an energy/temperature CSV and an XYZ trajectory per MD run here");
  addChecked(r, OptionSpec::integer("trace-every", "trace_every", "Steps between trace rows and trajectory frames", 1, 1e9, "100"), md.traceEvery);
  r->add_option("--out", *out, "Report file (default results/local/<suite>-<UTC time>.json)");
  r->add_flag("--plan", *plan, "Print the plan (every point, and why a point cannot run here) and exit");
  r->add_flag("--resume", *resume, "Continue the suite recorded in --out, skipping finished points");
  r->add_flag("--extend", *extend, "With --resume: the plan may add points to those of the report (not change its settings)");
  r->add_flag("--force", *force, "Replace the report at --out (and its journal) instead of refusing");
  addChecked(r, OptionSpec::positive("timeout", "timeout", "Seconds a point may run before its worker is killed", 1e7, "3600"), *timeout);
  addChecked(r, OptionSpec::real("point-budget", "point_budget",
                                 "Seconds each point may take: a point its series predicts past it is recorded skipped with the prediction (0: no budget)",
                                 0, 1e7, "60"),
             *budget);
  r->callback([=] {
    o->settings.md.integrator = usage([&] { return parseIntegrator(*integrator); }, "--integrator");
    o->pbc = usage([&] { return parsePbcMode(*pbc); }, "--pbc");
    const OutputFolder traceFolder(o->settings.traceDir);  // removed again if no run writes into it
    // Everything the planner refuses (unknown names, values, options, input files) is a usage error.
    const std::vector<Point> points = usage([&] { return expandPlan(*o); });
    const Json suite = suiteJson(*o, points);
    notePhysicalDefaults(points, o->settings.options);
    if (*plan) {
      printPlan(points, suite);
      return;
    }
    if (*resume && out->empty()) throw UsageError("--resume needs --out naming the report to continue");
    if (*extend && !*resume) throw UsageError("--extend goes with --resume");
    if (*resume && *force) throw UsageError("--resume continues a report and --force replaces it: choose one");
    RunnerOptions ro;
    ro.reportPath = out->empty() ? "results/local/" + suite["name"].get<std::string>() + "-" + utcTime("%Y%m%d-%H%M%S") + ".json" : *out;
    ro.resume = *resume;
    ro.extend = *extend;
    ro.force = *force;
    ro.timeoutSeconds = *timeout;
    ro.pointBudgetSeconds = *budget;
    ro.search = sizeSearchOf(*o);
    std::string cmd = "mlff-bench";
    for (const auto& a : commandLine()) cmd += " " + shellQuote(a);
    ro.command = cmd;
    if (*force) cmd = cmd.substr(0, cmd.rfind(" --force")) + cmd.substr(cmd.rfind(" --force") + 8);
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
  auto minDistance = std::make_shared<double>(0.5);
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto* e = app.add_subcommand("eval", "One energy + forces evaluation of a structure file");
  e->add_option("--model", *model, "Model (ani2x, et, or any name with --flavor torchscript)");
  e->add_option("--flavor", *flavor, "Flavour (default: the model's first: native for ani2x, torch for et)");
  e->add_option("--device", *device, "Device (cpu, cuda, cuda:N)");
  e->add_option("--precision", *precision, "float32 or float64");
  addChecked(e, seedSpec(), *seed);
  e->add_option("--pbc", *pbc, "auto (periodic when the file has a cell), on, off (vacuum: the file's cell is ignored)");
  addChecked(e, frameSpec(), *frame);
  addChecked(e, minDistanceSpec(), *minDistance);
  addCatalogOptions(e, *options, {"model"});
  e->add_option("--in", *in, "Structure file (.pdb, .gro, .xyz)")->required();
  e->add_option("--out", *out, "Write the JSON here instead of standard output");
  e->add_flag("--force", *force, "Replace --out if it exists");
  e->callback([=] {
    const PbcMode pbcMode = usage([&] { return parsePbcMode(*pbc); }, "--pbc");
    PotentialOptions po;
    po.device = usage([&] { return Device::parse(*device); }, "--device");
    po.precision = usage([&] { return parsePrecision(*precision); }, "--precision");
    po.seed = *seed;
    po.options = *options;
    const auto outFolder = out->empty() ? nullptr : requireOutputPath(*out, *in, *force);
    const System s = readStructure(*in, *frame, pbcMode, *minDistance);
    po.flavor = *flavor;
    if (po.flavor.empty()) {
      const auto flavors = defaultFlavorsOf(*model);
      if (flavors.empty()) usage([&] { return findModel(*model, "native").name; });  // throws listing the models
      po.flavor = flavors.front()->flavor;
    }
    const ModelEntry& entry = usage([&]() -> const ModelEntry& { return findModel(*model, po.flavor); });
    requireDeclaredOptions(entry, po.options);
    if (const std::string why = deviceUnavailableReason(po.device); !why.empty()) throw UsageError(why);
    // The physical weights whenever they can be found; random weights only when asked for.
    const bool physical = applyPhysicalDefaults(entry, po.options);
    auto pot = createPotential(*model, po);
    pot->setSystem(s);
    const EnergyForces r = evaluateNaming(*pot, s, *in);
    requireFinite(r, s);
    printWeightsNote(entry, pot->describe(), physical);
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
