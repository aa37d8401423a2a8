#include "harness/RunCommand.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "harness/Json.hpp"
#include "harness/Report.hpp"
#include "harness/SinglePoint.hpp"
#include "harness/Suites.hpp"
#include "backends/EngineRegistry.hpp"
#include "profilers/MemoryProbe.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/BlasProbe.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

struct RunOptions {
  std::string suite;
  std::vector<std::string> inputs;
  std::vector<int> sizes;
  std::vector<std::string> models{"ani2x"};
  std::vector<std::string> flavors;  // empty: every flavour each model has
  std::map<std::string, std::string> modelSettings;  // model-specific (--preset, --model-file, ...)
  std::vector<std::string> devices{"cpu"};
  std::vector<std::string> precisions{"float32"};
  int repeat = 5, warmup = 1;
  std::string out;
  bool quick = false;
  std::string weights;
  std::uint64_t seed = 42;
  int member = -1;
  std::string mode = "single-point";
  std::vector<std::string> engines{"native"};
  MdOptions md;
  std::string integrator = "langevin";
  std::string traceDir;
};

struct NamedSystem {
  System system;
  std::string file;
};

std::vector<NamedSystem> loadSystems(const RunOptions& o) {
  std::vector<NamedSystem> out;
  if (!o.inputs.empty()) {
    for (const auto& f : o.inputs) out.push_back({readSystem(f), f});
    return out;
  }
  PolyAlanineOptions po;
  po.seed = o.seed;
  for (int n : o.sizes) po.chainResidues = std::max(po.chainResidues, n);
  PolyAlanineBuilder builder(po);
  for (int n : o.sizes) {
    System s = builder.build(n);
    out.push_back({std::move(s), ""});
  }
  return out;
}

PotentialOptions potentialOptions(const RunOptions& o, const std::string& flavor, const std::string& device,
                                  Precision p) {
  PotentialOptions po;
  po.flavor = flavor;
  po.device = device;
  po.precision = p;
  po.weightsDir = o.weights;
  po.seed = o.seed;
  po.extra = o.modelSettings;
  if (o.member >= 0) po.extra["member"] = std::to_string(o.member);
  return po;
}

/// The flavours to run for `model`: the ones asked for, or every registered one (not torchscript,
/// which needs a file).
std::vector<std::string> flavorsFor(const RunOptions& o, const std::string& model) {
  if (!o.flavors.empty()) return o.flavors;
  std::vector<std::string> f;
  for (const auto& e : modelRegistry())
    if (e.model == model) f.push_back(e.flavor);
  if (f.empty()) findModel(model, "native");  // throws with the list of known models
  return f;
}

/// Options that configure a model, shared by `run` and `eval`.
void addModelOptions(CLI::App* c, RunOptions& o) {
  c->add_option("--weights", o.weights, "NeuroChem weights folder (default: random weights from --seed)");
  c->add_option("--seed", o.seed, "Seed for the systems and random weights");
  c->add_option("--member", o.member, "Use one ensemble member only (ANI-2x: 0..7)");
  auto setting = [&](const char* flag, const char* key, const char* help) {
    c->add_option_function<std::string>(flag, [&o, key](const std::string& v) { o.modelSettings[key] = v; }, help);
  };
  setting("--preset", "preset", "ET preset: ani1 (default), md17, qm9, spice");
  setting("--hidden-channels", "hidden_channels", "ET hidden channels (overrides the preset)");
  setting("--num-layers", "num_layers", "ET attention layers");
  setting("--num-rbf", "num_rbf", "ET radial basis functions");
  setting("--num-heads", "num_heads", "ET attention heads");
  setting("--cutoff", "cutoff", "ET upper cutoff, Å");
  setting("--max-neighbors", "max_neighbors", "ET max_num_neighbors (exceeding it is an error)");
  setting("--model-file", "model_file", "TorchScript model for --flavor torchscript (OpenMM-Torch contract)");
}

/// One MD point: engine run, measurements, trace files; a blow-up is recorded as an error.
void runMd(const RunOptions& o, Potential& potential, const System& system, Json& rec) {
  rec["engine"] = o.engines.front();
  rec["mode"] = "md";
  std::string id = rec["id"].get<std::string>();
  id = system.name + "/" + o.engines.front() + "/" + id.substr(id.find('/') + 1);
  rec["id"] = id;
  MdOptions md = o.md;
  md.integrator = parseIntegrator(o.integrator);
  md.seed = o.seed;
  if (!o.traceDir.empty()) {
    std::string stem = id;
    std::replace(stem.begin(), stem.end(), '/', '_');
    md.tracePath = (fs::path(o.traceDir) / (stem + ".csv")).string();
    md.trajectoryPath = (fs::path(o.traceDir) / (stem + ".xyz")).string();
  }
  auto engine = createEngine(o.engines.front());
  const bool rssReset = profilers::resetPeakRss();
  potential.resetMemoryStats();
  try {
    Json m;
    m["md"] = engine->run(system, potential, md);
    m["peak_memory_bytes"] = peakMemoryRecord(potential);
    m["host_peak_rss_is_per_run"] = rssReset;
    rec["model"] = potential.describe();
    rec["measurements"] = m;
    rec["status"] = "ok";
  } catch (const MdBlowUp& e) {
    rec["status"] = "error";
    rec["message"] = e.what();
  }
}

void runBenchmarks(RunOptions o) {
  if (o.suite.empty() == o.inputs.empty()) throw std::invalid_argument("give either --suite or --in FILE...");
  if (!o.suite.empty()) {
    const SuiteSpec& spec = findSuite(o.suite);
    if (o.sizes.empty()) o.sizes = o.quick ? std::vector<int>{10, 50, 100} : spec.sizes;
  }
  if (o.quick) {
    o.repeat = std::min(o.repeat, 3);
    o.warmup = std::min(o.warmup, 1);
  }
  for (int n : o.sizes)
    if (n <= 0) throw std::invalid_argument("--sizes: sizes must be positive (got " + std::to_string(n) + ")");
  if (o.repeat < 1) throw std::invalid_argument("--repeat must be at least 1");
  if (o.mode != "single-point" && o.mode != "md") throw std::invalid_argument("--mode must be single-point or md");
  if (o.mode == "md") {
    if (o.engines.size() != 1) throw std::invalid_argument("--engine: give one engine per MD run");
    createEngine(o.engines.front());  // unknown or unavailable engines are bad input here
    parseIntegrator(o.integrator);
    if (o.md.steps < 1) throw std::invalid_argument("--steps must be at least 1");
    if (o.md.warmupSteps < 0) throw std::invalid_argument("--warmup-steps must not be negative");
    if (!(o.md.timestepFs > 0)) throw std::invalid_argument("--dt must be positive");
    if (!o.traceDir.empty()) ensureWritableDirectory(o.traceDir);
  }
  if (o.warmup < 0) throw std::invalid_argument("--warmup must not be negative");
  std::vector<Precision> precisions;
  for (const auto& p : o.precisions) precisions.push_back(parsePrecision(p));
  // Unknown model/flavour names are bad input; known but unavailable ones become skipped records.
  for (const auto& m : o.models)
    for (const auto& f : flavorsFor(o, m)) {
      bool known = false;
      for (const auto& e : modelRegistry()) known = known || ((e.model == m || e.model == "*") && e.flavor == f);
      if (!known) findModel(m, f);  // throws with the list of known models
    }
  if (o.out.empty()) o.out = "results/local/" + (o.suite.empty() ? std::string("files") : o.suite) + "-" + utcTime("%Y%m%d-%H%M%S") + ".json";
  const fs::path outPath(o.out);
  ensureWritableDirectory(outPath.has_parent_path() ? outPath.parent_path().string() : ".");
  if (!o.weights.empty() && !fs::is_directory(o.weights)) throw std::invalid_argument(o.weights + ": weights folder not found");

  std::vector<NamedSystem> systems = loadSystems(o);
  // The BLAS floor: an sgemm shaped like ANI-2x's first hydrogen layer (members stacked).
  const Json sgemm = measureSgemm(1700, 2048, 1008, 3);
  Json suite;
  suite["name"] = o.suite.empty() ? "files" : o.suite;
  suite["mode"] = o.mode;
  if (o.mode == "md") {
    suite["engines"] = o.engines;
    suite["md"] = {{"steps", o.md.steps},          {"warmup_steps", o.md.warmupSteps},
                   {"dt_fs", o.md.timestepFs},     {"integrator", o.integrator},
                   {"temperature_k", o.md.temperatureK}, {"friction_per_ps", o.md.frictionPerPs},
                   {"minimize_steps", o.md.minimizeSteps}, {"minimize_tolerance_kj_mol_a", o.md.minimizeToleranceKJPerMolA},
                   {"skin_a", o.md.skinAngstrom}};
  }
  suite["sizes"] = o.sizes;
  suite["inputs"] = o.inputs;
  suite["models"] = o.models;
  suite["flavors"] = o.flavors.empty() ? Json("all") : Json(o.flavors);
  suite["model_settings"] = o.modelSettings;
  suite["devices"] = o.devices;
  suite["precisions"] = o.precisions;
  suite["repeat"] = o.repeat;
  suite["warmup"] = o.warmup;
  suite["quick"] = o.quick;
  suite["seed"] = o.seed;
  suite["weights"] = o.weights.empty() ? "random(seed=" + std::to_string(o.seed) + ")" : o.weights;
  suite["sgemm_reference"] = sgemm;
  ReportWriter writer(o.out, suite);
  const double sgemmRate = sgemm["gflops_per_s"].get<double>();
  std::cout << "sgemm " << sgemm["shape_mnk"].dump() << ": " << std::fixed << std::setprecision(1) << sgemmRate
            << " GFLOP/s (" << blasIdentity().substr(0, 40) << ")\n";

  std::map<std::string, std::unique_ptr<Potential>> cache;
  size_t done = 0, failed = 0;
  size_t perSystem = 0;
  for (const auto& model : o.models) perSystem += flavorsFor(o, model).size();
  const size_t total = systems.size() * perSystem * o.devices.size() * precisions.size();
  for (const auto& ns : systems)
    for (const auto& model : o.models)
      for (const auto& flavor : flavorsFor(o, model))
        for (const auto& device : o.devices)
          for (Precision prec : precisions) {
            Json rec = runRecord(ns.system, ns.file, model, flavor, device, prec);
            const std::string key = model + "/" + flavor + "/" + device + "/" + toString(prec);
            try {
              if (!cache.count(key)) cache[key] = createPotential(model, potentialOptions(o, flavor, device, prec));
              if (o.mode == "md") {
                runMd(o, *cache[key], ns.system, rec);
              } else {
                SinglePointOptions so{o.warmup, o.repeat};
                measureSinglePoint(*cache[key], ns.system, so, sgemmRate, rec);
              }
            } catch (const std::exception& e) {
              const std::string what = e.what();
              rec["status"] = what.find("unavailable") != std::string::npos ? "skipped" : "error";
              rec["message"] = what;
            }
            ++done;
            std::cout << "[" << done << "/" << total << "] " << rec["id"].get<std::string>() << " ("
                      << ns.system.size() << " atoms): ";
            if (rec["status"] == "ok" && o.mode == "md") {
              const Json& md = rec["measurements"]["md"];
              std::cout << std::setprecision(2) << md["ms_per_step"]["median"].get<double>() << " ms/step, "
                        << md["ns_per_day"].get<double>() << " ns/day, T " << std::setprecision(0)
                        << md["mean_temperature_k"].get<double>() << " K\n";
            } else if (rec["status"] == "ok") {
              const Json& st = rec["measurements"]["stages"];
              std::cout << std::setprecision(2) << st["total"]["median_ms"].get<double>() << " ms";
              for (const char* s : {"neighbors", "descriptor", "energy", "forces"})
                if (st.contains(s)) std::cout << "  " << s << " " << st[s]["median_ms"].get<double>();
              std::cout << "\n";
            } else {
              ++failed;
              std::cout << rec["status"].get<std::string>() << ": " << rec["message"].get<std::string>() << "\n";
            }
            writer.addRun(std::move(rec));
          }
  std::cout << "report: " << o.out << " (" << done << " runs, " << failed << " not ok)\n";
}

}  // namespace

void addRunCommand(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto* r = app.add_subcommand("run", "Benchmark models on a suite's systems or on structure files");
  r->add_option("--suite", o->suite, "Suite to run (polyala)");
  r->add_option("--in", o->inputs, "Structure files to run instead of a suite")->delimiter(',');
  r->add_option("--sizes", o->sizes, "Suite sizes (residues), comma-separated")->delimiter(',');
  r->add_option("--model", o->models, "Models, comma-separated")->delimiter(',');
  r->add_option("--flavor", o->flavors, "Flavours, comma-separated (default: every flavour of each model)")->delimiter(',');
  r->add_option("--device", o->devices, "Devices, comma-separated (cpu, cuda)")->delimiter(',');
  r->add_option("--precision", o->precisions, "float32 and/or float64")->delimiter(',');
  r->add_option("--repeat", o->repeat, "Timed repeats per point (median reported)");
  r->add_option("--warmup", o->warmup, "Untimed warm-up evaluations per point");
  r->add_option("--out", o->out, "Report file (default results/local/<suite>-<UTC time>.json)");
  r->add_flag("--quick", o->quick, "Small subset (10, 50, 100 residues; 3 repeats)");
  addModelOptions(r, *o);
  r->add_option("--mode", o->mode, "single-point (stage timings) or md (minimise, then dynamics)");
  r->add_option("--engine", o->engines, "MD engine (native)")->delimiter(',');
  r->add_option("--steps", o->md.steps, "MD production steps");
  r->add_option("--warmup-steps", o->md.warmupSteps, "MD steps before timing starts");
  r->add_option("--dt", o->md.timestepFs, "MD time step, fs");
  r->add_option("--integrator", o->integrator, "langevin (BAOAB) or nve (velocity Verlet)");
  r->add_option("--temperature", o->md.temperatureK, "Initial/thermostat temperature, K");
  r->add_option("--friction", o->md.frictionPerPs, "Langevin friction, 1/ps");
  r->add_option("--minimize-steps", o->md.minimizeSteps, "Maximum minimisation iterations before MD (0: none)");
  r->add_option("--minimize-tolerance", o->md.minimizeToleranceKJPerMolA, "Minimisation stops below this max force, kJ/mol/Å");
  r->add_option("--skin", o->md.skinAngstrom, "Verlet-list skin, Å (0: rebuild every step)");
  r->add_option("--trace-dir", o->traceDir, "Write an energy/temperature CSV and an XYZ trajectory per MD run here");
  r->add_option("--trace-every", o->md.traceEvery, "Steps between trace rows and trajectory frames");
  r->callback([o] { runBenchmarks(*o); });
}

void addEvalCommand(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  auto model = std::make_shared<std::string>("ani2x");
  auto flavor = std::make_shared<std::string>();
  auto device = std::make_shared<std::string>("cpu");
  auto precision = std::make_shared<std::string>("float32");
  auto in = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* e = app.add_subcommand("eval", "One energy + forces evaluation of a structure file");
  e->add_option("--model", *model, "Model (ani2x)");
  e->add_option("--flavor", *flavor, "Flavour (default: the model's first: native for ani2x, torch for et)");
  e->add_option("--device", *device, "Device (cpu, cuda)");
  e->add_option("--precision", *precision, "float32 or float64")->check(CLI::IsMember({"float32", "float64"}));
  addModelOptions(e, *o);
  e->add_option("--in", *in, "Structure file (.pdb, .gro, .xyz)")->required();
  e->add_option("--out", *out, "Write the JSON here instead of standard output");
  e->callback([=] {
    const System s = readSystem(*in);
    if (!out->empty()) {
      const fs::path p(*out);
      ensureWritableDirectory(p.has_parent_path() ? p.parent_path().string() : ".");
    }
    const std::string fl = flavor->empty() ? flavorsFor(*o, *model).front() : *flavor;
    auto pot = createPotential(*model, potentialOptions(*o, fl, *device, parsePrecision(*precision)));
    pot->setSystem(s);
    const EnergyForces r = pot->compute(s.positions, s.box, true);
    Json j;
    j["schema_version"] = kReportSchemaVersion;
    j["input"] = *in;
    j["model"] = pot->describe();
    j["device"] = pot->device();
    j["precision"] = *precision;
    j["atoms"] = s.size();
    Json elements = Json::array();
    for (const auto& a : s.atoms) elements.push_back(elementInfo(a.element).symbol);
    j["elements"] = elements;
    j["energy"] = {{"kj_mol", r.energy}, {"hartree", r.energy / 2625.4996387552483}};
    Json forces = Json::array();
    for (const auto& f : r.forces) forces.push_back({f.x, f.y, f.z});
    j["forces_kj_mol_per_angstrom"] = forces;
    const std::string text = j.dump(2) + "\n";
    if (out->empty())
      std::cout << text;
    else
      writeFileAtomically(*out, text);
  });
}

}  // namespace mlffb
